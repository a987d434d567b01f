"""`GET /`: the ESD sandbox's own admin page (accounts, tokens, catalog, endpoints)."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .state import TOKENS, EsdState

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;font-size:.9rem}th{background:#f3f3f3}
.muted{color:#666}
"""

_ENDPOINTS = [
    ("POST", "/oauth2/token", "form grant_type=client_credentials, client_id, client_secret"),
    ("GET", "/api/v1/products", "perpetual products with USD and EUR unit prices"),
    (
        "PUT",
        "/api/v1/accounts/{accountId}",
        '{"name", "email", "role": "Reseller"|"User", "parentAccountId": null}',
    ),
    ("GET", "/api/v1/accounts/{accountId}", "an account and its synchronisation status"),
    (
        "POST",
        "/api/v1/accounts/{accountId}/tokens",
        '{"productId", "quantity", "orderReference"} + MS-RequestId',
    ),
    ("GET", "/api/v1/accounts/{accountId}/tokens", "the tokens of an account"),
    ("GET", "/api/v1/tokens/{tokenId}", "one token"),
    ("POST", "/api/v1/tokens/{tokenId}/return", "return within 30 days of issue"),
    ("POST", "/api/v1/tokens/{tokenId}/download-link", "a new download link, valid 5 days"),
    ("GET/POST", "/_sandbox/clock", '{"advance": "P31D"}'),
    ("GET/POST/DELETE", "/_sandbox/faults", '{"kind": "503", "next_n": 2}'),
    ("POST", "/_sandbox/reset", "wipe the state"),
]


def _table(headings: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(heading)}</th>" for heading in headings)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render(state: EsdState) -> str:
    accounts = state.accounts()
    tokens = state.store.list(TOKENS)
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>ESD sandbox</title>",
            f"<style>{_STYLE}</style></head><body>",
            "<h1>Microsoft ESD sandbox ",
            "<span class='muted'>(our model: no public ESD spec exists)</span></h1>",
            f"<p>Sandbox time {escape(state.clock.now().isoformat())}</p>",
            "<h2>Synchronised accounts</h2>",
            _table(
                ["Account", "Name", "Email", "Role", "Parent", "Status", "Synchronised at"],
                [
                    [
                        a["accountId"],
                        a["name"],
                        a["email"],
                        a["role"],
                        a["parentAccountId"] or "",
                        a["status"],
                        a["synchronisedAt"],
                    ]
                    for a in accounts
                ],
            ),
            f"<h2>Tokens <span class='muted'>({len(tokens)})</span></h2>",
            _table(
                [
                    "Token",
                    "Account",
                    "Product",
                    "Order reference",
                    "Product key",
                    "Status",
                    "Issued",
                    "Link expires",
                ],
                [
                    [
                        t["tokenId"],
                        t["accountId"],
                        t["productName"],
                        t["orderReference"],
                        t["productKey"],
                        t["status"],
                        t["issuedAt"],
                        t["downloadLinkExpiresAt"],
                    ]
                    for t in tokens
                ],
            ),
            "<h2>Catalog</h2>",
            _table(
                ["Product id", "Name", "USD", "EUR"],
                [
                    [p["productId"], p["name"], p["unitPrices"]["USD"], p["unitPrices"]["EUR"]]
                    for p in state.products.values()
                ],
            ),
            "<h2>Endpoints</h2>",
            _table(["Method", "Path", "What"], [list(row) for row in _ENDPOINTS]),
            "</body></html>",
        ]
    )


def page_route(state: EsdState) -> Route:
    async def index(request: Request) -> Response:
        return HTMLResponse(render(state))

    return Route("/", index, methods=["GET"])

"""`GET /`: the distributor sandbox's own admin page (tenants, subscriptions, usage settings, endpoints)."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .state import DistributorState

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;font-size:.9rem}th{background:#f3f3f3}
code{background:#f3f3f3;padding:0 .2rem}.muted{color:#666}
"""

_ENDPOINTS = [
    (
        "POST",
        "/core/connect/token",
        "form grant_type=client_credentials, client_id, client_secret, scope=rhipeapi",
    ),
    ("GET", "/api/v1/me", "the partner and its contract agreements"),
    ("GET", "/api/v1/me/customers", "customers with their program agreements"),
    ("GET", "/api/v2/microsoftcsp/tenants", "tenants with their subscriptions"),
    (
        "POST",
        "/api/v2/microsoftcsp/tenants",
        "create a tenant (DomainPrefix, CustomerName, Address, Contact)",
    ),
    ("GET", "/api/v2/microsoftcsp/tenants/{tenantId}", "one tenant"),
    ("GET", "/api/v2/microsoftcsp/domains/{prefix}", "is <prefix>.onmicrosoft.com available"),
    (
        "POST",
        "/api/v2/microsoftcsp/tenants/{tenantId}/subscriptions",
        "add a licence (ProductId, Quantity, BillingCycle)",
    ),
    ("GET", "/api/v2/microsoftcsp/subscriptions/{id}", "one subscription"),
    (
        "PATCH",
        "/api/v2/microsoftcsp/subscriptions/{id}",
        "change Quantity and/or Status (Active, Suspended, Cancelled)",
    ),
    ("GET", "/api/v2/microsoftcsp/usage?startDate=&endDate=&pageSize=&continuationToken=", "the usage feed"),
    ("GET", "/api/v2/me/pricing/{contractAgreementId}/pricelist/{yyyy}/{m}/{d}", "the price list on a date"),
    ("GET/POST", "/_sandbox/usage/config", '{"unknownTenantRate": 0.05, "unknownProductRate": 0.05}'),
    ("POST", "/_sandbox/usage/records", "add explicit usage records"),
    ("GET/POST", "/_sandbox/clock", '{"advance": "P3D"} or {"set": "2026-01-31T00:00:00Z"}'),
    ("GET/POST/DELETE", "/_sandbox/faults", '{"kind": "429", "next_n": 1, "retry_after": 1}'),
    ("POST", "/_sandbox/reset", "wipe the state and load the demo data again"),
]


def _rows(cells: list[list[str]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in cells)


def _table(headings: list[str], cells: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(heading)}</th>" for heading in headings)
    return f"<table><tr>{head}</tr>{_rows(cells)}</table>"


def render(state: DistributorState) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Distributor sandbox</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Distributor sandbox <span class='muted'>(Rhipe PRISM style)</span></h1>",
        f"<p>Partner: {escape(str(state.catalog.partner['CompanyName']))} · currency "
        f"{escape(state.catalog.currency)} · sandbox time {escape(state.clock.now().isoformat())}</p>",
    ]
    for tenant in state.tenants():
        parts.append(
            f"<h2>{escape(tenant['CustomerName'])} <span class='muted'>{escape(tenant['Domain'])} · "
            f"{escape(tenant['TenantId'])} · {escape(tenant['TenantStatus'])}</span></h2>"
        )
        parts.append(
            _table(
                [
                    "Subscription",
                    "Product",
                    "Product GUID",
                    "Quantity",
                    "Status",
                    "Billing cycle",
                    "First purchased",
                ],
                [
                    [
                        sub["SubscriptionId"],
                        str(sub["ProductName"]),
                        sub["ProductId"],
                        str(sub["Quantity"]),
                        sub["Status"],
                        sub["BillingCycle"],
                        sub["FirstPurchased"],
                    ]
                    for sub in tenant["Subscriptions"]
                ],
            )
        )
    config = state.usage_config()
    parts.append("<h2>Usage feed</h2>")
    parts.append(
        _table(
            ["Setting", "Value"],
            [
                ["unknownTenantRate", str(config.unknown_tenant_rate)],
                ["unknownProductRate", str(config.unknown_product_rate)],
                ["explicit records", str(state.store.count("usage_records"))],
            ],
        )
    )
    parts.append("<h2>Endpoints</h2>")
    parts.append(_table(["Method", "Path", "What"], [list(row) for row in _ENDPOINTS]))
    parts.append("</body></html>")
    return "".join(parts)


def page_route(state: DistributorState) -> Route:
    async def index(request: Request) -> Response:
        return HTMLResponse(render(state))

    return Route("/", index, methods=["GET"])

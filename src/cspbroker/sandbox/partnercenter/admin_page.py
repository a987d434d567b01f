"""The sandbox's HTML admin page: what "Microsoft" holds right now (server-rendered, escaped, no JS)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .state import PCState

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
th{background:#f3f3f3}code{font-size:12px}.muted{color:#777}
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body or '<tr><td colspan=99 class=muted>none</td></tr>'}</table>"


def render_page(state: PCState) -> str:
    store = state.store
    customers = {c["id"]: c for c in store.list("customers")}

    def company(customer_id: str) -> str:
        customer = customers.get(customer_id)
        return customer["companyProfile"]["companyName"] if customer else customer_id

    sections = [
        (
            "Customers",
            _table(
                ["Company", "Domain", "Tenant id", "Relationship"],
                [
                    (
                        c["companyProfile"]["companyName"],
                        c["companyProfile"]["domain"],
                        c["id"],
                        c["relationshipToPartner"],
                    )
                    for c in customers.values()
                ],
            ),
        ),
        (
            "Subscriptions",
            _table(
                ["Customer", "Offer", "Qty", "Term", "Billing", "Status", "Auto-renew", "Id"],
                [
                    (
                        company(s["customerId"]),
                        s["offerName"],
                        s["quantity"],
                        s["termDuration"],
                        s["billingCycle"],
                        s["status"],
                        s["autoRenewEnabled"],
                        s["id"],
                    )
                    for s in store.list("subscriptions")
                ],
            ),
        ),
        (
            "Users",
            _table(
                ["Customer", "User", "State", "Usage location", "Licences"],
                [
                    (
                        company(u["customerId"]),
                        u["userPrincipalName"],
                        u["state"],
                        u.get("usageLocation") or "",
                        len(u.get("licenses", [])),
                    )
                    for u in store.list("users")
                ],
            ),
        ),
        (
            "Orders",
            _table(
                ["Customer", "Order", "Created", "Lines"],
                [
                    (company(o["referenceCustomerId"]), o["id"], o["creationDate"], len(o["lineItems"]))
                    for o in store.list("orders")
                ],
            ),
        ),
        (
            "Audit records (latest 50)",
            _table(
                ["When", "Customer", "Resource", "Operation", "By"],
                [
                    (
                        a["operationDate"],
                        a["customerName"],
                        a["resourceType"],
                        a["operationType"],
                        a["userPrincipalName"] or a["applicationId"],
                    )
                    for a in list(reversed(store.list("audit")))[:50]
                ],
            ),
        ),
        (
            "Active faults",
            _table(
                ["Kind", "Path pattern", "Method", "Rate", "Next n", "Fired"],
                [
                    (f.kind, f.path_pattern or "(all)", f.method or "(any)", f.rate, f.next_n or "", f.fired)
                    for f in state.faults.rules()
                ],
            ),
        ),
    ]
    body = "".join(f"<h2>{escape(title)}</h2>{html}" for title, html in sections)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Partner Center sandbox</title>"
        f"<style>{_STYLE}</style></head><body><h1>Partner Center sandbox</h1>"
        f"<p>Sandbox clock: <code>{escape(state.now().isoformat())}</code> · partner tenant "
        f"<code>{escape(state.config.partner_tenant_id)}</code> · client id "
        f"<code>{escape(state.config.client_id)}</code></p>"
        f"{body}</body></html>"
    )


def routes(state: PCState) -> list[Route]:
    async def page(request: Request) -> Response:
        return HTMLResponse(render_page(state))

    return [
        Route("/", page, methods=["GET"]),
        Route("/_sandbox/", page, methods=["GET"]),
        Route("/_sandbox", page, methods=["GET"]),
    ]

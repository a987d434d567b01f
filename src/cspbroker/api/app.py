"""The REST API at /api/v1/: one NinjaAPI, its routers, and the error handlers of `errors`."""

from __future__ import annotations

from ninja import NinjaAPI

from cspbroker.api import errors
from cspbroker.api.auth import SessionAuth, TokenAuth
from cspbroker.api.routers import (
    approvals,
    billing,
    catalog,
    connections,
    me,
    orders,
    organizations,
    price_lists,
    subscriptions,
    tenants,
)

api = NinjaAPI(
    title="cspbroker API",
    version="1",
    description=(
        "Sell, provision and bill Microsoft CSP licences. Authenticate with a personal API token "
        "(`Authorization: Bearer cspb_…`, created on your account page or with `cspbroker token create`) "
        "or a browser session. Errors are RFC 9457 problem+json with a stable `code`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/me", me.router)
api.add_router("/organizations", organizations.router)
api.add_router("/connections", connections.router)
api.add_router("/catalog", catalog.router)
api.add_router("/price-lists", price_lists.router)
# /customers/{id}/tenants, /tenants/{id}, /tenants/{id}/users, /tenants/{id}/licence-assignments
api.add_router("", tenants.router)
api.add_router("/subscriptions", subscriptions.router)
api.add_router("/orders", orders.router)
api.add_router("/approvals", approvals.router)
api.add_router("/invoices", billing.invoices)
api.add_router("/billing", billing.router)

for exception_class, handler in errors.HANDLERS:
    api.add_exception_handler(exception_class, handler)

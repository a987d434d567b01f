"""The Partner Center sandbox application: `create_app(config)`.

Middleware, outermost first: MS-RequestId/MS-CorrelationId echo → fault injection → bearer token
check for `/v1/` (401, code 800001) → lazy clock processing (renewals, cycle charges, trial ends).
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..common.admin import sandbox_admin_routes
from ..common.app import SandboxApp
from ..common.auth import TokenIssuer, token_routes
from ..common.clock import SandboxClock
from ..common.config import SandboxConfig
from ..common.errors import ApiError, api_error_handler, not_found_handler, pc_error_body
from ..common.faults import FaultInjector, FaultMiddleware
from ..common.headers import RequestHeadersMiddleware, header
from ..common.idempotency import Idempotency
from ..common.store import Store
from . import (
    admin,
    admin_page,
    audit,
    carts,
    catalog,
    customers,
    entitlements,
    licenses,
    orders,
    recon,
    subscriptions,
    users,
)
from .catalog import Catalog
from .commerce import process_subscriptions
from .oob import seed
from .state import PCState

STATE_FILE = "partnercenter.sqlite3"


class BearerAuthMiddleware:
    """Every `/v1/` call needs a valid bearer token; the caller's app id goes to `request.state`."""

    def __init__(self, app: ASGIApp, state: PCState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            claims = self.state.issuer.claims_for(header(scope, "authorization"))
            if claims is None:
                response = JSONResponse(
                    pc_error_body(800001, "Partner Token missing in request context"),
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="api.partnercenter.microsoft.com"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["client_id"] = claims.get("appid", "")
        await self.app(scope, receive, send)


class ClockMiddleware:
    """Before each request: let the sandbox clock's due events happen (lazy, cheap when none are due)."""

    def __init__(self, app: ASGIApp, state: PCState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "/oauth2/" not in scope["path"]:
            self.state.process_due()
        await self.app(scope, receive, send)


async def _unexpected(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        pc_error_body(500, f"An internal error occurred: {type(exc).__name__}."), status_code=500
    )


def build_state(config: SandboxConfig) -> PCState:
    store = Store(Path(config.state_dir) / STATE_FILE)
    state = PCState(
        config=config,
        store=store,
        clock=SandboxClock(store),
        catalog=Catalog(),
        issuer=TokenIssuer(config, store),
        faults=FaultInjector(config.seed),
        idempotency=Idempotency(store),
    )
    state.processors.append(process_subscriptions)
    return state


def create_app(config: SandboxConfig) -> SandboxApp:
    state = build_state(config)

    def reseed() -> None:
        state.forget_due()
        seed(state)

    reseed()
    routes = [
        *token_routes(state.issuer, ["/{tenant}/oauth2/token", "/{tenant}/oauth2/v2.0/token"]),
        *sandbox_admin_routes(state.clock, state.faults, admin.routes(state), on_reset=reseed),
        *admin_page.routes(state),
        *customers.routes(state),
        *users.routes(state),
        *licenses.routes(state),
        *catalog.routes(state),
        *carts.routes(state),
        *orders.routes(state),
        *subscriptions.routes(state),
        *entitlements.routes(state),
        *audit.routes(state),
        *recon.routes(state),
    ]
    app = SandboxApp(
        routes=routes,
        middleware=[
            Middleware(RequestHeadersMiddleware),
            Middleware(FaultMiddleware, injector=state.faults),
            Middleware(BearerAuthMiddleware, state=state),
            Middleware(ClockMiddleware, state=state),
        ],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: not_found_handler,
            Exception: _unexpected,
        },
    )
    app.state.pc = state
    return app

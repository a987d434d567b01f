"""`create_app(config)`: the ESD sandbox as one ASGI application."""

from __future__ import annotations

from starlette.middleware import Middleware

from cspbroker.sandbox.common.admin import sandbox_admin_routes
from cspbroker.sandbox.common.app import SandboxApp
from cspbroker.sandbox.common.auth import TokenIssuer, token_routes
from cspbroker.sandbox.common.clock import SandboxClock
from cspbroker.sandbox.common.config import SandboxConfig
from cspbroker.sandbox.common.faults import FaultInjector, FaultMiddleware
from cspbroker.sandbox.common.headers import RequestHeadersMiddleware
from cspbroker.sandbox.common.idempotency import Idempotency
from cspbroker.sandbox.common.store import Store

from .page import page_route
from .routes import EXCEPTION_HANDLERS, api_routes, link_routes
from .state import EsdState

STORE_FILE = "esd.sqlite3"
TOKEN_PATH = "/oauth2/token"


def create_app(config: SandboxConfig) -> SandboxApp:
    store = Store(config.state_dir / STORE_FILE)
    clock = SandboxClock(store)
    faults = FaultInjector(config.seed)
    issuer = TokenIssuer(config, store)
    state = EsdState(store=store, clock=clock, seed=config.seed)
    routes = [
        page_route(state),
        *token_routes(issuer, [TOKEN_PATH]),
        *api_routes(state, issuer, Idempotency(store)),
        *link_routes(state),
        *sandbox_admin_routes(clock, faults),
    ]
    app = SandboxApp(
        routes=routes,
        middleware=[Middleware(RequestHeadersMiddleware), Middleware(FaultMiddleware, injector=faults)],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.sandbox = state
    app.state.faults = faults
    app.state.clock = clock
    return app

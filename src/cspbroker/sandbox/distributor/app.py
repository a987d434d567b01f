"""`create_app(config)`: the distributor sandbox as one ASGI application."""

from __future__ import annotations

from starlette.middleware import Middleware

from cspbroker.sandbox.common.admin import sandbox_admin_routes
from cspbroker.sandbox.common.app import SandboxApp
from cspbroker.sandbox.common.auth import TokenIssuer
from cspbroker.sandbox.common.clock import SandboxClock
from cspbroker.sandbox.common.config import SandboxConfig
from cspbroker.sandbox.common.faults import FaultInjector, FaultMiddleware
from cspbroker.sandbox.common.headers import RequestHeadersMiddleware
from cspbroker.sandbox.common.idempotency import Idempotency
from cspbroker.sandbox.common.store import Store

from .catalog import load_catalog
from .http import EXCEPTION_HANDLERS, token_route
from .page import page_route
from .routes import api_routes, usage_admin_routes
from .state import DistributorState

STORE_FILE = "distributor.sqlite3"


def create_app(config: SandboxConfig) -> SandboxApp:
    store = Store(config.state_dir / STORE_FILE)
    clock = SandboxClock(store)
    faults = FaultInjector(config.seed)
    issuer = TokenIssuer(config, store)
    state = DistributorState(store=store, clock=clock, catalog=load_catalog(), seed=config.seed)
    state.ensure_seeded()
    routes = [
        page_route(state),
        token_route(issuer),
        *api_routes(state, issuer, Idempotency(store)),
        *sandbox_admin_routes(clock, faults, usage_admin_routes(state), on_reset=state.ensure_seeded),
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

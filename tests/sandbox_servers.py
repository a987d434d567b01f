"""Run sandbox ASGI apps on a free 127.0.0.1 port, in a background thread, for tests.

    with running_app(create_app(config)) as base_url:
        httpx.get(f"{base_url}/v1/...")

`sandbox_fixture(build)` makes a pytest fixture that builds an app for a fresh state directory and
yields a `RunningSandbox(url, state_dir, app)`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(app: ASGIApp, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve `app` with uvicorn until the block ends; yields the base URL (no trailing slash)."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the sandbox server on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class RunningSandbox:
    url: str
    state_dir: Path
    app: Any


def sandbox_fixture(build: Callable[[Path], ASGIApp], *, scope: str = "function") -> Any:
    """A pytest fixture: `build(state_dir)` → app, served for the fixture's scope."""

    @pytest.fixture(scope=scope)  # type: ignore[call-overload, untyped-decorator]
    def _sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
        state_dir = tmp_path_factory.mktemp("sandbox")
        app = build(state_dir)
        with running_app(app) as url:
            yield RunningSandbox(url=url, state_dir=state_dir, app=app)

    return _sandbox

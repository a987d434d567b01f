"""Run the three sandboxes (Partner Center, distributor, ESD) in one process, one asyncio loop.

`cspbroker sandbox serve` calls `main(argv)`; `python -m cspbroker.sandbox` does too.
All three share one `SandboxConfig` (state directory, credentials, partner tenant id); each keeps its
own SQLite file in the state directory. Ctrl-C / SIGTERM stops every server cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import signal
import sys
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import uvicorn

from .common.config import SandboxConfig

DEFAULT_STATE_DIR = Path("var/sandbox")
_APPS = (
    ("Partner Center", "cspbroker.sandbox.partnercenter.app"),
    ("Distributor", "cspbroker.sandbox.distributor.app"),
    ("ESD", "cspbroker.sandbox.esd.app"),
)


class _Server(uvicorn.Server):
    """uvicorn's server without its own signal handling: `serve` stops all servers together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _factory(module: str) -> Callable[[SandboxConfig], Any] | None:
    try:
        factory: Callable[[SandboxConfig], Any] = importlib.import_module(module).create_app
        return factory
    except (ImportError, AttributeError) as error:
        print(f"warning: {module} is not available ({error}); that sandbox will not run", file=sys.stderr)
        return None


def _banner(config: SandboxConfig, urls: list[tuple[str, str]]) -> str:
    secret = "(from CSPB_SANDBOX_CLIENT_SECRET)" if config.secret_from_env else config.client_secret
    lines = [f"  {name:<15} {url}" for name, url in urls]
    return "\n".join(
        [
            "cspbroker sandbox",
            *lines,
            f"  state dir       {config.state_dir}",
            f"  tenant id       {config.partner_tenant_id}",
            f"  client id       {config.client_id}",
            f"  client secret   {secret}",
            "  admin pages     GET / on each port; clock, faults and reset under /_sandbox/",
        ]
    )


async def _run(servers: list[uvicorn.Server]) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
    await asyncio.gather(*(server.serve() for server in servers))


def serve(
    host: str = "127.0.0.1",
    pc_port: int = 8401,
    distributor_port: int = 8402,
    esd_port: int = 8403,
    state_dir: Path = DEFAULT_STATE_DIR,
) -> None:
    config = SandboxConfig.from_env(Path(state_dir))
    servers: list[uvicorn.Server] = []
    urls: list[tuple[str, str]] = []
    for (name, module), port in zip(_APPS, (pc_port, distributor_port, esd_port), strict=True):
        factory = _factory(module)
        if factory is None:
            continue
        app = factory(config)
        server_config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=3
        )
        servers.append(_Server(server_config))
        urls.append((name, f"http://{host}:{port}"))
    print(_banner(config, urls), flush=True)
    asyncio.run(_run(servers))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cspbroker sandbox serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--pc-port", type=int, default=8401)
    parser.add_argument("--distributor-port", type=int, default=8402)
    parser.add_argument("--esd-port", type=int, default=8403)
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    args = parser.parse_args(argv)
    serve(args.host, args.pc_port, args.distributor_port, args.esd_port, args.state_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

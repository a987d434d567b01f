"""The catcher's SMTP side, and both servers (SMTP + web inbox) on one asyncio loop.

    python -m cspbroker.sandbox.mailcatcher --smtp-port 8025 --http-port 8404 --state-dir var/mail

Point the platform at it with EMAIL_URL=smtp://127.0.0.1:8025. No authentication, no TLS, and it
listens on 127.0.0.1 only: it is for demos and tests, never a relay. SIGINT or SIGTERM stops both
servers and the process exits with 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session

from .store import MessageStore
from .web import create_app

logger = logging.getLogger("cspbroker.sandbox.mailcatcher")

DEFAULT_SMTP_PORT = 8025
DEFAULT_HTTP_PORT = 8404
SMTP_HOSTNAME = "mailcatcher.local"


class CatcherHandler:
    """aiosmtpd handler: every message that arrives is stored, whoever it is for."""

    def __init__(self, store: MessageStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or (
            envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        )
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer or "")
        message_id = self.store.add(
            mail_from=envelope.mail_from or "", rcpt_tos=list(envelope.rcpt_tos), raw=raw, peer=peer
        )
        logger.info("caught message %s for %s", message_id, ", ".join(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def smtp_factory(handler: CatcherHandler) -> SMTP:
    return SMTP(handler, hostname=SMTP_HOSTNAME, ident="cspbroker mail catcher", enable_SMTPUTF8=True)


class _InboxServer(uvicorn.Server):
    """uvicorn without its own signal handling: `serve` below stops both servers itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    *,
    state_dir: Path,
    smtp_port: int,
    http_port: int,
    host: str = "127.0.0.1",
    ready: Callable[[], None] | None = None,
) -> None:
    """Serve SMTP and the inbox until SIGINT or SIGTERM; `ready` is called once both listen."""
    store = MessageStore(state_dir)
    loop = asyncio.get_running_loop()
    handler = CatcherHandler(store)
    smtp_server = await loop.create_server(lambda: smtp_factory(handler), host=host, port=smtp_port)
    config = uvicorn.Config(
        create_app(store),
        host=host,
        port=http_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    inbox = _InboxServer(config)

    def stop() -> None:
        inbox.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on the main thread
            loop.add_signal_handler(sig, stop)
    try:
        serving = asyncio.ensure_future(inbox.serve())
        while not inbox.started and not serving.done():
            await asyncio.sleep(0.02)
        if inbox.started:
            print(
                f"mail catcher: SMTP on {host}:{smtp_port}, inbox at http://{host}:{http_port}/ "
                f"(state in {store.path})",
                flush=True,
            )
            if ready is not None:
                ready()
        await serving
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        smtp_server.close()
        await smtp_server.wait_closed()
        store.close()


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cspbroker.sandbox.mailcatcher",
        description="Catch every email sent to a local SMTP port and show it in a web inbox.",
    )
    parser.add_argument("--smtp-port", type=int, default=DEFAULT_SMTP_PORT)
    parser.add_argument("--http-port", type=int, default=DEFAULT_HTTP_PORT)
    parser.add_argument("--host", default="127.0.0.1", help="interface for both servers (default 127.0.0.1)")
    parser.add_argument("--state-dir", type=Path, default=Path("var/mail"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(sys.argv[1:] if argv is None else list(argv))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command chatter
    try:
        asyncio.run(
            serve(
                state_dir=arguments.state_dir,
                smtp_port=arguments.smtp_port,
                http_port=arguments.http_port,
                host=arguments.host,
            )
        )
    except OSError as error:  # e.g. the port is taken
        logger.error("mail catcher cannot start: %s", error)
        return 1
    return 0

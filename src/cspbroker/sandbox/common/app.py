"""`SandboxApp`: a Starlette application that remembers the server's own `send` callable.

Starlette wraps `send` in its error middleware; the fault injector needs the server's original one to
reach the transport and close a connection without answering ("drop"). Use `SandboxApp` instead of
`Starlette` for every sandbox server.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

RAW_SEND = "sandbox.raw_send"


class SandboxApp(Starlette):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_SEND] = send
        await super().__call__(scope, receive, send)

"""The web inbox: HTML pages for people, a JSON API for tests (e.g. reading credentials from mail).

GET    /                      the messages, newest first; ?q= searches recipients, sender, subject
GET    /messages/{id}         one message: headers and text body (everything HTML-escaped)
GET    /messages/{id}/raw     the message as received (text/plain)
GET    /api/messages          JSON list, newest first; ?to=&subject=&q= filter (substring, any case)
GET    /api/messages/{id}     JSON of one message
DELETE /api/messages          delete every message; answers {"deleted": n}
GET    /healthz               "ok"
"""

from __future__ import annotations

from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .store import MessageStore, StoredMessage

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;font-size:.9rem;vertical-align:top}
th{background:#f3f3f3}.muted{color:#666}pre{white-space:pre-wrap;background:#f8f8f8;padding:1rem}
"""


def _page(title: str, content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} · mail catcher</title><style>{_STYLE}</style></head>"
        f"<body>{content}</body></html>",
        status_code=status_code,
    )


def _row(message: StoredMessage) -> str:
    sender = message.header_from or message.mail_from
    return (
        f"<tr><td>{escape(message.received_at)}</td><td>{escape(sender)}</td>"
        f"<td>{escape(', '.join(message.rcpt_tos))}</td>"
        f"<td><a href='/messages/{message.id}'>{escape(message.subject or '(no subject)')}</a></td></tr>"
    )


def create_app(store: MessageStore) -> Starlette:
    async def inbox(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        messages = store.search(text=query)
        rows = "".join(_row(m) for m in messages) or "<tr><td colspan='4' class='muted'>No mail.</td></tr>"
        return _page(
            "Inbox",
            "<h1>Mail catcher <span class='muted'>(nothing leaves this machine)</span></h1>"
            f"<form method='get'><input type='search' name='q' value='{escape(query)}' "
            "placeholder='Recipient, sender or subject' aria-label='Search'> <button>Search</button></form>"
            f"<p class='muted'>{len(messages)} message(s)</p>"
            f"<table><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr>{rows}</table>",
        )

    async def message_page(request: Request) -> Response:
        message = store.get(int(request.path_params["id"]))
        if message is None:
            return _page("Not found", "<h1>No such message</h1><p><a href='/'>Inbox</a></p>", 404)
        headers = "".join(
            f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in message.headers
        )
        return _page(
            message.subject or "Message",
            f"<p><a href='/'>← Inbox</a> · <a href='/messages/{message.id}/raw'>raw</a></p>"
            f"<h1>{escape(message.subject or '(no subject)')}</h1>"
            f"<table><tr><th>Envelope to</th><td>{escape(', '.join(message.rcpt_tos))}</td></tr>"
            f"<tr><th>Envelope from</th><td>{escape(message.mail_from)}</td></tr>"
            f"<tr><th>Received</th><td>{escape(message.received_at)}</td></tr>{headers}</table>"
            f"<pre>{escape(message.text)}</pre>",
        )

    async def message_raw(request: Request) -> Response:
        raw = store.raw(int(request.path_params["id"]))
        if raw is None:
            return PlainTextResponse("No such message.", status_code=404)
        return PlainTextResponse(raw.decode(errors="replace"))

    async def api_list(request: Request) -> Response:
        params = request.query_params
        messages = store.search(
            to=params.get("to", "").strip(),
            subject=params.get("subject", "").strip(),
            text=params.get("q", ""),
        )
        return JSONResponse([m.as_json() for m in messages])

    async def api_one(request: Request) -> Response:
        message = store.get(int(request.path_params["id"]))
        if message is None:
            return JSONResponse({"detail": "No such message."}, status_code=404)
        return JSONResponse(message.as_json())

    async def api_clear(request: Request) -> Response:
        return JSONResponse({"deleted": store.clear()})

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/", inbox, methods=["GET"]),
            Route("/messages/{id:int}", message_page, methods=["GET"]),
            Route("/messages/{id:int}/raw", message_raw, methods=["GET"]),
            Route("/api/messages", api_list, methods=["GET"]),
            Route("/api/messages", api_clear, methods=["DELETE"]),
            Route("/api/messages/{id:int}", api_one, methods=["GET"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )

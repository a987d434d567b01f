"""The embedded SMTP catcher: accepts every message on 127.0.0.1 and shows it in a web inbox.

    python -m cspbroker.sandbox.mailcatcher --smtp-port 8025 --http-port 8404 --state-dir var/mail

`store.MessageStore` keeps the messages in SQLite, `web.create_app` is the inbox (HTML and a JSON
API for tests), `server` runs the SMTP server and the inbox on one asyncio loop. Like the rest of
the sandbox it never imports the platform: aiosmtpd, Starlette, uvicorn and the standard library.
"""

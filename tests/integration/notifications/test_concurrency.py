"""Two deliveries of one email at the same moment, on separate database connections: one message."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.db import OperationalError, close_old_connections, connections
from django.utils import timezone

from cspbroker.notifications import delivery, rendering
from cspbroker.notifications.delivery import Outcome
from cspbroker.notifications.models import EmailStatus, OutboundEmail
from cspbroker.sandbox.mailcatcher.server import CatcherHandler


class SlowHandler(CatcherHandler):
    """Holds each message a moment, so the second flush arrives while the first is still sending."""

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_two_flushes_racing_send_one_message(catcher):
    catcher.stop()
    catcher.start(SlowHandler(catcher.store))
    email = OutboundEmail.objects.create(
        template_key="esd_licence",
        idempotency_key="esd:asset:race",
        to=["it@litware.example"],
        subject="Your Microsoft licence",
        body="Product key: KX7RT-9PQWM-3HD2V-Y8CBN-46JFG",
        status=EmailStatus.QUEUED,
        next_attempt_at=timezone.now(),
        message_id=rendering.message_id_for("esd:asset:race"),
    )
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def flush() -> None:
        try:
            start.wait()
            counts = delivery.flush(now=timezone.now())
            outcomes.append({k: v for k, v in counts.items() if v})
        except OperationalError as error:
            # PostgreSQL (and a SQLite file) make the second flush wait for the row lock, then skip the
            # sent email; SQLite's shared-cache in-memory test database refuses it at once instead.
            outcomes.append(f"lost the lock: {error}")
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(catcher.messages()) == 1, outcomes
    assert {Outcome.SENT: 1} in outcomes, outcomes
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)

"""Background delivery of the outbox: never lost when the SMTP server is down, never sent twice.

How:
- `services.queue_email` writes the rendered email as a row in the caller's transaction and
  enqueues `deliver_email` with `transaction.on_commit`: a rolled-back use case sends nothing, and
  a committed one has its email on disk before anyone tries to send it.
- `deliver_email` locks the row (`select_for_update`; on SQLite the IMMEDIATE transaction takes
  the write lock), re-reads its status, sends only a queued and due email, and records the outcome
  (sent, or a failed attempt with the next attempt time) before releasing the lock. A second
  delivery of the same row — a duplicate task, two `flush_outbox` runs racing, a retry from the
  page — waits for the lock, then finds it no longer queued and does nothing.
- When the server is down the row stays `queued` with `attempts`, `last_error` and a
  `next_attempt_at` 1, 2, 4 … minutes later (at most an hour); `flush_outbox`, every minute, picks
  up what is due. After 10 failed attempts the row is `failed` and staff can retry it from the
  outbox page. If the task queue itself lost the enqueued task, `flush_outbox` still finds the row.

The one unavoidable window: the process dies (or the database commit fails) after the SMTP server
answered "250 OK" to the message but before our transaction committed `sent`. The row is still
`queued` then, and the next run sends it again. SMTP has no two-phase commit, so no outbox can close
this window; ours keeps it to the few milliseconds between the server's reply and our commit, and
the resent message carries the same `Message-ID` (derived only from the idempotency key, see
`rendering.message_id_for`), so a receiving server or mail client can recognise and drop the
duplicate.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cspbroker.clock import platform_clock
from cspbroker.notifications import delivery


@db_task()
def deliver_email(email_id: int) -> str:
    """Send one email now, if it is still queued and due."""
    return str(delivery.deliver(email_id, now=platform_clock.now()))


@db_periodic_task(crontab(minute="*"))
def flush_outbox() -> dict[str, int]:
    """Every minute: deliver the due queued emails, oldest first, at most 200 per run."""
    counts = delivery.flush(now=platform_clock.now())
    return {str(outcome): count for outcome, count in counts.items() if count}

"""The outbox over real SMTP: queued in the caller's transaction, delivered once, retried when down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cspbroker.common import crypto
from cspbroker.domain.errors import DomainError
from cspbroker.notifications import delivery, services, tasks
from cspbroker.notifications.delivery import Outcome
from cspbroker.notifications.models import MAX_ATTEMPTS, EmailStatus, EmailTemplate, OutboundEmail
from cspbroker.notifications.outbox import retry_delay

PRODUCT_KEY = "KX7RT-9PQWM-3HD2V-Y8CBN-46JFG"


def queue_licence(key: str = "esd:asset:1", to: tuple[str, ...] = ("it@litware.example",)) -> OutboundEmail:
    return services.queue_email(
        template_key="esd_licence",
        to=list(to),
        context={
            "customer_name": "Litware Architects GmbH",
            "product_name": "Microsoft Office Home & Business 2024",
            "product_key": PRODUCT_KEY,
            "activation_url": "https://esd.example/activate/5f2c9a",
            "order_reference": "ORD-1/1",
        },
        idempotency_key=key,
        organization_id=None,
    )


def raw_body(email_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notifications_outboundemail WHERE id = %s", [email_id])
        return str(cursor.fetchone()[0])


def test_a_queued_email_arrives_over_smtp_with_extra_recipients_subject_body_and_message_id(
    db, catcher, django_capture_on_commit_callbacks
):
    EmailTemplate.objects.filter(key="esd_licence").update(
        extra_recipients="partner@managed.example, IT@Litware.example"
    )

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_licence()

    [message] = catcher.messages()
    assert message.rcpt_tos == ["it@litware.example", "partner@managed.example"]
    assert message.header_to == "it@litware.example, partner@managed.example"
    assert message.subject == "Your Microsoft licence: Microsoft Office Home & Business 2024"
    assert f"Product key: {PRODUCT_KEY}\n" in message.text  # plain text: "&" was not escaped
    assert "Activate and download: https://esd.example/activate/5f2c9a" in message.text
    assert message.message_id == email.message_id
    assert email.message_id.startswith("<") and email.message_id.endswith("@cspbroker.local>")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, "")
    assert email.sent_at is not None and email.next_attempt_at is None
    assert raw_body(email.pk) == ""  # the licence key does not linger once delivered


def test_the_same_idempotency_key_queued_twice_is_stored_and_sent_once(
    db, catcher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_licence(key="esd:asset:7")
        second = queue_licence(key="esd:asset:7", to=("someone-else@litware.example",))

    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(catcher.messages()) == 1


def test_the_message_id_depends_only_on_the_idempotency_key(db):
    one = queue_licence(key="tenant-admin:1")
    other = queue_licence(key="tenant-admin:2")
    OutboundEmail.objects.all().delete()
    again = queue_licence(key="tenant-admin:1")
    assert one.message_id == again.message_id != other.message_id


def test_nothing_is_stored_or_sent_when_the_callers_transaction_rolls_back(
    db, catcher, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_licence()
        raise RuntimeError("the tenant could not be created")

    assert callbacks == []
    assert OutboundEmail.objects.count() == 0
    assert catcher.messages() == []


def test_delivery_waits_for_the_commit(db, catcher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_licence()
        assert catcher.messages() == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert len(catcher.messages()) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT


def test_smtp_down_keeps_the_email_queued_and_encrypted_then_a_flush_delivers_it_once(
    db, smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_licence()

    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error and PRODUCT_KEY not in email.last_error
    assert timedelta(seconds=50) < email.next_attempt_at - timezone.now() <= timedelta(minutes=1)
    stored = raw_body(email.pk)
    assert PRODUCT_KEY not in stored and "Litware" not in stored
    assert PRODUCT_KEY in crypto.decrypt(stored)

    smtp_down.start()
    not_due_yet = delivery.flush(now=timezone.now())
    assert not_due_yet[Outcome.SENT] == 0 and smtp_down.messages() == []

    later = timezone.now() + timedelta(minutes=2)
    assert delivery.flush(now=later)[Outcome.SENT] == 1
    assert delivery.flush(now=later + timedelta(minutes=5))[Outcome.SENT] == 0
    [message] = smtp_down.messages()
    assert PRODUCT_KEY in message.text
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
    assert raw_body(email.pk) == ""


def test_retries_back_off_1_2_4_minutes_doubling_up_to_an_hour():
    delays = [retry_delay(attempts) for attempts in range(1, 10)]
    assert [int(d.total_seconds() // 60) for d in delays] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_after_ten_failed_attempts_the_email_has_failed_and_no_flush_touches_it(db, smtp_down):
    email = queue_licence()
    now = timezone.now()
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(delivery.deliver(email.pk, now=now))
        email.refresh_from_db()
        now = email.next_attempt_at or now

    assert outcomes == [Outcome.SERVER_UNREACHABLE] * (MAX_ATTEMPTS - 1) + [Outcome.FAILED]
    assert (email.status, email.attempts, email.next_attempt_at) == (EmailStatus.FAILED, MAX_ATTEMPTS, None)
    smtp_down.start()
    assert delivery.flush(now=now + timedelta(days=1))[Outcome.SENT] == 0
    assert smtp_down.messages() == []


def test_delivering_the_same_email_twice_sends_one_message(db, catcher):
    email = queue_licence()  # no commit callbacks run: only the calls below deliver

    assert delivery.deliver(email.pk, now=timezone.now()) is Outcome.SENT
    assert delivery.deliver(email.pk, now=timezone.now()) is Outcome.SKIPPED
    assert tasks.deliver_email(email.pk)() == "skipped"
    assert len(catcher.messages()) == 1


def test_the_periodic_flush_task_delivers_what_is_due(db, catcher):
    queue_licence(key="a")
    queue_licence(key="b")

    tasks.flush_outbox()  # huey runs it at once in immediate mode

    assert len(catcher.messages()) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_a_flush_stops_at_the_first_unreachable_server_and_leaves_the_rest_due(db, smtp_down):
    emails = [queue_licence(key=f"k{i}") for i in range(3)]

    counts = delivery.flush(now=timezone.now())

    assert counts[Outcome.SERVER_UNREACHABLE] == 1
    attempts = [OutboundEmail.objects.get(pk=e.pk).attempts for e in emails]
    assert attempts == [1, 0, 0]


def test_a_switched_off_template_records_the_email_but_sends_nothing(
    db, catcher, django_capture_on_commit_callbacks
):
    EmailTemplate.objects.filter(key="esd_licence").update(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_licence()

    assert email.status == EmailStatus.SUPPRESSED and raw_body(email.pk) == ""
    assert catcher.messages() == []


def test_an_unknown_template_is_refused(db):
    with pytest.raises(DomainError) as error:
        services.queue_email(
            template_key="no_such_template",
            to=["a@b.example"],
            context={},
            idempotency_key="x",
            organization_id=None,
        )
    assert error.value.code == "unknown_template"
    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    "to", [[], ["not-an-address"], ["ok@example.com", ""], ["a@b.example\nBcc: x@y.example"]]
)
def test_an_empty_or_invalid_recipient_is_refused(db, to):
    with pytest.raises(DomainError) as error:
        queue_licence(to=tuple(to))
    assert error.value.code == "invalid_recipient"
    assert OutboundEmail.objects.count() == 0


def test_a_missing_default_template_is_restored_from_the_catalog(
    db, catcher, django_capture_on_commit_callbacks
):
    EmailTemplate.objects.filter(key="esd_licence").delete()

    with django_capture_on_commit_callbacks(execute=True):
        queue_licence()

    assert EmailTemplate.objects.filter(key="esd_licence").exists()
    assert len(catcher.messages()) == 1


class EchoingRejectHandler:
    """An SMTP server that rejects the message and quotes a line of it back in its reply."""

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        line = next(li for li in envelope.content.decode().splitlines() if li.startswith("Product key"))
        return f"554 Rejected, looks like spam: {line}"


def test_a_rejected_message_is_retried_and_the_error_never_quotes_the_body(db, catcher):
    catcher.stop()
    catcher.start(EchoingRejectHandler())  # type: ignore[arg-type]
    email = queue_licence()

    outcome = delivery.deliver(email.pk, now=timezone.now())

    email.refresh_from_db()
    assert outcome is Outcome.RETRY_LATER
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 1)
    assert email.last_error.startswith("SMTPDataError: 554 Rejected, looks like spam:")
    assert PRODUCT_KEY not in email.last_error

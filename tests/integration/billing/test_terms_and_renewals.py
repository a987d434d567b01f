"""Price lock per term, renewals (recorded by the job, or reported by the provider: the same entry),
expiry, trial conversion, and the ledger's refusals of bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cspbroker.billing.models import ChargeLine
from cspbroker.catalog.models import PriceList, PriceListEntry
from cspbroker.domain import commerce
from cspbroker.domain.clock import FrozenClock
from cspbroker.domain.ledger import ChangeInTheFuture, ChangeTooOld, PriceOutOfBounds, QuantityOutOfBounds
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import LedgerEntry, Subscription
from cspbroker.subscriptions.renewals import renew_due
from cspbroker.subscriptions.terms import terms_of

from .conftest import TEST

pytestmark = pytest.mark.django_db


def charges(sub):
    return [
        (line.charge_type, line.quantity, line.unit_price, line.cost_unit_price, line.period_start)
        for line in ChargeLine.objects.filter(subscription=sub).order_by("effective_on", "id")
    ]


def list_price(bw, offer, price, effective_from):
    price_list = PriceList.objects.get(owner=bw.org("tailspin"), currency="EUR")
    PriceListEntry.objects.create(
        price_list=price_list,
        offer=bw.offers[offer],
        sale_price=Decimal(price),
        effective_from=effective_from,
    )


def test_a_price_list_change_applies_from_the_next_renewal_not_within_the_term(bw):
    list_price(bw, "annual_monthly", "12.50", date(2020, 1, 1))
    sub = bw.subscription("adventureworks", "annual_monthly", start=date(2025, 11, 1), quantity=2, price=None)
    list_price(bw, "annual_monthly", "15.00", date(2026, 9, 1))  # Microsoft's new price, mid-term

    for cycle in ("2026-10", "2026-11", "2026-12"):
        bw.run(cycle)

    assert charges(sub) == [
        # The term locked 12.50 (and our cost 8.00) on 1 Nov 2025; the new list price waits for the renewal.
        ("cycleCharge", 2, Decimal("12.500000"), Decimal("8.000000"), date(2026, 10, 1)),
        ("renew", 2, Decimal("15.000000"), Decimal("8.000000"), date(2026, 11, 1)),
        ("cycleCharge", 2, Decimal("15.000000"), Decimal("8.000000"), date(2026, 12, 1)),
    ]
    renewal = LedgerEntry.objects.get(subscription=sub, kind="renewal")
    assert (renewal.term_start, renewal.term_end, renewal.unit_price) == (
        date(2026, 11, 1),
        date(2027, 10, 31),
        Decimal("15.000000"),
    )


def test_a_historic_sales_price_set_by_staff_still_wins_from_its_date(bw):
    sub = bw.subscription(
        "adventureworks", "annual_monthly", start=date(2026, 8, 1), quantity=1, price="10.00"
    )
    bw.sale_price(sub, date(2026, 10, 1), "9.00")

    bw.run("2026-10")

    assert [row[2] for row in charges(sub)] == [Decimal("9.000000")]  # the cycle charge of 1 Oct


def test_a_renewal_moves_the_end_date_and_opens_a_fresh_cancellation_window(bw):
    sub = bw.subscription("adventureworks", "monthly", start=date(2026, 10, 1), quantity=3, price="10.00")
    sub.commitment_end_date = date(2026, 10, 31)
    sub.save(update_fields=["commitment_end_date"])
    at = datetime(2026, 11, 1, 9, tzinfo=UTC)

    assert renew_due(clock=FrozenClock(at)) == 1

    sub.refresh_from_db()
    assert (sub.commitment_end_date, sub.term_start) == (date(2026, 11, 30), date(2026, 11, 1))
    # The new term starts at midnight UTC of 1 Nov (billing days are UTC, as Microsoft's): 7 days from then.
    assert sub.cancellation_allowed_until == datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=7)
    commerce.check_cancel(terms_of(sub), at + timedelta(days=2))  # allowed again in the new window
    # The provider reporting the same renewal meets the same entry; the job adds nothing more today.
    again = ledger.record_renewal(
        sub,
        term_start=date(2026, 11, 1),
        term_end=date(2026, 11, 30),
        term="P1M",
        billing_cycle="monthly",
        quantity=None,
        price=None,
        origin=ledger.PROVIDER,
        clock=FrozenClock(at),
    )
    assert again == LedgerEntry.objects.get(subscription=sub, kind="renewal")
    assert renew_due(clock=FrozenClock(at)) == 0


def test_a_term_without_auto_renew_expires_and_is_not_charged_again(bw):
    sub = bw.subscription("adventureworks", "monthly", start=date(2026, 9, 1), quantity=2, price="10.00")
    Subscription.objects.filter(pk=sub.pk).update(auto_renew=False, commitment_end_date=date(2026, 9, 30))

    for cycle in ("2026-09", "2026-10", "2026-11"):
        bw.run(cycle)

    sub.refresh_from_db()
    assert sub.status == "expired"
    assert [row[0] for row in charges(sub)] == ["new"]  # September's purchase only (its bill: 2026-09)
    assert LedgerEntry.objects.filter(subscription=sub, kind="status", status="expired").count() == 1


def test_a_converted_trial_is_billed_from_its_conversion_not_its_start(bw):
    sub = bw.subscription(
        "adventureworks", start=date(2026, 9, 20), quantity=25, price="10.00", is_trial=True
    )
    at = datetime(2026, 10, 5, 12, tzinfo=UTC)
    ledger.record_renewal(
        sub,
        term_start=date(2026, 10, 5),
        term_end=date(2026, 11, 4),
        term="P1M",
        billing_cycle="monthly",
        quantity=None,
        price=ledger.LockedPrice(Decimal("10.00"), Decimal("8.00"), "EUR", "conversion"),
        origin=ledger.PROVIDER,
        clock=FrozenClock(at),
        kind="conversion",
    )

    bw.run("2026-10")

    assert charges(sub) == [("convert", 25, Decimal("10.000000"), Decimal("8.000000"), date(2026, 10, 5))]


@pytest.mark.parametrize(
    ("write", "error"),
    [
        # Before the oldest billing cycle still open to corrections (3 cycles before today's).
        (
            lambda sub, now: ledger.record_quantity(
                sub, quantity=4, effective_at=now - timedelta(days=200), origin=TEST, clock=FrozenClock(now)
            ),
            ChangeTooOld,
        ),
        (
            lambda sub, now: ledger.record_quantity(
                sub, quantity=4, effective_at=now + timedelta(days=1), origin=TEST, clock=FrozenClock(now)
            ),
            ChangeInTheFuture,
        ),
        (
            lambda sub, now: ledger.record_quantity(
                sub, quantity=-1, effective_at=now, origin=TEST, clock=FrozenClock(now)
            ),
            QuantityOutOfBounds,
        ),
        (
            lambda sub, now: ledger.record_price(
                sub,
                unit_price=Decimal(10) ** 20,
                currency="EUR",
                effective_from=now.date(),
                origin=TEST,
                clock=FrozenClock(now),
            ),
            PriceOutOfBounds,
        ),
    ],
)
def test_bad_ledger_writes_are_refused_with_a_clear_error_and_write_nothing(bw, write, error):
    sub = bw.subscription("adventureworks", start=date(2025, 1, 1), quantity=3, price="10.00")
    before = LedgerEntry.objects.count()

    with pytest.raises(error) as raised:
        write(sub, datetime(2026, 10, 20, 12, tzinfo=UTC))

    assert raised.value.message and raised.value.field
    assert LedgerEntry.objects.count() == before

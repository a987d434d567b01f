"""The run's bulk line writer: what it stores is what was computed, and a stored key is skipped
(PostgreSQL: COPY straight in, or through a staging table when a key is already there)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cspbroker.billing.jobs.storage import LineRow, adapt_rows, insert_lines
from cspbroker.billing.models import ChargeLine

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 16, 6, 0, tzinfo=UTC)


def _row(subscription_id: int, customer_id: int, sequence: int, amount: str, text: str = "") -> LineRow:
    return (
        subscription_id,
        customer_id,
        "Microsoft 365 Business Standard",
        "cycleCharge",
        sequence,
        date(2026, 9, 16),
        date(2026, 10, 15),
        date(2026, 9, 16),
        date(2026, 10, 15),
        date(2026, 9, 16),
        3,
        Decimal("12.50"),
        Decimal(amount),
        "EUR",
        "reseller_list",
        "1",
        "Tailspin EUR",
        Decimal("8.00"),
        Decimal("24.00"),
        f"3 × 12.50 EUR{text}",
        AT,
        0,
        "charge",
        None,
        None,
    )


def test_lines_are_stored_as_computed_and_a_stored_key_is_skipped(bw) -> None:
    subscription = bw.subscription("adventureworks", start=date(2026, 9, 16), quantity=3)
    customer = subscription.tenant.customer_id
    first = [_row(subscription.pk, customer, n, "37.50", "\ttab\\slash\nline") for n in range(3)]

    assert insert_lines(adapt_rows(first)) == 3
    assert insert_lines(adapt_rows(first)) == 0  # every key stored: nothing inserted, no error
    # Two stored keys, one new, and the new one twice: one line more.
    again = [
        *first[:2],
        _row(subscription.pk, customer, 7, "0.01"),
        _row(subscription.pk, customer, 7, "9.99"),
    ]
    assert insert_lines(adapt_rows(again)) == 1

    stored = ChargeLine.objects.filter(subscription=subscription).order_by("sequence")
    assert [line.sequence for line in stored] == [0, 1, 2, 7]
    line = stored[0]
    assert line.explanation == "3 × 12.50 EUR\ttab\\slash\nline"
    assert (line.amount, line.unit_price, line.cost_amount) == (
        Decimal("37.50"),
        Decimal("12.50"),
        Decimal("24"),
    )
    assert line.created_at == AT and line.period_end == date(2026, 10, 15) and line.reverses_id is None
    assert stored[3].amount == Decimal("0.01")  # the first of a repeated key wins

"""Tolerant value readers: Decimal money, aware datetimes, enums with UNKNOWN."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.providers.parsing import decode_json, opt_date, opt_datetime, opt_decimal, opt_int
from cspbroker.providers.partnercenter.models import BillingCycle


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_survive_a_round_trip_through_json_text(amount: Decimal) -> None:
    decoded = decode_json(f'{{"amount": {amount}}}'.encode())["amount"]

    assert opt_decimal(decoded) == amount
    assert isinstance(opt_decimal(decoded), Decimal)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6))
def test_decimal_strings_are_exact(amount: Decimal) -> None:
    assert opt_decimal(str(amount)) == amount


def test_floats_are_refused_by_money_readers() -> None:
    with pytest.raises(TypeError):
        opt_decimal(1.5)


@pytest.mark.parametrize("value", [None, "", "  ", "N/A", True, "NaN", "Infinity", {}])
def test_non_amounts_read_as_none(value: object) -> None:
    assert opt_decimal(value) is None


def test_integers_from_strings_and_decimals() -> None:
    assert (opt_int("50"), opt_int(Decimal("3")), opt_int("2.5"), opt_int(None)) == (50, 3, None, None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T08:00:00Z", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        ("2024-05-01T08:00:00", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        ("2019-03-19T22:47:57.9411316Z", datetime(2019, 3, 19, 22, 47, 57, 941131, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
    ],
)
def test_timestamps_are_aware(raw: str | None, expected: datetime | None) -> None:
    parsed = opt_datetime(raw)

    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


def test_dates_take_the_calendar_date_as_written() -> None:
    assert opt_date("2024-09-13T00:00:00Z") == date(2024, 9, 13)
    assert opt_date("2024-09-13") == date(2024, 9, 13)
    assert opt_date("13/09/2024") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one_time", BillingCycle.ONE_TIME),
        ("OneTime", BillingCycle.ONE_TIME),
        ("onetime", BillingCycle.ONE_TIME),
        ("Annual", BillingCycle.ANNUAL),
        ("Triennial", BillingCycle.TRIENNIAL),
        ("biennial", BillingCycle.UNKNOWN),
    ],
)
def test_billing_cycles_match_any_spelling(raw: str, expected: BillingCycle) -> None:
    assert BillingCycle.parse(raw) is expected


def test_a_byte_order_mark_and_an_empty_body_are_handled() -> None:
    assert decode_json(b"\xef\xbb\xbf{}") == {}
    assert decode_json(b"") is None

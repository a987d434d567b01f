"""The correctness catalogue: scenarios whose lines and totals were worked out by hand.

Every expected amount below is computed in the comment next to it, never by the code under test.
Ranges in rows are inclusive ("2026-10-14..2026-10-31" is 18 days); the rounding is half up at
the currency's minor unit.
"""

from __future__ import annotations

from datetime import date

import pytest

from cspbroker.domain.billing import bill_for_cycle, compute_charges
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Frequency, billing_cycle

from .builders import history, rows, total

D = date
TEN_EUR = [(D(2020, 1, 1), "10.00")]


# --- anchors on days 29, 30 and 31 across February --------------------------------------------


@pytest.mark.parametrize(
    ("start", "first_period", "added", "later_periods"),
    [
        # Jan 29 → Feb 27 (common year) is 3 + 27 = 30 days, but Microsoft spreads a period over the
        # days of the month it starts in, January's 31; 15..27 Feb = 13 days; 10 × 13/31 = 4.194
        (
            D(2027, 1, 29),
            "2027-01-29..2027-02-27",
            "4.19 EUR",
            ["2027-02-28..2027-03-28", "2027-03-29..2027-04-28"],
        ),
        # Jan 29 → Feb 28 (leap year): 3 + 28 = 31 days, as January; 15..28 Feb = 14 days; 10 × 14/31 = 4.516
        (
            D(2028, 1, 29),
            "2028-01-29..2028-02-28",
            "4.52 EUR",
            ["2028-02-29..2028-03-28", "2028-03-29..2028-04-28"],
        ),
        # Jan 30 → Feb 27: 2 + 27 = 29 days, over January's 31; 13 days; 10 × 13/31 = 4.194
        (
            D(2027, 1, 30),
            "2027-01-30..2027-02-27",
            "4.19 EUR",
            ["2027-02-28..2027-03-29", "2027-03-30..2027-04-29"],
        ),
        # Jan 30 → Feb 28 (leap year): 2 + 28 = 30 days, over January's 31; 14 days; 10 × 14/31 = 4.516
        (
            D(2028, 1, 30),
            "2028-01-30..2028-02-28",
            "4.52 EUR",
            ["2028-02-29..2028-03-29", "2028-03-30..2028-04-29"],
        ),
        # Jan 31 → Feb 27: 1 + 27 = 28 days, over January's 31; 13 days; 10 × 13/31 = 4.194
        (
            D(2027, 1, 31),
            "2027-01-31..2027-02-27",
            "4.19 EUR",
            ["2027-02-28..2027-03-30", "2027-03-31..2027-04-29"],
        ),
        # Jan 31 → Feb 28 (leap year): 1 + 28 = 29 days, over January's 31; 14 days; 10 × 14/31 = 4.516
        (
            D(2028, 1, 31),
            "2028-01-31..2028-02-28",
            "4.52 EUR",
            ["2028-02-29..2028-03-30", "2028-03-31..2028-04-29"],
        ),
    ],
)
def test_month_end_anchors_keep_their_day_across_february(
    start: date, first_period: str, added: str, later_periods: list[str]
) -> None:
    subscription = history(start, [(start, 2), (D(start.year, 2, 15), 3)], TEN_EUR)

    lines = compute_charges(subscription, through=D(start.year, 4, 28))

    assert [(r[0], r[1], r[2], r[4]) for r in rows(lines)] == [
        ("new", 2, "20.00 EUR", first_period),
        ("addQuantity", 1, added, first_period),
        ("cycleCharge", 3, "30.00 EUR", later_periods[0]),
        ("cycleCharge", 3, "30.00 EUR", later_periods[1]),
    ]


def test_an_annual_subscription_started_on_29_february_renews_on_28_february_then_29_again() -> None:
    start = D(2028, 2, 29)
    subscription = history(start, [(start, 1)], [(start, "120.00")], frequency=Frequency.ANNUAL)

    lines = compute_charges(subscription, through=D(2032, 3, 1))

    assert [(r[0], r[4]) for r in rows(lines)] == [
        ("new", "2028-02-29..2029-02-27"),
        ("renew", "2029-02-28..2030-02-27"),
        ("renew", "2030-02-28..2031-02-27"),
        ("renew", "2031-02-28..2032-02-28"),
        ("renew", "2032-02-29..2033-02-27"),
    ]


# --- quantity changes ---------------------------------------------------------------------------


def test_an_increase_on_the_last_day_of_a_period_is_charged_for_that_one_day() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 3), (D(2026, 10, 31), 5)], [(D(2026, 1, 1), "12.50")]
    )

    lines = compute_charges(subscription, through=D(2026, 11, 1))

    assert rows(lines) == [
        ("new", 3, "37.50 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        # 2 × 12.50 × 1/31 = 0.806
        ("addQuantity", 2, "0.81 EUR", "2026-10-31..2026-10-31", "2026-10-01..2026-10-31"),
        ("cycleCharge", 5, "62.50 EUR", "2026-11-01..2026-11-30", "2026-11-01..2026-11-30"),
    ]


def test_a_decrease_inside_its_window_is_refunded_from_its_own_day() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 10), (D(2026, 10, 5), 7, True)], [(D(2026, 1, 1), "12.50")]
    )

    lines = compute_charges(subscription, through=D(2026, 11, 1))

    assert rows(lines) == [
        ("new", 10, "125.00 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        # Microsoft refunds from the day of the decrease: 5..31 Oct = 27 days: 3 × 12.50 × 27/31 = 32.661
        ("removeQuantity", -3, "-32.66 EUR", "2026-10-05..2026-10-31", "2026-10-01..2026-10-31"),
        ("cycleCharge", 7, "87.50 EUR", "2026-11-01..2026-11-30", "2026-11-01..2026-11-30"),
    ]


def test_a_decrease_after_its_window_takes_effect_at_the_next_period_without_credit() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 10), (D(2026, 10, 20), 7, False)], [(D(2026, 1, 1), "12.50")]
    )

    lines = compute_charges(subscription, through=D(2026, 11, 1))

    assert rows(lines) == [
        ("new", 10, "125.00 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        ("cycleCharge", 7, "87.50 EUR", "2026-11-01..2026-11-30", "2026-11-01..2026-11-30"),
    ]


def test_seats_given_up_without_refund_are_reused_before_new_ones_are_charged() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 10), (D(2026, 10, 10), 6), (D(2026, 10, 20), 8), (D(2026, 10, 25), 12)],
        TEN_EUR,
    )

    lines = compute_charges(subscription, through=D(2026, 11, 1))

    # 4 seats stay paid until 31 Oct: the first 2 back are free, then 2 reused + 2 new on 25 Oct.
    assert rows(lines) == [
        ("new", 10, "100.00 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        # 25..31 Oct = 7 days: 2 × 10 × 7/31 = 4.516
        ("addQuantity", 2, "4.52 EUR", "2026-10-25..2026-10-31", "2026-10-01..2026-10-31"),
        ("cycleCharge", 12, "120.00 EUR", "2026-11-01..2026-11-30", "2026-11-01..2026-11-30"),
    ]


def test_a_decrease_refunds_the_newest_seats_first_at_the_price_they_were_charged() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 5), (D(2026, 10, 20), 7), (D(2026, 10, 25), 4, True)],
        [(D(2026, 1, 1), "10.00", "contract"), (D(2026, 10, 15), "12.00", "price list 2027")],
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    assert rows(lines) == [
        ("new", 5, "50.00 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        # 20..31 Oct = 12 days: 2 × 12 × 12/31 = 9.290
        ("addQuantity", 2, "9.29 EUR", "2026-10-20..2026-10-31", "2026-10-01..2026-10-31"),
        # 25..31 Oct = 7 days; the 2 seats of 20 Oct at 12: 2 × 12 × 7/31 = 5.419
        ("removeQuantity", -2, "-5.42 EUR", "2026-10-25..2026-10-31", "2026-10-01..2026-10-31"),
        # then 1 seat of the period's own lot at 10: 10 × 7/31 = 2.258
        ("removeQuantity", -1, "-2.26 EUR", "2026-10-25..2026-10-31", "2026-10-01..2026-10-31"),
    ]
    assert [line.sequence for line in lines] == [0, 0, 0, 1]
    assert [line.price_source for line in lines] == [
        "contract",
        "price list 2027",
        "price list 2027",
        "contract",
    ]


def test_a_change_on_a_periods_first_day_is_part_of_that_periods_charge() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 5), (D(2026, 11, 1), 8)], TEN_EUR)

    lines = compute_charges(subscription, through=D(2026, 11, 30))

    assert [(r[0], r[1], r[2]) for r in rows(lines)] == [
        ("new", 5, "50.00 EUR"),
        ("cycleCharge", 8, "80.00 EUR"),
    ]


# --- two changes on one day ---------------------------------------------------------------------


def test_two_increases_on_one_day_are_two_lines_in_ledger_order() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 5), (D(2026, 10, 11), 7), (D(2026, 10, 11), 10)], TEN_EUR
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # 11..31 Oct = 21 days: 2 × 10 × 21/31 = 13.548 and 3 × 10 × 21/31 = 20.323
    assert [(r[0], r[1], r[2]) for r in rows(lines)] == [
        ("new", 5, "50.00 EUR"),
        ("addQuantity", 2, "13.55 EUR"),
        ("addQuantity", 3, "20.32 EUR"),
    ]
    assert [line.sequence for line in lines[1:]] == [0, 1]


def test_an_increase_and_its_reversal_on_one_day_net_to_zero() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 5), (D(2026, 10, 11), 8), (D(2026, 10, 11), 5, True)], TEN_EUR
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # The seats added on 11 Oct go back over the very days they were charged: 3 × 10 × 21/31 = 20.323
    assert rows(lines)[1:] == [
        ("addQuantity", 3, "20.32 EUR", "2026-10-11..2026-10-31", "2026-10-01..2026-10-31"),
        ("removeQuantity", -3, "-20.32 EUR", "2026-10-11..2026-10-31", "2026-10-01..2026-10-31"),
    ]
    assert total(lines) == Money.of("50.00", "EUR")


def test_a_decrease_and_its_reversal_on_one_day_net_to_zero() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 5), (D(2026, 10, 11), 3, True), (D(2026, 10, 11), 5)], TEN_EUR
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # 11..31 Oct = 21 days: 2 × 10 × 21/31 = 13.548, refunded then charged back
    assert rows(lines)[1:] == [
        ("removeQuantity", -2, "-13.55 EUR", "2026-10-11..2026-10-31", "2026-10-01..2026-10-31"),
        ("addQuantity", 2, "13.55 EUR", "2026-10-11..2026-10-31", "2026-10-01..2026-10-31"),
    ]
    assert total(lines) == Money.of("50.00", "EUR")


# --- cancellations, suspension, expiry ----------------------------------------------------------


def test_a_cancellation_on_day_three_refunds_the_period_from_that_day() -> None:
    subscription = history(
        D(2026, 11, 1),
        [(D(2026, 11, 1), 5)],
        [(D(2026, 1, 1), "20.00")],
        statuses=[(D(2026, 11, 3), "cancelled", True)],
    )

    lines = compute_charges(subscription, through=D(2027, 1, 31))

    assert rows(lines) == [
        ("new", 5, "100.00 EUR", "2026-11-01..2026-11-30", "2026-11-01..2026-11-30"),
        # As in Microsoft's example (bought 15 Jul, cancelled 17 Jul, "29 unused days" to 14 Aug): 1 and
        # 2 Nov used, 3..30 Nov = 28 of 30 days refunded: 5 × 20 × 28/30 = 93.333
        ("cancelImmediate", -5, "-93.33 EUR", "2026-11-03..2026-11-30", "2026-11-01..2026-11-30"),
    ]
    assert total(lines) == Money.of("6.67", "EUR")


def test_a_cancellation_outside_its_window_stops_charges_at_the_next_period_without_refund() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 6)], TEN_EUR, statuses=[(D(2026, 10, 11), "cancelled", False)]
    )

    assert rows(compute_charges(subscription, through=D(2027, 1, 31))) == [
        ("new", 6, "60.00 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
    ]


def test_a_billing_only_cancellation_credits_the_rest_of_the_period_from_its_own_day() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 6)],
        TEN_EUR,
        statuses=[(D(2026, 10, 11), "billing_cancelled", False)],
    )

    lines = compute_charges(subscription, through=D(2027, 1, 31))

    assert rows(lines) == [
        ("new", 6, "60.00 EUR", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        # 11..31 Oct = 21 days: 6 × 10 × 21/31 = 40.645, our credit to the customer
        ("customerCredit", -6, "-40.65 EUR", "2026-10-11..2026-10-31", "2026-10-01..2026-10-31"),
    ]


def test_a_subscription_suspended_all_month_is_still_billed() -> None:
    subscription = history(
        D(2026, 9, 1),
        [(D(2026, 9, 1), 4)],
        TEN_EUR,
        statuses=[(D(2026, 9, 20), "suspended"), (D(2026, 11, 5), "active")],
    )

    lines = compute_charges(subscription, through=D(2026, 11, 30))

    assert [(r[0], r[2], r[4]) for r in rows(lines)] == [
        ("new", "40.00 EUR", "2026-09-01..2026-09-30"),
        ("cycleCharge", "40.00 EUR", "2026-10-01..2026-10-31"),
        ("cycleCharge", "40.00 EUR", "2026-11-01..2026-11-30"),
    ]


def test_a_monthly_term_renews_every_month_until_it_expires() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 2)], TEN_EUR, term_months=1, statuses=[(D(2026, 12, 1), "expired")]
    )

    lines = compute_charges(subscription, through=D(2027, 2, 1))

    assert [(r[0], r[4]) for r in rows(lines)] == [
        ("new", "2026-10-01..2026-10-31"),
        ("renew", "2026-11-01..2026-11-30"),
    ]


# --- terms and billing frequencies --------------------------------------------------------------


def test_an_annual_term_billed_monthly_has_a_cycle_charge_every_month_and_renews_after_twelve() -> None:
    subscription = history(D(2026, 3, 15), [(D(2026, 3, 15), 4)], [(D(2026, 1, 1), "8.40")])

    lines = compute_charges(subscription, through=D(2027, 4, 14))

    # 4 × 8.40 = 33.60 every month: new, 11 cycle charges (Apr 2026..Feb 2027), renew on 15 Mar 2027
    assert [(r[0], r[2]) for r in rows(lines)] == [
        ("new", "33.60 EUR"),
        *[("cycleCharge", "33.60 EUR")] * 11,
        ("renew", "33.60 EUR"),
    ]
    assert rows(lines)[-1][4] == "2027-03-15..2027-04-14"
    assert total(lines) == Money.of("436.80", "EUR")  # 13 × 33.60


def test_an_annual_term_billed_annually_prorates_an_increase_over_the_year() -> None:
    subscription = history(
        D(2026, 3, 15),
        [(D(2026, 3, 15), 4), (D(2026, 9, 1), 5)],
        [(D(2026, 1, 1), "100.80")],
        frequency=Frequency.ANNUAL,
    )

    lines = compute_charges(subscription, through=D(2027, 3, 15))

    assert rows(lines) == [
        ("new", 4, "403.20 EUR", "2026-03-15..2027-03-14", "2026-03-15..2027-03-14"),
        # 365 days in the year; 1 Sep 2026..14 Mar 2027 = 30+31+30+31+31+28+14 = 195 days:
        # 100.80 × 195/365 = 53.852
        ("addQuantity", 1, "53.85 EUR", "2026-09-01..2027-03-14", "2026-03-15..2027-03-14"),
        ("renew", 5, "504.00 EUR", "2027-03-15..2028-03-14", "2027-03-15..2028-03-14"),
    ]


def test_a_triennial_term_billed_triennially() -> None:
    subscription = history(
        D(2026, 1, 10),
        [(D(2026, 1, 10), 2), (D(2027, 1, 10), 3)],
        [(D(2026, 1, 1), "900.00")],
        frequency=Frequency.TRIENNIAL,
        term_months=36,
    )

    lines = compute_charges(subscription, through=D(2029, 1, 10))

    assert rows(lines) == [
        ("new", 2, "1800.00 EUR", "2026-01-10..2029-01-09", "2026-01-10..2029-01-09"),
        # 365 + 365 + 366 = 1096 days; 10 Jan 2027..9 Jan 2029 = 365 + 366 = 731: 900 × 731/1096 = 600.274
        ("addQuantity", 1, "600.27 EUR", "2027-01-10..2029-01-09", "2026-01-10..2029-01-09"),
        ("renew", 3, "2700.00 EUR", "2029-01-10..2032-01-09", "2029-01-10..2032-01-09"),
    ]


def test_a_triennial_term_billed_annually_renews_after_three_years() -> None:
    subscription = history(
        D(2026, 1, 10),
        [(D(2026, 1, 10), 2)],
        [(D(2026, 1, 1), "300.00")],
        frequency=Frequency.ANNUAL,
        term_months=36,
    )

    lines = compute_charges(subscription, through=D(2029, 1, 10))

    assert [(r[0], r[2], r[4]) for r in rows(lines)] == [
        ("new", "600.00 EUR", "2026-01-10..2027-01-09"),
        ("cycleCharge", "600.00 EUR", "2027-01-10..2028-01-09"),
        ("cycleCharge", "600.00 EUR", "2028-01-10..2029-01-09"),
        ("renew", "600.00 EUR", "2029-01-10..2030-01-09"),
    ]


# --- trials -------------------------------------------------------------------------------------


def test_a_trial_is_free_and_its_conversion_starts_a_paid_term_on_the_conversion_day() -> None:
    subscription = history(
        D(2026, 9, 1),
        [(D(2026, 9, 1), 25), (D(2026, 10, 16), 10)],
        [(D(2026, 1, 1), "12.00")],
        trial_converted_on=D(2026, 10, 16),
    )

    lines = compute_charges(subscription, through=D(2026, 12, 31))

    assert rows(lines) == [
        # Microsoft's charge type for the first paid period of a converted trial is `convert`.
        ("convert", 10, "120.00 EUR", "2026-10-16..2026-11-15", "2026-10-16..2026-11-15"),
        ("cycleCharge", 10, "120.00 EUR", "2026-11-16..2026-12-15", "2026-11-16..2026-12-15"),
        ("cycleCharge", 10, "120.00 EUR", "2026-12-16..2027-01-15", "2026-12-16..2027-01-15"),
    ]


def test_a_trial_never_converted_is_never_charged() -> None:
    subscription = history(
        D(2026, 9, 1), [(D(2026, 9, 1), 25)], TEN_EUR, is_trial=True, statuses=[(D(2026, 10, 1), "expired")]
    )

    assert compute_charges(subscription, through=D(2027, 1, 1)) == []


# --- sale prices --------------------------------------------------------------------------------


def test_a_price_change_mid_period_applies_to_adds_from_its_day_and_to_the_next_period() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 5), (D(2026, 10, 10), 6), (D(2026, 10, 20), 8)],
        [(D(2026, 1, 1), "10.00", "contract 2026"), (D(2026, 10, 15), "12.00", "price list 2027")],
    )

    lines = compute_charges(subscription, through=D(2026, 11, 1))

    assert [(r[0], r[1], r[2]) for r in rows(lines)] == [
        ("new", 5, "50.00 EUR"),
        ("addQuantity", 1, "7.10 EUR"),  # 10..31 Oct = 22 days: 10 × 22/31 = 7.097
        ("addQuantity", 2, "9.29 EUR"),  # 20..31 Oct = 12 days: 2 × 12 × 12/31 = 9.290
        ("cycleCharge", 8, "96.00 EUR"),  # 8 × 12
    ]
    assert [line.price_source for line in lines] == [
        "contract 2026",
        "contract 2026",
        "price list 2027",
        "price list 2027",
    ]


# --- currencies with 0, 2 and 3 decimals --------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "unit_price", "added"),
    [
        ("JPY", "1234", "2098 JPY"),  # 3 × 1234 × 17/30 = 2097.8
        ("EUR", "12.50", "21.25 EUR"),  # 3 × 12.50 × 17/30 = 21.25
        ("USD", "9.99", "16.98 USD"),  # 3 × 9.99 × 17/30 = 16.983
        ("KWD", "4.125", "7.013 KWD"),  # 3 × 4.125 × 17/30 = 7.0125, half up
    ],
)
def test_prorations_round_once_to_the_currencys_minor_unit(
    currency: str, unit_price: str, added: str
) -> None:
    subscription = history(
        D(2026, 11, 1),
        [(D(2026, 11, 1), 1), (D(2026, 11, 14), 4)],
        [(D(2026, 1, 1), unit_price)],
        currency=currency,
    )

    lines = compute_charges(subscription, through=D(2026, 11, 30))

    assert lines[1].explanation.startswith(f"3 × {Money.of(unit_price, currency)} × 17/30 days (added 14 Nov")
    assert str(lines[1].amount) == added


def test_half_a_yen_rounds_up() -> None:
    subscription = history(
        D(2026, 11, 1), [(D(2026, 11, 1), 1), (D(2026, 11, 30), 2)], [(D(2026, 1, 1), "15")], currency="JPY"
    )

    assert str(compute_charges(subscription, through=D(2026, 11, 30))[1].amount) == "1 JPY"  # 15 × 1/30 = 0.5


# --- the refund cap -----------------------------------------------------------------------------


def test_refunds_never_exceed_what_the_seats_were_charged_even_when_each_rounds_up() -> None:
    subscription = history(
        D(2026, 11, 1),
        [
            (D(2026, 11, 1), 0),
            (D(2026, 11, 10), 3),
            (D(2026, 11, 10), 2),
            (D(2026, 11, 10), 1),
            (D(2026, 11, 10), 0),
        ],
        [(D(2026, 1, 1), "0.01")],
    )

    lines = compute_charges(subscription, through=D(2026, 11, 30))

    # 10..30 Nov = 21 of 30 days: 3 × 0.01 × 21/30 = 0.021 → 0.02, yet 1 seat alone is 0.007 → 0.01.
    assert [(r[0], r[1], r[2]) for r in rows(lines)] == [
        ("addQuantity", 3, "0.02 EUR"),
        ("removeQuantity", -1, "-0.01 EUR"),
        ("removeQuantity", -1, "-0.01 EUR"),
        ("removeQuantity", -1, "0.00 EUR"),
    ]
    assert lines[-1].explanation.startswith(
        "-1 × 0.01 EUR × 21/30 days, limited to the 0.00 EUR left of the charge"
    )


# --- one-time purchases -------------------------------------------------------------------------


def test_a_one_time_purchase_is_charged_whole_and_returns_refund_the_newest_licences() -> None:
    subscription = history(
        D(2026, 10, 5),
        [(D(2026, 10, 5), 2), (D(2026, 10, 10), 3), (D(2026, 10, 12), 2, True)],
        [(D(2026, 1, 1), "150.00"), (D(2026, 10, 8), "160.00")],
        frequency=None,
        term_months=0,
        statuses=[(D(2026, 10, 20), "cancelled", True)],
    )

    lines = compute_charges(subscription, through=D(2026, 12, 31))

    assert rows(lines) == [
        ("new", 2, "300.00 EUR", "2026-10-05..2026-10-05", "2026-10-05..2026-10-05"),
        ("new", 1, "160.00 EUR", "2026-10-10..2026-10-10", "2026-10-10..2026-10-10"),
        ("removeQuantity", -1, "-160.00 EUR", "2026-10-12..2026-10-12", "2026-10-12..2026-10-12"),
        ("cancelImmediate", -2, "-300.00 EUR", "2026-10-20..2026-10-20", "2026-10-20..2026-10-20"),
    ]
    assert lines[0].explanation == "2 × 150.00 EUR (bought 5 Oct 2026)"


# --- a reseller billed on the 31st --------------------------------------------------------------


def test_a_bill_for_a_reseller_billed_on_the_31st_collects_octobers_lines_and_is_dated_1_november() -> None:
    first = history(
        D(2026, 9, 15), [(D(2026, 9, 15), 4), (D(2026, 10, 31), 3, True)], TEN_EUR, subscription_id=7
    )
    second = history(D(2026, 10, 31), [(D(2026, 10, 31), 2)], [(D(2026, 1, 1), "7.50")], subscription_id=9)
    lines = compute_charges(first, through=D(2026, 11, 30)) + compute_charges(second, through=D(2026, 11, 30))

    bill = bill_for_cycle(lines, billing_cycle(31, 2026, 10))

    assert bill.bill_date == D(2026, 11, 1)
    assert [
        (charges.subscription_id, rows(charges.lines), str(charges.subtotal))
        for charges in bill.subscriptions
    ] == [
        (
            7,
            [
                ("cycleCharge", 4, "40.00 EUR", "2026-10-15..2026-11-14", "2026-10-15..2026-11-14"),
                # made and refunded from 31 Oct: 31 Oct..14 Nov = 15 of 31 days: 10 × 15/31 = 4.839
                ("removeQuantity", -1, "-4.84 EUR", "2026-10-31..2026-11-14", "2026-10-15..2026-11-14"),
            ],
            "35.16 EUR",
        ),
        (9, [("new", 2, "15.00 EUR", "2026-10-31..2026-11-29", "2026-10-31..2026-11-29")], "15.00 EUR"),
    ]
    assert bill.total == Money.of("50.16", "EUR")


def test_the_february_cycle_of_a_reseller_billed_on_the_31st_ends_on_the_28th() -> None:
    cycle = billing_cycle(31, 2027, 2)
    subscription = history(D(2027, 1, 31), [(D(2027, 1, 31), 1)], TEN_EUR)
    lines = compute_charges(subscription, through=D(2027, 3, 31))

    bill = bill_for_cycle(lines, cycle)

    assert (cycle.period.start, cycle.period.last_day, bill.bill_date) == (
        D(2027, 2, 1),
        D(2027, 2, 28),
        D(2027, 3, 1),
    )
    # The period starting 28 Feb falls in this cycle; the one starting 31 Jan does not.
    assert [(r[0], r[4]) for r in rows(bill.lines)] == [("cycleCharge", "2027-02-28..2027-03-30")]

"""Microsoft's own worked examples of new-commerce billing, each as a test with Microsoft's numbers.

Source: "Billing scenarios for one-time and select recurring purchases in new commerce"
(learn.microsoft.com/partner-center/billing/common-billing-scenarios-onetime-recurring, 2023 text)
and "Reconciliation file charge types". Microsoft prorates by day, from the day of the change itself
to the end of the charge cycle, both days included, over the days of the calendar month in which the
charge cycle started. Two differences are ours, and docs/BILLING.md gives the reasons:

- Microsoft shows a seat change as a pair of lines (a refund of the old count, a charge of the new
  one); we post one line of the difference. Both net to the same amount.
- Microsoft truncates (ROUNDDOWN) its effective unit price to the cent before multiplying by the
  quantity; we round each line once, half up, from the exact amount. Where Microsoft's truncation
  moves the cents, the test shows both figures.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from cspbroker.domain.billing import compute_charges
from cspbroker.domain.periods import Frequency

from .builders import history, rows

D = date


def microsoft_line(unit_price: str, days: int, cycle_days: int, quantity: int) -> Decimal:
    """Microsoft's license line: ROUNDDOWN(unit price / charge cycle days × billing days, 2) × quantity."""
    effective = (Fraction(Decimal(unit_price)) * days / cycle_days).limit_denominator(10**12)
    truncated = (Decimal(effective.numerator) / Decimal(effective.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
    return truncated * quantity


def test_purchase_and_renewal_of_a_monthly_term() -> None:
    # "on June 18 … you bought 10 licenses … monthly billing term and a price of EUR 10.08 per seat"
    subscription = history(D(2021, 6, 18), [(D(2021, 6, 18), 10)], [(D(2021, 6, 18), "10.08")], term_months=1)

    lines = compute_charges(subscription, through=D(2021, 7, 18))

    assert rows(lines) == [
        ("new", 10, "100.80 EUR", "2021-06-18..2021-07-17", "2021-06-18..2021-07-17"),
        # "a new transaction with the ChargeType "renew" and the ChargeStartDate "July 18, 2021""
        ("renew", 10, "100.80 EUR", "2021-07-18..2021-08-17", "2021-07-18..2021-08-17"),
    ]


def test_an_annual_term_billed_monthly_has_cycle_charges_and_billed_annually_one_new_line() -> None:
    monthly = history(D(2021, 6, 18), [(D(2021, 6, 18), 10)], [(D(2021, 6, 18), "10.08")])
    annual = history(
        D(2021, 6, 18), [(D(2021, 6, 18), 10)], [(D(2021, 6, 18), "120.96")], frequency=Frequency.ANNUAL
    )

    monthly_lines = compute_charges(monthly, through=D(2021, 7, 18))
    annual_lines = compute_charges(annual, through=D(2021, 7, 18))

    # "a charge of EUR 100.8 but with a ChargeType of "cycleCharge""
    assert rows(monthly_lines)[1] == (
        "cycleCharge",
        10,
        "100.80 EUR",
        "2021-07-18..2021-08-17",
        "2021-07-18..2021-08-17",
    )
    # Prepaid: "new | 120.96 | 10 | 1,209.6", June 18, 2021 – June 17, 2022
    assert rows(annual_lines) == [
        ("new", 10, "1209.60 EUR", "2021-06-18..2022-06-17", "2021-06-18..2022-06-17")
    ]


def test_seats_added_mid_cycle_are_charged_from_the_day_they_are_added() -> None:
    # "You added two more seats on June 20": refund 94.08 for 10 seats, charge 112.89 for 12,
    # both over June 20 – July 17 = 28 of June's 30 days.
    subscription = history(
        D(2021, 6, 18),
        [(D(2021, 6, 18), 10), (D(2021, 6, 20), 12)],
        [(D(2021, 6, 18), "10.08")],
        term_months=1,
    )

    added = compute_charges(subscription, through=D(2021, 7, 17))[1]

    assert microsoft_line("10.08", 28, 30, 12) - microsoft_line("10.08", 28, 30, 10) == Decimal("18.80")
    # Microsoft's own lines, 112.89 - 94.08, net 18.81 (its examples truncate the line, not the unit
    # price); ours is one line: 2 × 10.08 × 28/30 = 18.816 → 18.82.
    assert (Decimal("112.89") - Decimal("94.08"), added.amount.amount) == (Decimal("18.81"), Decimal("18.82"))
    assert (added.charge_type.value, added.quantity) == ("addQuantity", 2)
    assert (str(added.active.start), str(added.active.last_day), added.period.days) == (
        "2021-06-20",
        "2021-07-17",
        30,
    )


def test_seats_removed_inside_the_window_are_refunded_from_the_day_they_are_removed() -> None:
    # "Let's say you removed four seats or licenses on June 20": -112.89 for 12, +75.26 for 8.
    subscription = history(
        D(2021, 6, 18),
        [(D(2021, 6, 18), 12), (D(2021, 6, 20), 8, True)],
        [(D(2021, 6, 18), "10.08")],
        term_months=1,
    )

    removed = compute_charges(subscription, through=D(2021, 7, 17))[1]

    # Net -37.63 both ways: 75.26 - 112.89, and -4 × 10.08 × 28/30 = -37.632.
    assert removed.amount.amount == Decimal("75.26") - Decimal("112.89") == Decimal("-37.63")
    assert (removed.charge_type.value, removed.quantity, str(removed.active.start)) == (
        "removeQuantity",
        -4,
        "2021-06-20",
    )


def test_several_seat_changes_in_one_cycle_match_microsofts_table_line_for_line() -> None:
    # Bought March 5, 2022, 10 seats at EUR 12; the charge cycle is March 5 – April 4 (March's 31 days).
    changes = [
        (D(2022, 3, 7), 15),
        (D(2022, 3, 10), 25),
        (D(2022, 3, 12), 23, True),
        (D(2022, 3, 14), 20, True),
    ]
    changes += [(D(2022, 3, 25), 30)]
    subscription = history(D(2022, 3, 5), [(D(2022, 3, 5), 10), *changes], [(D(2022, 3, 5), "12")])

    lines = compute_charges(subscription, through=D(2022, 4, 4))

    # Microsoft's pairs (refund of the old count, charge of the new) and their net:
    microsoft = [
        ("new", Decimal("120")),
        ("addQuantity", Decimal("168.38") - Decimal("112.25")),  # 56.13
        ("addQuantity", Decimal("251.61") - Decimal("150.96")),  # 100.65
        ("removeQuantity", Decimal("213.67") - Decimal("232.25")),  # -18.58
        ("removeQuantity", Decimal("170.32") - Decimal("195.87")),  # -25.55
        ("addQuantity", Decimal("127.74") - Decimal("85.16")),  # 42.58
    ]
    assert [(line.charge_type.value, line.amount.amount) for line in lines] == microsoft
    # "the total number of seats is 30 for the subscription in March"
    assert subscription.quantity_on(D(2022, 4, 4)) == 30
    assert [line.active.days for line in lines[1:]] == [29, 26, 24, 22, 11]


def test_a_cancellation_inside_the_window_refunds_the_unused_days_from_the_day_itself() -> None:
    # "bought 10 seats … on July 15, 2021, for EUR 10.08 each … then canceled the subscription on July 17"
    subscription = history(
        D(2021, 7, 15),
        [(D(2021, 7, 15), 10)],
        [(D(2021, 7, 15), "10.08")],
        term_months=1,
        statuses=[(D(2021, 7, 17), "cancelled", True)],
    )

    lines = compute_charges(subscription, through=D(2021, 8, 14))

    assert [(r[0], r[1], r[2], r[3]) for r in rows(lines)] == [
        ("new", 10, "100.80 EUR", "2021-07-15..2021-08-14"),
        # "a refund of EUR 94.2 refund for cancellation for 29 unused days from July 17 to August 14":
        # Microsoft truncates the unit price (9.42 × 10); ours rounds the line once: 10 × 10.08 × 29/31.
        ("cancelImmediate", -10, "-94.30 EUR", "2021-07-17..2021-08-14"),
    ]
    assert microsoft_line("10.08", 29, 31, 10) == Decimal("94.20")


def test_a_trial_converted_to_paid_is_billed_convert_from_the_conversion() -> None:
    # "you bought 25 "Dynamics 365 Guides" licenses … on June 25 as a free trial … Later on the same
    # day, you turned it into a paid version": convert | 52.61 | 25 | 1,315.25, June 25 – July 24.
    subscription = history(
        D(2021, 6, 25), [(D(2021, 6, 25), 25)], [(D(2021, 6, 25), "52.61")], trial_converted_on=D(2021, 6, 25)
    )

    lines = compute_charges(subscription, through=D(2021, 7, 24))

    assert rows(lines) == [("convert", 25, "1315.25 EUR", "2021-06-25..2021-07-24", "2021-06-25..2021-07-24")]


def test_charge_cycle_days_are_those_of_the_month_the_cycle_starts_in() -> None:
    # "bought … on February 21, 2022 … any changes … between February 21 and March 20, 2022, we would
    # count the charge cycle days as 28 … between March 21 and April 20, 2022 … as 31"
    subscription = history(
        D(2022, 2, 21),
        [(D(2022, 2, 21), 1), (D(2022, 3, 1), 2), (D(2022, 4, 1), 3)],
        [(D(2022, 2, 21), "28")],
    )

    lines = compute_charges(subscription, through=D(2022, 4, 20))

    assert [line.explanation.split(" (")[0] for line in lines if line.charge_type.value == "addQuantity"] == [
        "1 × 28.00 EUR × 20/28 days",  # 1 Mar – 20 Mar of February's 28
        "1 × 28.00 EUR × 20/31 days",  # 1 Apr – 20 Apr of March's 31
    ]


def test_a_purchase_on_the_last_day_of_a_month_keeps_microsofts_month_end_dates() -> None:
    # Monthly term bought Jan 31, 2021: ends Feb 27, renews Feb 28; annual term billed monthly from
    # Jan 31, 2021: new Jan 31–Feb 27, then cycle charges Feb 28–Mar 30, Mar 31–Apr 29, Apr 30–May 30 …
    monthly = history(D(2021, 1, 31), [(D(2021, 1, 31), 1)], [(D(2021, 1, 31), "10")], term_months=1)
    annual = history(D(2021, 1, 31), [(D(2021, 1, 31), 1)], [(D(2021, 1, 31), "10")])

    assert [r[4] for r in rows(compute_charges(monthly, through=D(2021, 2, 28)))] == [
        "2021-01-31..2021-02-27",
        "2021-02-28..2021-03-30",
    ]
    assert [r[4] for r in rows(compute_charges(annual, through=D(2022, 1, 30)))] == [
        "2021-01-31..2021-02-27",
        "2021-02-28..2021-03-30",
        "2021-03-31..2021-04-29",
        "2021-04-30..2021-05-30",
        "2021-05-31..2021-06-29",
        "2021-06-30..2021-07-30",
        "2021-07-31..2021-08-30",
        "2021-08-31..2021-09-29",
        "2021-09-30..2021-10-30",
        "2021-10-31..2021-11-29",
        "2021-11-30..2021-12-30",
        "2021-12-31..2022-01-30",
    ]

"""One behaviour each: the history's checks, the engine's edge rules, bills, previews, explanations."""

from __future__ import annotations

from datetime import date

import pytest

from cspbroker.domain.billing import (
    ChargeType,
    InvalidBillingHistory,
    MissingPrice,
    PricePoint,
    QuantityChange,
    Status,
    StatusChange,
    SubscriptionHistory,
    Term,
    bill_for_cycle,
    compute_charges,
    diff_lines,
    explain_line,
    monthly_cost,
    preview_change,
)
from cspbroker.domain.errors import CurrencyMismatch, UnknownCurrency
from cspbroker.domain.money import Money
from cspbroker.domain.periods import Frequency, billing_cycle

from .builders import history, rows, total

D = date
TEN_EUR = [(D(2020, 1, 1), "10.00")]


# --- the history refuses what cannot be billed --------------------------------------------------


def test_a_ledger_out_of_date_order_is_refused() -> None:
    with pytest.raises(InvalidBillingHistory) as raised:
        history(D(2026, 10, 1), [(D(2026, 10, 5), 3), (D(2026, 10, 1), 2)], TEN_EUR)

    assert raised.value.field == "quantity_ledger"


def test_a_negative_quantity_is_refused() -> None:
    with pytest.raises(InvalidBillingHistory, match="whole number of licences"):
        history(D(2026, 10, 1), [(D(2026, 10, 1), -1)], TEN_EUR)


def test_a_term_that_is_not_a_whole_number_of_billing_periods_is_refused() -> None:
    with pytest.raises(InvalidBillingHistory, match="12-month term cannot be billed triennial"):
        history(D(2026, 10, 1), [(D(2026, 10, 1), 1)], TEN_EUR, frequency=Frequency.TRIENNIAL, term_months=12)


def test_a_price_in_another_currency_is_refused() -> None:
    with pytest.raises(InvalidBillingHistory, match="in USD"):
        history(D(2026, 10, 1), [(D(2026, 10, 1), 1)], TEN_EUR, currency="USD").with_change(
            PricePoint(D(2026, 11, 1), Money.of("1.00", "EUR"), "list")
        )


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(InvalidBillingHistory, match="'deleted' is not a subscription status"):
        StatusChange(D(2026, 10, 1), "deleted")  # type: ignore[arg-type]


def test_statuses_given_as_text_become_statuses() -> None:
    assert StatusChange(D(2026, 10, 1), "billing_cancelled").status is Status.BILLING_CANCELLED  # type: ignore[arg-type]


def test_a_term_may_not_start_before_the_previous_one_ends_unless_that_was_a_trial() -> None:
    paid = Term(D(2026, 10, 1), 12, Frequency.MONTHLY, None)
    with pytest.raises(InvalidBillingHistory) as raised:
        SubscriptionHistory(
            subscription_id=1,
            product="Microsoft 365 E3",
            currency="EUR",
            terms=(paid, Term(D(2026, 11, 1), 12, Frequency.MONTHLY, None, ChargeType.RENEW)),
            quantity_ledger=(QuantityChange(D(2026, 10, 1), 1),),
        )

    assert raised.value.field == "terms"
    trial = Term(D(2026, 10, 1), 1, Frequency.MONTHLY, None, is_trial=True)
    converted = Term(D(2026, 10, 20), 12, Frequency.MONTHLY, None, ChargeType.CONVERT)
    assert SubscriptionHistory(1, "E3", "EUR", (trial, converted), ()).term_on(D(2026, 10, 25)) == converted


def test_billing_stops_where_the_last_term_ends() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 2)], TEN_EUR, term_months=1, renewals=1)

    lines = compute_charges(subscription, through=D(2027, 1, 31))

    assert [(r[0], r[4]) for r in rows(lines)] == [
        ("new", "2026-10-01..2026-10-31"),
        ("renew", "2026-11-01..2026-11-30"),
    ]
    assert subscription.billing_ended_by(D(2026, 12, 1))


def test_a_charge_without_a_price_in_force_names_the_subscription_and_day() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 1)], [(D(2026, 10, 2), "10.00")])

    with pytest.raises(
        MissingPrice, match="Subscription 1 \\(Microsoft 365 E3\\) has no sale price on 2026-10-01"
    ):
        compute_charges(subscription, through=D(2026, 10, 31))


def test_a_change_is_added_after_the_entries_of_its_day() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 1), (D(2026, 10, 5), 2), (D(2026, 10, 9), 4)], TEN_EUR
    )

    changed = subscription.with_change(QuantityChange(D(2026, 10, 5), 3))

    assert [(c.effective_on.day, c.quantity) for c in changed.quantity_ledger] == [
        (1, 1),
        (5, 2),
        (5, 3),
        (9, 4),
    ]


# --- engine edges -------------------------------------------------------------------------------


def test_nothing_is_charged_before_the_start() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 1)], TEN_EUR)

    assert compute_charges(subscription, through=D(2026, 9, 30)) == []


def test_a_change_after_through_is_not_charged_yet() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 1), (D(2026, 10, 20), 3)], TEN_EUR)

    assert [line.charge_type for line in compute_charges(subscription, through=D(2026, 10, 19))] == [
        ChargeType.NEW
    ]


def test_a_cancellation_on_a_periods_first_day_leaves_that_period_uncharged() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 2)], TEN_EUR, statuses=[(D(2026, 11, 1), "cancelled", True)]
    )

    assert [line.charge_type for line in compute_charges(subscription, through=D(2027, 1, 1))] == [
        ChargeType.NEW
    ]


def test_nothing_dated_after_a_cancellation_is_charged() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 2), (D(2026, 10, 20), 5)],
        TEN_EUR,
        statuses=[(D(2026, 10, 10), "cancelled", False), (D(2026, 10, 25), "active")],
    )

    assert [line.charge_type for line in compute_charges(subscription, through=D(2027, 1, 1))] == [
        ChargeType.NEW
    ]


def test_a_refundable_decrease_on_the_last_day_refunds_that_day() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 2), (D(2026, 10, 31), 1, True)], TEN_EUR)

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # Microsoft refunds from the day of the decrease itself: 31 Oct is 1 of 31 days, 10 × 1/31 = 0.323
    assert [(r[0], r[1], r[2], r[3]) for r in rows(lines)][1:] == [
        ("removeQuantity", -1, "-0.32 EUR", "2026-10-31..2026-10-31")
    ]


def test_seats_added_and_removed_on_one_day_are_refunded_even_by_a_non_refundable_decrease() -> None:
    subscription = history(
        D(2026, 10, 1), [(D(2026, 10, 1), 2), (D(2026, 10, 9), 4), (D(2026, 10, 9), 2, False)], TEN_EUR
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    assert [str(line.amount) for line in lines] == ["20.00 EUR", "14.84 EUR", "-14.84 EUR"]  # 2 × 10 × 23/31


def test_seats_put_back_and_taken_out_again_the_same_day_are_refunded_as_they_first_were() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 5), (D(2026, 10, 11), 2, True), (D(2026, 10, 11), 4), (D(2026, 10, 11), 2, False)],
        TEN_EUR,
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # 11..31 Oct = 21 days: 3 × 10 × 21/31 = 20.323; 2 × 10 × 21/31 = 13.548 charged back then refunded
    # again, although the second decrease is marked non-refundable: it only undoes the re-add.
    assert [(r[0], r[1], r[2]) for r in rows(lines)] == [
        ("new", 5, "50.00 EUR"),
        ("removeQuantity", -3, "-20.32 EUR"),
        ("addQuantity", 2, "13.55 EUR"),
        ("removeQuantity", -2, "-13.55 EUR"),
    ]


def test_a_cancellation_refunds_every_seat_from_its_own_day() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 2), (D(2026, 10, 9), 3)],
        TEN_EUR,
        statuses=[(D(2026, 10, 9), "cancelled", True)],
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # Oldest lot first, 9..31 Oct = 23 days: 2 × 10 × 23/31 = 14.839; the seat of 9 Oct: 10 × 23/31 = 7.419.
    assert [(r[0], r[1], r[2], r[3]) for r in rows(lines)] == [
        ("new", 2, "20.00 EUR", "2026-10-01..2026-10-31"),
        ("addQuantity", 1, "7.42 EUR", "2026-10-09..2026-10-31"),
        ("cancelImmediate", -2, "-14.84 EUR", "2026-10-09..2026-10-31"),
        ("cancelImmediate", -1, "-7.42 EUR", "2026-10-09..2026-10-31"),
    ]


def test_a_cancellation_within_a_day_of_the_term_starting_is_refunded_in_full() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 2), (D(2026, 10, 2), 3)],
        TEN_EUR,
        statuses=[(D(2026, 10, 2), "cancelled", True, True)],
    )

    lines = compute_charges(subscription, through=D(2026, 10, 31))

    # "You can get a full refund if you cancel within 24 hours of purchase or renewal": each lot back
    # over exactly the days it was charged.
    assert [(r[0], r[1], r[2]) for r in rows(lines)] == [
        ("new", 2, "20.00 EUR"),
        ("addQuantity", 1, "9.68 EUR"),  # 2..31 Oct = 30 days: 10 × 30/31 = 9.677
        ("cancelImmediate", -2, "-20.00 EUR"),
        ("cancelImmediate", -1, "-9.68 EUR"),
    ]
    assert total(lines) == Money.zero("EUR")


def test_a_subscription_at_zero_seats_is_charged_nothing_until_seats_are_added() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 0), (D(2026, 11, 16), 1)], TEN_EUR)

    lines = compute_charges(subscription, through=D(2026, 12, 1))

    assert [(r[0], r[2]) for r in rows(lines)] == [("addQuantity", "5.00 EUR"), ("cycleCharge", "10.00 EUR")]


def test_a_billing_only_cancellation_of_a_one_time_purchase_credits_nothing() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 1)],
        TEN_EUR,
        frequency=None,
        term_months=0,
        statuses=[(D(2026, 10, 2), "billing_cancelled")],
    )

    assert [line.charge_type for line in compute_charges(subscription, through=D(2026, 12, 1))] == [
        ChargeType.NEW
    ]


def test_a_one_time_licence_returned_without_refund_is_bought_again_in_full() -> None:
    subscription = history(
        D(2026, 10, 1),
        [(D(2026, 10, 1), 2), (D(2026, 10, 2), 1), (D(2026, 10, 3), 2)],
        TEN_EUR,
        frequency=None,
        term_months=0,
    )

    assert [str(line.amount) for line in compute_charges(subscription, through=D(2026, 12, 1))] == [
        "20.00 EUR",
        "10.00 EUR",
    ]


# --- lines and explanations ---------------------------------------------------------------------


def test_a_line_explains_itself_in_the_issues_words() -> None:
    subscription = history(
        D(2026, 11, 1), [(D(2026, 11, 1), 1), (D(2026, 11, 14), 4)], [(D(2026, 1, 1), "12.50")]
    )

    added = compute_charges(subscription, through=D(2026, 11, 30))[1]

    assert added.explanation == "3 × 12.50 EUR × 17/30 days (added 14 Nov, period 1 Nov–30 Nov 2026)"
    assert explain_line(added) == added.explanation


def test_explanations_of_full_periods_refunds_and_renewals() -> None:
    subscription = history(
        D(2026, 11, 1),
        [(D(2026, 11, 1), 2), (D(2026, 12, 5), 1, True)],
        [(D(2026, 1, 1), "12.50")],
        term_months=1,
    )

    lines = compute_charges(subscription, through=D(2026, 12, 31))

    assert [line.explanation for line in lines] == [
        "2 × 12.50 EUR (new 1 Nov, period 1 Nov–30 Nov 2026)",
        "2 × 12.50 EUR (renewed 1 Dec, period 1 Dec–31 Dec 2026)",
        "-1 × 12.50 EUR × 27/31 days (removed 5 Dec, period 1 Dec–31 Dec 2026)",
    ]


def test_a_line_knows_its_currency_product_and_key() -> None:
    line = compute_charges(
        history(D(2026, 11, 1), [(D(2026, 11, 1), 1)], TEN_EUR, subscription_id=42), D(2026, 11, 1)
    )[0]

    assert (line.currency, line.product) == ("EUR", "Microsoft 365 E3")
    assert line.key == (42, ChargeType.NEW, D(2026, 11, 1), D(2026, 12, 1), 0)


def test_a_back_dated_change_shows_which_stored_lines_went_stale() -> None:
    subscription = history(D(2026, 10, 1), [(D(2026, 10, 1), 2)], TEN_EUR)
    stored = compute_charges(subscription, through=D(2026, 11, 30))

    late = subscription.with_change(QuantityChange(D(2026, 10, 20), 3))
    diff = diff_lines(stored, compute_charges(late, through=D(2026, 11, 30)))

    assert [(r[0], r[1]) for r in rows(diff.missing)] == [("addQuantity", 1), ("cycleCharge", 3)]
    assert [(r[0], r[1]) for r in rows(diff.stale)] == [("cycleCharge", 2)]


# --- bills --------------------------------------------------------------------------------------


def test_a_bill_refuses_to_mix_currencies() -> None:
    euros = compute_charges(history(D(2026, 10, 1), [(D(2026, 10, 1), 1)], TEN_EUR), D(2026, 10, 31))
    dollars = compute_charges(
        history(D(2026, 10, 1), [(D(2026, 10, 1), 1)], TEN_EUR, currency="USD", subscription_id=2),
        D(2026, 10, 31),
    )

    with pytest.raises(CurrencyMismatch, match="one bill per currency"):
        bill_for_cycle(euros + dollars, billing_cycle(31, 2026, 10))


def test_a_bill_without_lines_needs_its_currency() -> None:
    with pytest.raises(UnknownCurrency):
        bill_for_cycle([], billing_cycle(15, 2026, 10))

    empty = bill_for_cycle([], billing_cycle(15, 2026, 10), currency="eur")
    assert (empty.total, empty.subscriptions, empty.bill_date) == (Money.zero("EUR"), (), D(2026, 10, 16))


def test_every_line_lands_on_exactly_one_bill() -> None:
    subscription = history(
        D(2026, 9, 20), [(D(2026, 9, 20), 3), (D(2026, 10, 15), 5), (D(2026, 11, 15), 4, True)], TEN_EUR
    )
    lines = compute_charges(subscription, through=D(2026, 12, 15))
    cycles = [billing_cycle(15, 2026, month) for month in (10, 11, 12)]

    bills = [bill_for_cycle(lines, cycle, currency="EUR") for cycle in cycles]

    assert sorted(line.key for bill in bills for line in bill.lines) == sorted(line.key for line in lines)
    assert sum(bill.total.amount for bill in bills) == sum(line.amount.amount for line in lines)


# --- previews -----------------------------------------------------------------------------------


def test_a_preview_of_an_increase_shows_the_prorated_charge_and_the_new_monthly_cost() -> None:
    subscription = history(D(2026, 11, 1), [(D(2026, 11, 1), 2)], [(D(2026, 1, 1), "12.50")])

    preview = preview_change(subscription, QuantityChange(D(2026, 11, 14), 5), on=D(2026, 11, 14))

    assert [(r[0], r[1], r[2]) for r in rows(preview.added)] == [("addQuantity", 3, "21.25 EUR")]
    assert preview.withdrawn == ()
    assert (preview.net, preview.quantity_before, preview.quantity_after) == (Money.of("21.25", "EUR"), 2, 5)
    assert (preview.monthly_cost_before, preview.monthly_cost_after) == (
        Money.of("25", "EUR"),
        Money.of("62.5", "EUR"),
    )


def test_a_preview_of_a_cancellation_inside_the_window_shows_the_refund_and_no_monthly_cost() -> None:
    subscription = history(D(2026, 11, 1), [(D(2026, 11, 1), 5)], [(D(2026, 1, 1), "20.00")])

    preview = preview_change(
        subscription, StatusChange(D(2026, 11, 3), Status.CANCELLED, True), on=D(2026, 11, 3)
    )

    assert preview.net == Money.of("-93.33", "EUR")  # 3..30 Nov = 28 days: 5 × 20 × 28/30
    assert preview.monthly_cost_after == Money.zero("EUR")


def test_the_monthly_cost_of_an_annual_price_is_spread_over_twelve_months() -> None:
    subscription = history(
        D(2026, 3, 15), [(D(2026, 3, 15), 4)], [(D(2026, 1, 1), "100.00")], frequency=Frequency.ANNUAL
    )

    assert monthly_cost(subscription, D(2026, 5, 1)) == Money.of("33.33", "EUR")  # 4 × 100 / 12 = 33.333

"""Properties of the charges for random histories: anchors on any day (29–31 often), random
ledgers of increases and decreases, refundable or not, price changes, cancellations, trials.

Histories are built by plain functions from a few primitive draws, to keep 1,000 examples fast.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.billing import (
    ChargeLine,
    ChargeType,
    PricePoint,
    QuantityChange,
    StatusChange,
    SubscriptionHistory,
    compute_charges,
    explain_line,
    preview_change,
)
from cspbroker.domain.money import MINOR_UNITS, Money
from cspbroker.domain.periods import Frequency, Period, charge_cycle_days, nth_period

from ..strategies import anchors, billing_currencies
from .builders import terms

PLANS = [
    (Frequency.MONTHLY, 12),
    (Frequency.MONTHLY, 12),
    (Frequency.MONTHLY, 1),
    (Frequency.MONTHLY, 36),
    (Frequency.ANNUAL, 12),
    (Frequency.ANNUAL, 36),
    (Frequency.TRIENNIAL, 36),
    (None, 0),
]
ENDINGS = ["cancelled", "billing_cancelled", "expired", "suspended"]

# Changes crowd into the first weeks half of the time, so that several fall on one day or period.
_change_days = st.one_of(st.integers(0, 45), st.integers(0, 500))
_changes = st.lists(st.tuples(_change_days, st.integers(0, 30), st.booleans()), max_size=8)
_prices = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 10**7)), min_size=1, max_size=3)
_ending = st.one_of(st.none(), st.tuples(st.integers(0, 600), st.sampled_from(ENDINGS), st.booleans()))
_trial = st.one_of(st.none(), st.none(), st.none(), st.integers(0, 60))


def _price(units: int, currency: str) -> Money:
    # Up to 100,000.000 with one more decimal than the currency has: unit prices may be finer.
    return Money(Decimal(units).scaleb(-(MINOR_UNITS[currency] + 1)), currency)


def _history(
    anchor: date,
    plan: int,
    currency: str,
    initial: int,
    changes: list[tuple[int, int, bool]],
    prices: list[tuple[int, int]],
    ending: tuple[int, str, bool] | None,
    trial_days: int | None,
) -> SubscriptionHistory:
    frequency, term_months = PLANS[plan]
    start = anchor
    ledger = [QuantityChange(start, initial)]
    ledger += [
        QuantityChange(start + timedelta(days=offset), quantity, refundable)
        for offset, quantity, refundable in sorted(changes, key=lambda change: change[0])
    ]
    # The first price is in force from the start; later ones change it on random days.
    points = [(0, prices[0][1]), *sorted(prices[1:])]
    statuses = () if ending is None else (StatusChange(start + timedelta(days=ending[0]), *ending[1:]),)  # type: ignore[arg-type]
    own = tuple(
        PricePoint(start + timedelta(days=offset), _price(units, currency), f"price {index}")
        for index, (offset, units) in enumerate(points)
    )
    return SubscriptionHistory(
        subscription_id=1,
        product="product",
        currency=currency,
        terms=terms(
            start,
            own,
            frequency=frequency,
            term_months=term_months,
            renewals=30 // max(term_months, 1),
            is_trial=trial_days is not None,
            trial_converted_on=None if trial_days is None else start + timedelta(days=trial_days),
        ),
        quantity_ledger=tuple(ledger),
        status_changes=statuses,
        prices=own,
    )


histories = st.builds(
    _history,
    anchors.filter(lambda day: day.year < 2100),
    st.integers(0, len(PLANS) - 1),
    billing_currencies,
    st.integers(0, 20),
    _changes,
    _prices,
    _ending,
    _trial,
)
offsets = st.integers(0, 700)


def start_of(subscription: SubscriptionHistory) -> date:
    return subscription.terms[0].start


def _through(subscription: SubscriptionHistory, offset: int) -> date:
    return start_of(subscription) + timedelta(days=offset)


def _amounts_by_period(
    subscription: SubscriptionHistory, lines: list[ChargeLine]
) -> dict[Period | None, list[Money]]:
    # A one-time purchase's lines each carry their own day as period: they are one account together.
    grouped: dict[Period | None, list[Money]] = defaultdict(list)
    for line in lines:
        grouped[None if subscription.is_one_time else line.period].append(line.amount)
    return grouped


@given(histories, offsets)
def test_recomputing_gives_identical_lines_that_explain_themselves(
    subscription: SubscriptionHistory, offset: int
) -> None:
    lines = compute_charges(subscription, _through(subscription, offset))

    assert compute_charges(subscription, _through(subscription, offset)) == lines
    assert all(explain_line(line) == line.explanation for line in lines)


@given(histories, offsets)
def test_no_key_appears_twice_and_no_period_is_charged_twice(
    subscription: SubscriptionHistory, offset: int
) -> None:
    lines = compute_charges(subscription, _through(subscription, offset))

    assert len({line.key for line in lines}) == len(lines)
    # A one-time purchase charges each new licence `new` on its day; only periods have openings.
    openings = [
        line.period for line in lines if line.charge_type in _OPENINGS and not subscription.is_one_time
    ]
    assert len(set(openings)) == len(openings)
    assert all(earlier.end <= later.start for earlier, later in pairwise(openings))


_OPENINGS = {ChargeType.NEW, ChargeType.CYCLE_CHARGE, ChargeType.RENEW, ChargeType.CONVERT}


@given(histories, offsets)
def test_refunds_never_exceed_what_was_charged_for_the_period(
    subscription: SubscriptionHistory, offset: int
) -> None:
    lines = compute_charges(subscription, _through(subscription, offset))

    for amounts in _amounts_by_period(subscription, lines).values():
        running = Money.zero(subscription.currency)
        for amount in amounts:
            running += amount
            assert not running.is_negative


@given(histories, st.integers(0, 700), st.integers(0, 700))
def test_a_later_through_only_adds_lines(subscription: SubscriptionHistory, first: int, second: int) -> None:
    earlier, later = sorted((_through(subscription, first), _through(subscription, second)))

    before = compute_charges(subscription, earlier)
    after = compute_charges(subscription, later)

    assert after[: len(before)] == before
    assert all(line.effective_on > earlier for line in after[len(before) :])


@given(histories, st.integers(0, 700), st.integers(0, 700))
def test_since_gives_exactly_the_lines_of_the_whole_computation_from_that_day(
    subscription: SubscriptionHistory, since_offset: int, through_offset: int
) -> None:
    since, through = _through(subscription, since_offset), _through(subscription, through_offset)

    lines = compute_charges(subscription, through, since=since)

    assert lines == [line for line in compute_charges(subscription, through) if line.effective_on >= since]


@given(histories, offsets, _change_days, st.integers(1, 15), st.booleans(), st.booleans())
def test_a_change_and_its_reversal_on_the_same_day_net_to_zero(
    subscription: SubscriptionHistory,
    offset: int,
    day_offset: int,
    seats: int,
    up_first: bool,
    refundable: bool,
) -> None:
    through = _through(subscription, offset)
    day = start_of(subscription) + timedelta(days=day_offset)
    quantity = subscription.quantity_on(day)
    changed = quantity + seats if up_first or quantity == 0 else max(0, quantity - seats)
    reversed_history = subscription.with_change(QuantityChange(day, changed, refundable)).with_change(
        QuantityChange(day, quantity, refundable)
    )

    plain = _totals_by_period(subscription, compute_charges(subscription, through))
    with_reversal = _totals_by_period(subscription, compute_charges(reversed_history, through))

    assert with_reversal == plain


def _totals_by_period(
    subscription: SubscriptionHistory, lines: list[ChargeLine]
) -> dict[Period | None, Money]:
    # A period the reversal alone touched totals zero, like a period never charged at all.
    totals = {
        period: Money.sum(amounts, subscription.currency)
        for period, amounts in _amounts_by_period(subscription, lines).items()
    }
    return {period: amount for period, amount in totals.items() if not amount.is_zero}


@given(histories, offsets, st.integers(0, 900), st.integers(0, 30), st.booleans())
def test_a_preview_adds_exactly_the_lines_recording_the_change_would_add(
    subscription: SubscriptionHistory, offset: int, day_offset: int, quantity: int, refundable: bool
) -> None:
    through = _through(subscription, offset)
    change = QuantityChange(start_of(subscription) + timedelta(days=day_offset), quantity, refundable)

    preview = preview_change(subscription, change, through)

    computed = Counter(compute_charges(subscription.with_change(change), through))
    computed.subtract(compute_charges(subscription, through))
    computed.subtract(preview.added)
    computed.update(preview.withdrawn)
    assert all(count == 0 for count in computed.values())


# --- the parts of a period add up to the whole --------------------------------------------------

_seat_prices = st.builds(_price, st.integers(0, 10**7), billing_currencies)


@given(
    anchors,
    st.sampled_from(list(Frequency)),
    st.integers(0, 30),
    _seat_prices,
    st.integers(1, 50),
    st.integers(0, 10**6),
)
def test_what_a_cancellation_keeps_and_refunds_add_up_to_the_period_within_one_minor_unit_each(
    anchor: date, frequency: Frequency, number: int, price: Money, seats: int, position: int
) -> None:
    period = nth_period(anchor, frequency, number % (3 if frequency is Frequency.MONTHLY else 1))
    day = period.start + timedelta(days=1 + position % (period.days - 1))
    subscription = _simple(anchor, frequency, price, [QuantityChange(anchor, seats)], cancelled_on=day)

    lines = [line for line in compute_charges(subscription, period.last_day) if line.period == period]

    whole, refund = lines[0].amount, (lines[1].amount if len(lines) > 1 else Money.zero(price.currency))
    # Refunded from the day of the cancellation itself, over the charge cycle days (Microsoft's rule).
    unused = price.exact() * seats * Fraction((period.end - day).days, charge_cycle_days(period))
    assert abs(Fraction(-refund.amount) - unused.amount) * 10 ** MINOR_UNITS[price.currency] <= 1
    assert -refund <= whole


@given(
    anchors,
    st.integers(0, 30),
    _seat_prices,
    st.integers(1, 50),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)
def test_seats_added_then_removed_cost_their_days_within_one_minor_unit_each(
    anchor: date, number: int, price: Money, seats: int, first: int, second: int
) -> None:
    period = nth_period(anchor, Frequency.MONTHLY, number)
    added_on, removed_on = sorted(
        period.start + timedelta(days=1 + n % (period.days - 1)) for n in (first, second)
    )
    ledger = [QuantityChange(anchor, 0), QuantityChange(added_on, seats), QuantityChange(removed_on, 0, True)]
    subscription = _simple(anchor, Frequency.MONTHLY, price, ledger)

    lines = [line for line in compute_charges(subscription, period.last_day) if line.period == period]

    net = Money.sum((line.amount for line in lines), price.currency)
    # Charged from the day they were added, refunded from the day they were removed: both days count once.
    exact = price.exact() * Fraction(seats * (removed_on - added_on).days, charge_cycle_days(period))
    assert abs(Fraction(net.amount) - exact.amount) * 10 ** MINOR_UNITS[price.currency] <= 1


def _simple(
    anchor: date,
    frequency: Frequency,
    price: Money,
    ledger: list[QuantityChange],
    cancelled_on: date | None = None,
) -> SubscriptionHistory:
    return SubscriptionHistory(
        subscription_id=1,
        product="product",
        currency=price.currency,
        terms=terms(anchor, (PricePoint(anchor, price, "list"),), frequency=frequency, term_months=36),
        quantity_ledger=tuple(ledger),
        status_changes=() if cancelled_on is None else (StatusChange(cancelled_on, "cancelled", True),),  # type: ignore[arg-type]
    )

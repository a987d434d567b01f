"""Billing rules: charge lines from a subscription's history, a cycle's bill, and change previews.

Pure and standard-library only, like the rest of the domain: the database layer stores the lines
under `ChargeLine.key` and the bills; nothing here reads a clock or writes anything.
"""

from cspbroker.domain.billing.bill import Bill, SubscriptionCharges, bill_for_cycle, bill_of
from cspbroker.domain.billing.charges import compute_charges
from cspbroker.domain.billing.errors import InvalidBillingHistory, MissingPrice
from cspbroker.domain.billing.explain import explain_line
from cspbroker.domain.billing.history import (
    Change,
    PricePoint,
    QuantityChange,
    Status,
    StatusChange,
    SubscriptionHistory,
    Term,
)
from cspbroker.domain.billing.lines import LEGACY_CHARGE_TYPES, ChargeLine, ChargeType, LineDiff, diff_lines
from cspbroker.domain.billing.preview import PreviewResult, monthly_cost, preview_change

__all__ = [
    "LEGACY_CHARGE_TYPES",
    "Bill",
    "Change",
    "ChargeLine",
    "ChargeType",
    "InvalidBillingHistory",
    "LineDiff",
    "MissingPrice",
    "PreviewResult",
    "PricePoint",
    "QuantityChange",
    "Status",
    "StatusChange",
    "SubscriptionCharges",
    "SubscriptionHistory",
    "Term",
    "bill_for_cycle",
    "bill_of",
    "compute_charges",
    "diff_lines",
    "explain_line",
    "monthly_cost",
    "preview_change",
]

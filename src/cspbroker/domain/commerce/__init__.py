"""Microsoft's new-commerce (NCE) rules, enforced before the provider is called (features S2, S3, X3, X6).

Every rule is a pure function of the provider's own fields (`SubscriptionTerms`) and an injected
`now`: windows come from `cancellationAllowedUntilDate` and each lot's `allowedUntilDateTime`, never
from a length assumed here. A refusal is a `DomainError` with a stable code and a sentence that
names the numbers and dates.

    terms.py        value types: status, term, billing cycle, seat lots, the subscription's terms
    windows.py      the time left to cancel or reduce, warnings before a window closes, previews
    quantity.py     adding and removing seats
    lifecycle.py    cancel, cancel the billing only, suspend, reactivate
    changes.py      auto-renew, term, changes scheduled for the renewal, friendly name
    order_types.py  order types and what each provider supports
    actions.py      every action's availability in one call, for the pages
"""

from cspbroker.domain.commerce.actions import ActionAvailability, available_actions
from cspbroker.domain.commerce.changes import (
    FRIENDLY_NAME_MAX_LENGTH,
    AutoRenewChange,
    ScheduledChange,
    TermChange,
    check_auto_renew,
    check_friendly_name,
    check_scheduled_change,
    check_term_change,
)
from cspbroker.domain.commerce.errors import (
    AlreadyCancelled,
    AlreadySuspended,
    AutoRenewRequired,
    BillingCycleNotOffered,
    CancelOutsideWindow,
    DecreaseOutsideWindow,
    FriendlyNameEmpty,
    FriendlyNameTooLong,
    InvalidFriendlyName,
    InvalidQuantity,
    NoChange,
    NotCancellable,
    NotSuspended,
    OrderTypeUnsupported,
    QuantityOutOfRange,
    SubscriptionCancelled,
    SubscriptionNotActive,
    SubscriptionSuspended,
    TermEnded,
    TermShorterNotAllowed,
    TrialNotCancellable,
    TrialNotSuspendable,
    TrialQuantityFixed,
    TrialTermFixed,
)
from cspbroker.domain.commerce.lifecycle import (
    check_billing_only_cancel,
    check_cancel,
    check_reactivate,
    check_suspend,
)
from cspbroker.domain.commerce.order_types import (
    DISTRIBUTOR_CAPABILITIES,
    PARTNER_CENTER_CAPABILITIES,
    OrderType,
    ProviderCapabilities,
    check_supported,
)
from cspbroker.domain.commerce.quantity import QuantityChange, check_quantity_change
from cspbroker.domain.commerce.terms import BillingCycle, SeatLot, SubscriptionStatus, SubscriptionTerms, Term
from cspbroker.domain.commerce.windows import (
    DEFAULT_WINDOW,
    ClosingWindow,
    LotWindow,
    WindowKind,
    WindowStatus,
    closing_within,
    next_lots_after_increase,
    open_lots,
    refundable_quantity,
    removable_quantity,
    window_status,
)

__all__ = [
    "DEFAULT_WINDOW",
    "DISTRIBUTOR_CAPABILITIES",
    "FRIENDLY_NAME_MAX_LENGTH",
    "PARTNER_CENTER_CAPABILITIES",
    "ActionAvailability",
    "AlreadyCancelled",
    "AlreadySuspended",
    "AutoRenewChange",
    "AutoRenewRequired",
    "BillingCycle",
    "BillingCycleNotOffered",
    "CancelOutsideWindow",
    "ClosingWindow",
    "DecreaseOutsideWindow",
    "FriendlyNameEmpty",
    "FriendlyNameTooLong",
    "InvalidFriendlyName",
    "InvalidQuantity",
    "LotWindow",
    "NoChange",
    "NotCancellable",
    "NotSuspended",
    "OrderType",
    "OrderTypeUnsupported",
    "ProviderCapabilities",
    "QuantityChange",
    "QuantityOutOfRange",
    "ScheduledChange",
    "SeatLot",
    "SubscriptionCancelled",
    "SubscriptionNotActive",
    "SubscriptionStatus",
    "SubscriptionSuspended",
    "SubscriptionTerms",
    "Term",
    "TermChange",
    "TermEnded",
    "TermShorterNotAllowed",
    "TrialNotCancellable",
    "TrialNotSuspendable",
    "TrialQuantityFixed",
    "TrialTermFixed",
    "WindowKind",
    "WindowStatus",
    "available_actions",
    "check_auto_renew",
    "check_billing_only_cancel",
    "check_cancel",
    "check_friendly_name",
    "check_quantity_change",
    "check_reactivate",
    "check_scheduled_change",
    "check_supported",
    "check_suspend",
    "check_term_change",
    "closing_within",
    "next_lots_after_increase",
    "open_lots",
    "refundable_quantity",
    "removable_quantity",
    "window_status",
]

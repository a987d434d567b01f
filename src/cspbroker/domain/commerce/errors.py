"""The refusals of the new-commerce rules, each with a stable code.

Where Partner Center has an error for the same refusal, the class names it, so support staff can
match a provider log line to what the platform refused before ever calling the provider.
"""

from __future__ import annotations

from cspbroker.domain.errors import DomainError


class InvalidQuantity(DomainError):
    """A quantity that is not a whole number of seats (or a lot of fewer than zero seats)."""

    code = "invalid_quantity"


class QuantityOutOfRange(DomainError):
    """A quantity outside the product's minimum and maximum (Partner Center 2002)."""

    code = "quantity_out_of_range"


class NoChange(DomainError):
    """The change asked for is what the subscription already has."""

    code = "no_change"


class DecreaseOutsideWindow(DomainError):
    """More seats to remove than are still inside their window (Partner Center 800090)."""

    code = "decrease_outside_window"


class SubscriptionSuspended(DomainError):
    """A suspended subscription cannot change quantity or term (Partner Center 2001 / 800091)."""

    code = "subscription_suspended"


class SubscriptionCancelled(DomainError):
    """A cancelled subscription cannot be changed at all (Partner Center 2011)."""

    code = "subscription_cancelled"


class SubscriptionNotActive(DomainError):
    """The subscription is expired, pending, disabled or in a status we do not know."""

    code = "subscription_not_active"


class AlreadyCancelled(DomainError):
    code = "already_cancelled"


class AlreadySuspended(DomainError):
    code = "already_suspended"


class NotSuspended(DomainError):
    """Only a suspended subscription can be reactivated."""

    code = "not_suspended"


class TrialQuantityFixed(DomainError):
    code = "trial_quantity_fixed"


class TrialNotCancellable(DomainError):
    code = "trial_not_cancellable"


class TrialNotSuspendable(DomainError):
    code = "trial_not_suspendable"


class TrialTermFixed(DomainError):
    code = "trial_term_fixed"


class NotCancellable(DomainError):
    """The provider reports no cancellation window at all (`cancellationAllowedUntilDate` null)."""

    code = "not_cancellable"


class CancelOutsideWindow(DomainError):
    """The cancellation window has closed (Partner Center 900117)."""

    code = "cancel_outside_window"


class TermShorterNotAllowed(DomainError):
    """Mid-term, a term can only become longer."""

    code = "term_shorter_not_allowed"


class TermEnded(DomainError):
    """The term has ended; what we hold about the subscription is older than its renewal."""

    code = "term_ended"


class BillingCycleNotOffered(DomainError):
    """A billing cycle that the term does not offer (P1M is billed monthly only)."""

    code = "billing_cycle_not_offered"


class AutoRenewRequired(DomainError):
    """Changes scheduled for the renewal need auto-renew on (Partner Center 800093)."""

    code = "auto_renew_required"


class InvalidFriendlyName(DomainError):
    code = "invalid_friendly_name"


class FriendlyNameEmpty(InvalidFriendlyName):
    code = "friendly_name_empty"


class FriendlyNameTooLong(InvalidFriendlyName):
    code = "friendly_name_too_long"


class OrderTypeUnsupported(DomainError):
    """The provider behind the subscription does not support this kind of order."""

    code = "order_type_unsupported"

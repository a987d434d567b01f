"""The password policy for tenant users (feature U1) and the three ways a password is set.

The policy is the one the platform's users already know (seed 002): at least eight characters;
upper case, lower case, digits and non-word characters; no part of the user's account name or
full name. "Parts" follow Active Directory's complexity rule, which the wording comes from: the
account name (the part of the userPrincipalName before the @) and each of its tokens split on
. _ - , and each token of the full name, counted only when three characters or longer, compared
without regard to case. "Non-word" is meant literally, as a regular expression's \\W: a symbol,
a space or punctuation; the underscore is a word character and does not count.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, Protocol, TypeVar

from cspbroker.domain.errors import DomainError

MINIMUM_LENGTH = 8
GENERATED_LENGTH = 14
# Parts shorter than this are ignored: "Al" in "Balance1!" is no leak of the name "Al Li".
_MINIMUM_PART_LENGTH = 3
_ACCOUNT_SEPARATORS = re.compile(r"[._\-]+")
_NAME_SEPARATORS = re.compile(r"[\s,._\-#]+")
_NON_WORD = re.compile(r"\W")

# Generated passwords are read from an email and typed by people: no look-alikes (l 1 I O 0),
# no quotes, commas or semicolons that break CSV files and mail clients, no spaces.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "!@#$%&*+=?-"
_GENERATION_ATTEMPTS = 1000

_T = TypeVar("_T")


class RandomSource(Protocol):
    """What generation needs of a random number generator: `secrets.SystemRandom` or a seeded `Random`."""

    def choice(self, seq: Sequence[_T]) -> _T: ...

    def shuffle(self, x: MutableSequence[Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class PolicyViolation:
    """One rule the password breaks; `message` names the rule so the form can show it."""

    code: str
    message: str


class PasswordPolicyError(DomainError):
    """The password breaks one or more rules; `violations` lists every one of them."""

    code = "password_policy"

    def __init__(self, violations: Sequence[PolicyViolation]) -> None:
        self.violations = tuple(violations)
        rules = " ".join(violation.message for violation in self.violations)
        super().__init__(f"The password does not meet the password policy. {rules}", field="password")

    def __reduce__(self) -> tuple[Any, ...]:
        return (PasswordPolicyError, (self.violations,))


class PasswordRequired(DomainError):
    code = "password_required"


class PasswordNotExpected(DomainError):
    code = "password_not_expected"


class InvalidPasswordMode(DomainError):
    code = "invalid_password_mode"


class InvalidPasswordLength(DomainError):
    code = "invalid_password_length"


def account_name_parts(account_name: str) -> list[str]:
    """The parts of an account name a password must not contain, lower-cased.

    "john.doe@contoso.com" → ["john.doe", "john", "doe"]; a userPrincipalName or its local part.
    """
    local_part = account_name.split("@", 1)[0].strip().casefold()
    parts = [local_part, *_ACCOUNT_SEPARATORS.split(local_part)]
    return _unique_long_parts(parts)


def full_name_parts(full_name: str) -> list[str]:
    """The tokens of a full name a password must not contain: "Jan van Dijk" → ["jan", "van", "dijk"]."""
    return _unique_long_parts(_NAME_SEPARATORS.split(full_name.strip().casefold()))


def _unique_long_parts(parts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(part for part in parts if len(part) >= _MINIMUM_PART_LENGTH))


def check_password(password: str, *, account_name: str, full_name: str) -> list[PolicyViolation]:
    """Every rule of the policy that `password` breaks, in the order the form lists them; [] when valid."""
    violations: list[PolicyViolation] = []
    if len(password) < MINIMUM_LENGTH:
        violations.append(
            PolicyViolation(
                "too_short",
                f"It must be at least {MINIMUM_LENGTH} characters long; it has {len(password)}.",
            )
        )
    if not any(char.isupper() for char in password):
        violations.append(PolicyViolation("missing_upper", "It must contain an upper-case letter (A–Z)."))
    if not any(char.islower() for char in password):
        violations.append(PolicyViolation("missing_lower", "It must contain a lower-case letter (a–z)."))
    if not any(char.isdigit() for char in password):
        violations.append(PolicyViolation("missing_digit", "It must contain a digit (0–9)."))
    if _NON_WORD.search(password) is None:
        violations.append(
            PolicyViolation(
                "missing_symbol",
                "It must contain a non-word character such as ! @ # $ % (the underscore does not count).",
            )
        )
    folded = password.casefold()
    account_hits = [part for part in account_name_parts(account_name) if part in folded]
    if account_hits:
        violations.append(
            PolicyViolation(
                "contains_account_name",
                f"It must not contain parts of the account name ({_quoted(account_hits)}).",
            )
        )
    name_hits = [part for part in full_name_parts(full_name) if part in folded]
    if name_hits:
        violations.append(
            PolicyViolation(
                "contains_full_name", f"It must not contain parts of the full name ({_quoted(name_hits)})."
            )
        )
    return violations


def _quoted(parts: Sequence[str]) -> str:
    return ", ".join(f"“{part}”" for part in parts)


def require_valid_password(password: str, *, account_name: str, full_name: str) -> str:
    """`password` unchanged, or `PasswordPolicyError` listing every rule it breaks."""
    violations = check_password(password, account_name=account_name, full_name=full_name)
    if violations:
        raise PasswordPolicyError(violations)
    return password


def generate_password(
    rng: RandomSource | None = None,
    length: int = GENERATED_LENGTH,
    *,
    account_name: str = "",
    full_name: str = "",
) -> str:
    """A random password that meets the policy for the given names.

    One character of each class is placed first and the rest drawn from all of them, then shuffled;
    a draw that happens to spell part of a name is thrown away and drawn again.
    """
    if isinstance(length, bool) or not isinstance(length, int) or not MINIMUM_LENGTH <= length <= 256:
        raise InvalidPasswordLength(
            f"A generated password must be {MINIMUM_LENGTH} to 256 characters long, not {length!r}.",
            field="length",
        )
    source: RandomSource = rng if rng is not None else secrets.SystemRandom()
    everything = _UPPER + _LOWER + _DIGITS + _SYMBOLS
    for _ in range(_GENERATION_ATTEMPTS):
        characters = [source.choice(alphabet) for alphabet in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
        characters += [source.choice(everything) for _ in range(length - len(characters))]
        source.shuffle(characters)
        password = "".join(characters)
        if not check_password(password, account_name=account_name, full_name=full_name):
            return password
    # Unreachable in practice: a 14-character draw spells a given 3-letter part about once in 10**4.
    raise InvalidPasswordLength("Could not generate a password that avoids the user's names.", field="length")


class PasswordMode(StrEnum):
    """How a new user's password is set (seed 002, "Password Settings")."""

    AUTO_GENERATE_AND_EMAIL = "auto_generate_and_email"
    SPECIFY_AND_EMAIL = "specify_and_email"
    SPECIFY_NO_EMAIL = "specify_no_email"

    @property
    def label(self) -> str:
        return _MODE_LABELS[self]

    @property
    def is_specified(self) -> bool:
        return self is not PasswordMode.AUTO_GENERATE_AND_EMAIL

    @property
    def sends_email(self) -> bool:
        return self is not PasswordMode.SPECIFY_NO_EMAIL


_MODE_LABELS = {
    PasswordMode.AUTO_GENERATE_AND_EMAIL: "Auto generate and send email to user",
    PasswordMode.SPECIFY_AND_EMAIL: "Let me specify and send email to user",
    PasswordMode.SPECIFY_NO_EMAIL: "Let me specify but don't send email to user",
}


@dataclass(frozen=True, slots=True)
class UserNames:
    """The names a password must stay clear of: the userPrincipalName (or its local part) and full name."""

    account_name: str
    full_name: str


class ResolvedPassword(NamedTuple):
    password: str
    send_email: bool


def resolve_password(
    mode: PasswordMode | str, given: str | None, names: UserNames, rng: RandomSource | None = None
) -> ResolvedPassword:
    """The password to set and whether to email it, for the mode chosen on the form.

    An empty `given` counts as none. In the auto mode a typed password is refused rather than
    silently replaced: the person would otherwise believe the user's password is the one they typed.
    """
    mode = _mode(mode)
    typed = given if given else None
    if mode.is_specified:
        if typed is None:
            raise PasswordRequired(
                f"Enter a password: “{mode.label}” needs one, or choose “{_MODE_LABELS[_AUTO]}”.",
                field="password",
            )
        require_valid_password(typed, account_name=names.account_name, full_name=names.full_name)
        return ResolvedPassword(typed, mode.sends_email)
    if typed is not None:
        raise PasswordNotExpected(
            f"“{mode.label}” generates the password; leave the password empty or choose to specify it.",
            field="password",
        )
    password = generate_password(rng, account_name=names.account_name, full_name=names.full_name)
    return ResolvedPassword(password, mode.sends_email)


_AUTO = PasswordMode.AUTO_GENERATE_AND_EMAIL


def _mode(mode: PasswordMode | str) -> PasswordMode:
    try:
        return PasswordMode(mode)
    except ValueError:
        modes = ", ".join(member.value for member in PasswordMode)
        raise InvalidPasswordMode(
            f"{mode!r} is not a password mode ({modes}).", field="password_mode"
        ) from None

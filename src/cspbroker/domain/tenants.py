"""Rules for creating a Microsoft tenant (feature T2) and the identifiers around it.

A new tenant's name is the prefix of `<prefix>.onmicrosoft.com`; Microsoft needs the company's
address to create the customer (Partner Center `POST /v1/customers`, reference §2.1), and refuses
with one field at a time, so the platform checks the whole address first and names every missing
field at once. The country rules here are the platform's defaults; Partner Center's
`GET /v1/countryvalidationrules/{country}` gives the live ones, which callers pass as `CountryRules`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from cspbroker.domain.errors import DomainError

TENANT_DOMAIN_SUFFIX: Final = ".onmicrosoft.com"
# Microsoft's limit for the prefix of an .onmicrosoft.com domain.
TENANT_PREFIX_MAX_LENGTH: Final = 27


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 3166-1 alpha-2, the codes Partner Center takes for `country` and Entra ID for `usageLocation`.
ISO_COUNTRY_CODES: Final = _codes(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """
)
# Countries whose addresses Partner Center takes only with a state or province.
STATE_REQUIRED_COUNTRIES: Final = frozenset({"US", "CA", "AU", "BR", "IN", "MX"})
# Partner Center error 600051: a phone number is required for these countries (reference §1.5, §2.1).
PHONE_REQUIRED_COUNTRIES: Final = frozenset(
    {"AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"}
)
# Countries without postal codes: asking for one would block their customers for good.
NO_POSTAL_CODE_COUNTRIES: Final = _codes(
    """
    AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK JM KI KM KN
    KP LC ML MO MR MW NR NU QA RW SB SC SL SO SR ST SY TD TG TK TL TO TT TV TZ UG VU YE ZW
    """
)

# The address fields, in the order of the form, with the words the messages use.
ADDRESS_FIELD_LABELS: Final[Mapping[str, str]] = {
    "company_name": "company name",
    "first_name": "contact first name",
    "last_name": "contact last name",
    "email": "email",
    "address_line1": "address line 1",
    "city": "city",
    "state": "state or province",
    "postal_code": "postal code",
    "country": "country",
    "phone_number": "phone number",
}
# Partner Center's length limits (reference §2.1).
_MAX_LENGTHS: Final = {"first_name": 50, "last_name": 50, "address_line1": 200, "address_line2": 200}

_PREFIX_CHARACTERS = re.compile(r"[a-z0-9]+")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_GUID_EXAMPLE = "8db0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


class InvalidTenantPrefix(DomainError):
    code = "invalid_tenant_prefix"


class AddressIncomplete(DomainError):
    """The company address lacks fields Microsoft needs; `missing` lists their keys."""

    code = "address_incomplete"

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        labels = ", ".join(ADDRESS_FIELD_LABELS.get(key, key) for key in self.missing)
        super().__init__(f"The company address is missing: {labels}.", field=self.missing[0])

    def __reduce__(self) -> tuple[object, ...]:
        return (AddressIncomplete, (self.missing,))


class InvalidAddress(DomainError):
    code = "invalid_address"


class InvalidGuid(DomainError):
    code = "invalid_guid"


class InvalidCountry(DomainError):
    code = "invalid_country"


class InvalidUsageLocation(DomainError):
    code = "invalid_usage_location"


def validate_tenant_prefix(prefix: str) -> str:
    """The prefix of a new `.onmicrosoft.com` domain, lower-cased; a full domain is accepted too.

    Microsoft allows letters and digits only, 1 to 27 of them. Each failure gets its own code
    (`tenant_prefix_required`, `tenant_prefix_too_long`, `tenant_prefix_characters`).
    """
    value = prefix.strip().lower() if isinstance(prefix, str) else ""
    if value.endswith(TENANT_DOMAIN_SUFFIX):
        value = value[: -len(TENANT_DOMAIN_SUFFIX)]
    if not value:
        raise InvalidTenantPrefix(
            "Enter a tenant name: it becomes <name>.onmicrosoft.com.",
            field="tenant_prefix",
            code="tenant_prefix_required",
        )
    if not _PREFIX_CHARACTERS.fullmatch(value):
        wrong = "".join(
            dict.fromkeys(char for char in value if not ("a" <= char <= "z" or "0" <= char <= "9"))
        )
        shown = " ".join("space" if char.isspace() else f"“{char}”" for char in wrong)
        raise InvalidTenantPrefix(
            f"A tenant name may contain only the letters a–z and the digits 0–9; remove {shown}.",
            field="tenant_prefix",
            code="tenant_prefix_characters",
        )
    if len(value) > TENANT_PREFIX_MAX_LENGTH:
        raise InvalidTenantPrefix(
            f"A tenant name may be at most {TENANT_PREFIX_MAX_LENGTH} characters long; "
            f"“{value}” has {len(value)}.",
            field="tenant_prefix",
            code="tenant_prefix_too_long",
        )
    return value


def tenant_domain(prefix: str) -> str:
    """ "Contoso" → "contoso.onmicrosoft.com"."""
    return validate_tenant_prefix(prefix) + TENANT_DOMAIN_SUFFIX


@dataclass(frozen=True, slots=True)
class CountryRules:
    """What a country's addresses need, from Partner Center's country validation rules."""

    state_required: bool
    postal_code_required: bool
    phone_required: bool
    city_required: bool = True

    @classmethod
    def default_for(cls, country: str) -> CountryRules:
        code = country.strip().upper()
        return cls(
            state_required=code in STATE_REQUIRED_COUNTRIES,
            postal_code_required=code not in NO_POSTAL_CODE_COUNTRIES,
            phone_required=code in PHONE_REQUIRED_COUNTRIES,
        )


def missing_address_fields(
    address: Mapping[str, str | None], country: str | None, *, rules: CountryRules | None = None
) -> list[str]:
    """The keys of the fields Microsoft needs that are empty, in the order of the form.

    Keys are those of `ADDRESS_FIELD_LABELS`; a value of only spaces counts as missing. `country`
    defaults to the address's own "country".
    """
    country_code = (country if country is not None else address.get("country") or "").strip().upper()
    rules = rules or CountryRules.default_for(country_code)
    required = ["company_name", "first_name", "last_name", "email", "address_line1"]
    if rules.city_required:
        required.append("city")
    if rules.state_required:
        required.append("state")
    if rules.postal_code_required:
        required.append("postal_code")
    missing = [key for key in required if not (address.get(key) or "").strip()]
    if not country_code:
        missing.append("country")
    if rules.phone_required and not (address.get("phone_number") or "").strip():
        missing.append("phone_number")
    return sorted(missing, key=list(ADDRESS_FIELD_LABELS).index)


def require_complete_address(
    address: Mapping[str, str | None], country: str | None, *, rules: CountryRules | None = None
) -> str:
    """The country's ISO code when the address can create a tenant; otherwise the reason why not.

    `AddressIncomplete` names every missing field at once; then the country and Partner Center's
    length limits are checked.
    """
    missing = missing_address_fields(address, country, rules=rules)
    if missing:
        raise AddressIncomplete(missing)
    country_code = validate_country(country if country is not None else address.get("country") or "")
    for key, limit in _MAX_LENGTHS.items():
        value = (address.get(key) or "").strip()
        if len(value) > limit:
            label = ADDRESS_FIELD_LABELS.get(key, key.replace("_", " "))
            raise InvalidAddress(
                f"The {label} may be at most {limit} characters long; it has {len(value)}.", field=key
            )
    return country_code


def split_contact_name(full_name: str) -> tuple[str, str]:
    """A contact's first and last name: "Anna van der Berg" → ("Anna", "van der Berg").

    "Berg, Anna" is read as last name first. A single word is a first name with no last name, which
    `missing_address_fields` then reports.
    """
    if "," in full_name:
        last, _, first = full_name.partition(",")
        return " ".join(first.split()), " ".join(last.split())
    words = full_name.split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])


def validate_guid(value: str, field: str) -> str:
    """A GUID such as a client id, lower-cased; anything else is refused naming `field`."""
    normalised = value.strip().lower() if isinstance(value, str) else ""
    if not _GUID.fullmatch(normalised):
        label = field.replace("_", " ").capitalize()
        raise InvalidGuid(
            f"{label} must be a GUID: 8-4-4-4-12 hexadecimal digits with dashes, e.g. {_GUID_EXAMPLE}.",
            field=field,
        )
    return normalised


def validate_country(code: str, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 country code, upper-cased."""
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised not in ISO_COUNTRY_CODES:
        raise InvalidCountry(
            f"{code!r} is not a country code: use the two letters of ISO 3166-1, e.g. US, GB, NL.",
            field=field,
        )
    return normalised


def validate_usage_location(code: str) -> str:
    """A user's usage location (ISO 3166-1 alpha-2, upper-cased); Microsoft needs it to assign licences."""
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised not in ISO_COUNTRY_CODES:
        raise InvalidUsageLocation(
            f"The usage location must be a two-letter ISO 3166-1 country code such as US, GB or NL, "
            f"not {code!r}.",
            field="usage_location",
        )
    return normalised

"""How a person names an existing tenant (T3): its id (a GUID) or one of its domains."""

from __future__ import annotations

import re

from cspbroker.domain.errors import DomainError
from cspbroker.domain.tenants import TENANT_DOMAIN_SUFFIX

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class InvalidTenantReference(DomainError):
    code = "invalid_tenant_reference"


def is_tenant_id(reference: str) -> bool:
    """A parsed reference that is the tenant's id rather than a domain."""
    return bool(_GUID.match(reference))


def parse_reference(reference: str) -> str:
    """A tenant id (GUID) or a domain, lower-cased; a bare name means `<name>.onmicrosoft.com`."""
    value = (reference or "").strip().lower()
    if value and "." not in value and not _GUID.match(value):
        value += TENANT_DOMAIN_SUFFIX
    if _GUID.match(value) or _DOMAIN.match(value):
        return value
    raise InvalidTenantReference(
        "Enter the existing tenant's id (a GUID) or one of its domains, e.g. contoso.onmicrosoft.com.",
        field="tenant_name",
    )

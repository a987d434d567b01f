"""Schemas shared by several routers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class OrganizationRef(Schema):
    id: int
    kind: str
    legal_name: str


class MembershipOut(Schema):
    organization: OrganizationRef
    role: str
    is_staff: bool


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    via: str
    is_staff: bool
    memberships: list[MembershipOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Schema):
    name: str


class OrganizationOut(Schema):
    id: int
    kind: str
    parent_id: int | None
    legal_name: str
    contact_name: str
    contact_email: str
    contact_phone: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    tax_id: str
    currency: str
    time_zone: str
    billing_day: int


class OrganizationIn(Schema):
    kind: str
    parent_id: int
    legal_name: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str
    tax_id: str = ""
    currency: str
    time_zone: str = "UTC"
    billing_day: int = 1


class OrganizationPatch(Schema):
    legal_name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    tax_id: str | None = None
    currency: str | None = None
    time_zone: str | None = None
    billing_day: int | None = None

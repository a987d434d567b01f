"""Distributor sandbox: a local, stateful stand-in for the Rhipe PRISM API (indirect CSP, usage feed).

Paths and PascalCase shapes follow the public PRISM client code summarised in reference §4.1: a
client-credentials token at `/core/connect/token` (scope `rhipeapi`), tenants with their subscriptions, the
price list by date, tenant creation with a domain-prefix check, licence add / change / cancel. Rhipe does not
support mid-cycle package migration, so the sandbox refuses it with a clear error (seed 000).

The usage feed `GET /api/v2/microsoftcsp/usage` is our model: no public schema names the four billing metrics
of seed 001, so `UnitRate`, `SubTotal` (the carrier charge), `BillableRatio` and `Units` are our names for
them (see `usage` for how they are generated and related). Records carry a stable `UsageRecordId` and the
product GUID (`ProductId`), the key the platform rates and quarantines on.

Errors use the reference §1.5 shape `{"code", "description", "data", "source"}` with string codes.
"""

from .app import create_app

__all__ = ["create_app"]

"""ESD sandbox: a local, stateful stand-in for Microsoft's Electronic Software Distribution service.

No public ESD specification exists (reference §4.3: Microsoft's Channel Inclusion Services ESD API was
never published). This API is OUR model of the seed 003 flow: account synchronisation (a reseller with a
blank parent, the Microsoft contact email and role Reseller; an end customer with role User), a catalog of
perpetual products, one token per licence with a product key, an activation link and a download link that
expires after 5 days, and returns within 30 days (Microsoft's perpetual-software refund window).

Shapes: camelCase JSON; errors `{"code", "description", "data", "source"}` as in reference §1.5; token
issuance is idempotent on `MS-RequestId` (the same id returns the same tokens and issues nothing new).
"""

from .app import create_app

__all__ = ["create_app"]

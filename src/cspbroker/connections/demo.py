"""Demo connections: the operator's Partner Center, distributor and ESD accounts, all at the local sandbox.

The credentials are the sandbox's own (`SandboxConfig.from_env` on the same state directory that
`cspbroker sandbox serve` uses), so the demo works without anyone copying a secret.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cspbroker.accounts.access import SYSTEM
from cspbroker.accounts.models import Organization
from cspbroker.connections import services
from cspbroker.connections.models import Connection, ProviderKind
from cspbroker.sandbox.common.config import SandboxConfig

SANDBOX_HOST = os.environ.get("CSPB_SANDBOX_HOST", "127.0.0.1")
PORTS = {
    ProviderKind.PARTNER_CENTER: int(os.environ.get("CSPB_SANDBOX_PC_PORT", "8401")),
    ProviderKind.DISTRIBUTOR: int(os.environ.get("CSPB_SANDBOX_DISTRIBUTOR_PORT", "8402")),
    ProviderKind.ESD: int(os.environ.get("CSPB_SANDBOX_ESD_PORT", "8403")),
}
TOKEN_PATHS = {
    ProviderKind.PARTNER_CENTER: "/{tenant}/oauth2/token",
    ProviderKind.DISTRIBUTOR: "/core/connect/token",
    ProviderKind.ESD: "/oauth2/token",
}
NAMES = {
    ProviderKind.PARTNER_CENTER: "Partner Center (sandbox)",
    ProviderKind.DISTRIBUTOR: "Distributor (sandbox)",
    ProviderKind.ESD: "Microsoft ESD (sandbox)",
}


def sandbox_state_dir() -> Path:
    return Path(settings.VAR_DIR) / "sandbox"


@transaction.atomic
def load(operator: Organization) -> list[Connection]:
    """Create (once) the operator's three sandbox connections; existing ones are left as they are."""
    config = SandboxConfig.from_env(sandbox_state_dir())
    connections = []
    for kind, name in NAMES.items():
        existing = Connection.objects.filter(organization=operator, name=name).first()
        if existing is not None:
            connections.append(existing)
            continue
        base = f"http://{SANDBOX_HOST}:{PORTS[kind]}"
        connections.append(
            services.create_connection(
                actor=SYSTEM,
                organization_id=operator.pk,
                kind=kind.value,
                name=name,
                base_url=base,
                token_url=base + TOKEN_PATHS[kind],
                tenant_id=config.partner_tenant_id if kind == ProviderKind.PARTNER_CENTER else "",
                client_id=config.client_id,
                client_secret=config.client_secret,
            )
        )
    return connections

"""Sandbox configuration: where state lives and which credentials the token endpoint accepts."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

CLIENT_ID_ENV = "CSPB_SANDBOX_CLIENT_ID"
CLIENT_SECRET_ENV = "CSPB_SANDBOX_CLIENT_SECRET"
TENANT_ID_ENV = "CSPB_SANDBOX_TENANT_ID"
CREDENTIALS_FILE = "credentials.json"


@dataclass
class SandboxConfig:
    """What a sandbox server needs to start.

    `software_id_delay` is how long (on the sandbox clock) software entitlements wait before their
    software id / product key appears. `seed` makes generated data and fault decisions repeatable.
    `secret_from_env` is informational: `serve` prints the secret only when it was generated.
    """

    state_dir: Path
    client_id: str
    client_secret: str
    partner_tenant_id: str
    software_id_delay: timedelta = timedelta(minutes=10)
    seed: int = 0
    secret_from_env: bool = field(default=False, compare=False)

    @classmethod
    def from_env(cls, state_dir: Path) -> SandboxConfig:
        """Credentials from the environment, else generated once and kept in `state_dir/credentials.json`."""
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        path = state_dir / CREDENTIALS_FILE
        stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        generated = {
            "client_id": stored.get("client_id") or str(uuid.uuid4()),
            "client_secret": stored.get("client_secret") or secrets.token_urlsafe(30),
            "partner_tenant_id": stored.get("partner_tenant_id") or str(uuid.uuid4()),
        }
        if generated != stored:
            path.write_text(json.dumps(generated, indent=2))
            path.chmod(0o600)
        return cls(
            state_dir=state_dir,
            client_id=os.environ.get(CLIENT_ID_ENV) or generated["client_id"],
            client_secret=os.environ.get(CLIENT_SECRET_ENV) or generated["client_secret"],
            partner_tenant_id=os.environ.get(TENANT_ID_ENV) or generated["partner_tenant_id"],
            secret_from_env=bool(os.environ.get(CLIENT_SECRET_ENV)),
        )

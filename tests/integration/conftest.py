"""Fixtures for tests against a real database (SQLite or PostgreSQL, from DATABASE_URL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from cspbroker.accounts import demo as demo_data
from cspbroker.accounts.models import Organization


@dataclass
class Demo:
    organizations: dict[str, Organization]
    passwords: dict[str, str]

    def client_for(self, email: str) -> Client:
        client = Client()
        assert client.login(username=email, password=self.passwords[email]), email
        return client


@pytest.fixture
def demo(db) -> Demo:
    demo_data.load()
    by_name = {o.legal_name: o for o in Organization.objects.all()}
    keys = {"operator": demo_data.OPERATOR["legal_name"]}
    keys.update({key: fields["legal_name"] for key, _, _, fields in demo_data.ORGANIZATIONS})
    return Demo(
        organizations={key: by_name[name] for key, name in keys.items()},
        passwords={email: password for email, _, _, _, password in demo_data.LOGINS},
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; the suite logs in hundreds of times. Production keeps Argon2
    # (tests/unit/foundation/test_settings_env.py checks the configured hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class PartnerCenterSandbox:
    url: str
    tenant_id: str
    client_id: str
    client_secret: str

    @property
    def token_url(self) -> str:
        return f"{self.url}/{{tenant}}/oauth2/token"


@pytest.fixture
def pc_sandbox(tmp_path) -> Iterator[PartnerCenterSandbox]:
    """A Partner Center sandbox on a free loopback port, fresh state for each test."""
    from cspbroker.sandbox.common.config import SandboxConfig
    from cspbroker.sandbox.partnercenter.app import create_app
    from tests.sandbox_servers import running_app

    config = SandboxConfig(
        state_dir=tmp_path / "pc-sandbox",
        client_id=str(uuid.uuid4()),
        client_secret="sandbox-" + uuid.uuid4().hex,
        partner_tenant_id=str(uuid.uuid4()),
    )
    config.state_dir.mkdir(parents=True)
    with running_app(create_app(config)) as url:
        yield PartnerCenterSandbox(url, config.partner_tenant_id, config.client_id, config.client_secret)

"""Contract of the ESD client against the ESD sandbox, over real HTTP on loopback."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from cspbroker.domain.commerce import OrderType
from cspbroker.providers.errors import ProviderAuthError, ProviderRejected
from cspbroker.providers.esd import EsdClient, EsdLicenceToken
from cspbroker.providers.ports import EsdAccount, EsdPort
from cspbroker.sandbox.esd import create_app
from tests.integration.providers._distributor_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    Sandbox,
    sandbox_fixture,
)

sandbox = sandbox_fixture(create_app)

OFFICE_LTSC_2024 = "b30c5837-62a5-4d1f-b6d3-f7d2b682a045"
PRODUCT_KEY = re.compile(r"[A-Z0-9]{5}(-[A-Z0-9]{5}){4}")
RESELLER = EsdAccount(
    account_ref="reseller-1", name="Sandbox Reseller", email="csp@reseller.example", role="Reseller"
)
CUSTOMER = EsdAccount(
    account_ref="customer-42",
    name="Contoso Pty Ltd",
    email="licences@contoso.example",
    role="User",
    parent_account_ref="reseller-1",
)


def make_client(sandbox: Sandbox, *, secret: str = CLIENT_SECRET) -> EsdClient:
    return EsdClient(
        sandbox.url,
        f"{sandbox.url}/oauth2/token",
        CLIENT_ID,
        secret,
        backoff_base=0.01,
        timeout=httpx.Timeout(10.0),
    )


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[EsdClient]:
    with make_client(sandbox) as esd:
        yield esd


@pytest.fixture
def synchronised(client: EsdClient) -> EsdClient:
    client.sync_account(RESELLER)
    client.sync_account(CUSTOMER)
    return client


def issue_three(client: EsdClient, request_id: str) -> list[EsdLicenceToken]:
    tokens = client.issue_tokens(
        account_ref=CUSTOMER.account_ref,
        product_id=OFFICE_LTSC_2024,
        quantity=3,
        order_reference="SO-1001",
        request_id=request_id,
    )
    assert all(isinstance(token, EsdLicenceToken) for token in tokens)
    return [token for token in tokens if isinstance(token, EsdLicenceToken)]


# -- token and accounts ---------------------------------------------------------------------------


def test_bad_credentials_are_refused(sandbox: Sandbox) -> None:
    with make_client(sandbox, secret="wrong") as client, pytest.raises(ProviderAuthError):
        client.list_products()
    assert httpx.get(f"{sandbox.url}/api/v1/products").status_code == 401


def test_reseller_and_end_customer_are_synchronised(client: EsdClient) -> None:
    reseller = client.sync_account(RESELLER)
    customer = client.sync_account(CUSTOMER)

    assert (reseller.status, customer.status) == ("synchronised", "synchronised")
    assert customer.synchronised_at is not None
    assert client.get_account("customer-42").status == "synchronised"


def test_a_reseller_with_a_parent_account_is_refused(client: EsdClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.sync_account(
            EsdAccount("reseller-2", "R2", "csp@r2.example", "Reseller", parent_account_ref="x")
        )

    assert (refused.value.status, refused.value.code) == (400, "ParentNotAllowed")
    assert "blank parent" in refused.value.description


def test_a_malformed_email_is_refused(client: EsdClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.sync_account(EsdAccount("customer-9", "C9", "not-an-email", "User"))

    assert (refused.value.status, refused.value.code) == (400, "InvalidEmail")
    assert refused.value.data[0]["field"] == "email"


def test_an_unknown_role_is_refused(client: EsdClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.sync_account(EsdAccount("customer-9", "C9", "c9@example.com", "Admin"))

    assert (refused.value.status, refused.value.code) == (400, "InvalidRole")


def test_an_account_never_synchronised_is_not_found(client: EsdClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.get_account("nobody")

    assert (refused.value.status, refused.value.code) == (404, "AccountNotFound")


# -- catalog ------------------------------------------------------------------------------------


def test_catalog_lists_perpetual_products_with_usd_and_eur_prices(client: EsdClient) -> None:
    products = {product.name: product for product in client.list_products()}

    office = products["Office LTSC Standard 2024"]
    assert (office.price("USD"), office.price("EUR")) == (Decimal("439.00"), Decimal("409.00"))
    assert office.licence_type == "Perpetual"
    assert {"Windows Server 2025 Standard - 16 Core", "SQL Server 2022 Standard - 2 Core"} <= set(products)
    assert {"Windows 11 Pro Upgrade", "Visio LTSC Standard 2024", "Project LTSC Standard 2024"} <= set(
        products
    )


# -- tokens -------------------------------------------------------------------------------------


def test_tokens_for_an_unsynchronised_account_are_refused_with_409(client: EsdClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        client.issue_tokens(account_ref="customer-77", product_id=OFFICE_LTSC_2024, quantity=1)

    assert (refused.value.status, refused.value.code) == (409, "AccountNotSynchronised")


def test_three_licences_give_three_distinct_tokens(synchronised: EsdClient) -> None:
    tokens = issue_three(synchronised, str(uuid.uuid4()))

    assert len(tokens) == 3
    assert len({token.token for token in tokens}) == 3
    assert len({token.token_id for token in tokens}) == 3
    for token in tokens:
        assert PRODUCT_KEY.fullmatch(token.token)
        assert token.product_id == OFFICE_LTSC_2024
        assert token.status == "issued"
        assert token.activation_link and token.download_link
        assert token.issued_at is not None
        assert token.link_expires_at == token.issued_at + timedelta(days=5)
        assert token.order_reference == "SO-1001"


def test_repeating_the_request_id_returns_the_same_tokens_and_issues_nothing(synchronised: EsdClient) -> None:
    request_id = str(uuid.uuid4())
    first = issue_three(synchronised, request_id)

    again = issue_three(synchronised, request_id)

    assert [(t.token_id, t.token) for t in again] == [(t.token_id, t.token) for t in first]
    assert len(synchronised.list_tokens(CUSTOMER.account_ref)) == 3


def test_token_lookup(synchronised: EsdClient) -> None:
    issued = issue_three(synchronised, str(uuid.uuid4()))[1]

    found = synchronised.get_token(issued.token_id)

    assert found == issued


def test_return_within_30_days_then_refused_after_31(sandbox: Sandbox, synchronised: EsdClient) -> None:
    first, second, _ = issue_three(synchronised, str(uuid.uuid4()))

    returned = synchronised.return_token(first.token_id)
    assert returned.status == "returned"
    assert returned.returned_at is not None
    sandbox.advance_clock("P31D")

    with pytest.raises(ProviderRejected) as refused:
        synchronised.return_token(second.token_id)
    assert (refused.value.status, refused.value.code) == (400, "ReturnWindowExpired")
    assert synchronised.get_token(second.token_id).status == "issued"


def test_download_link_expires_after_5_days_and_can_be_renewed(
    sandbox: Sandbox, synchronised: EsdClient
) -> None:
    token = issue_three(synchronised, str(uuid.uuid4()))[0]
    assert token.download_link is not None
    assert httpx.get(token.download_link).status_code == 200

    sandbox.advance_clock("P5DT1H")
    assert httpx.get(token.download_link).status_code == 410
    renewed = synchronised.renew_download_link(token.token_id)

    assert renewed.download_link is not None
    assert httpx.get(renewed.download_link).status_code == 200
    assert httpx.get(token.download_link).status_code == 410


def test_the_client_implements_the_port_and_declares_esd_capabilities(client: EsdClient) -> None:
    port: EsdPort = client

    assert port is client
    assert not client.capabilities.supports(OrderType.ADD_QUANTITY)


# -- faults -------------------------------------------------------------------------------------


def test_503_twice_on_issuance_then_success_issues_once(sandbox: Sandbox, synchronised: EsdClient) -> None:
    sandbox.add_fault(kind="503", path_pattern="/tokens$", method="POST", next_n=2, retry_after=1)

    tokens = issue_three(synchronised, str(uuid.uuid4()))

    assert len(tokens) == 3
    assert len(synchronised.list_tokens(CUSTOMER.account_ref)) == 3
    assert sandbox.faults() == []


def test_429_with_retry_after_then_success(sandbox: Sandbox, client: EsdClient) -> None:
    sandbox.add_fault(kind="429", path_pattern="/api/v1/products", next_n=1, retry_after=1)

    assert len(client.list_products()) == 9
    assert sandbox.faults() == []


def test_a_final_400_is_not_retried(sandbox: Sandbox, synchronised: EsdClient) -> None:
    with pytest.raises(ProviderRejected) as refused:
        synchronised.issue_tokens(account_ref=CUSTOMER.account_ref, product_id="nope", quantity=1)

    assert (refused.value.status, refused.value.code) == (400, "UnknownProduct")

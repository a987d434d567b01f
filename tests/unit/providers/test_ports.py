"""Ports, and the capability declarations the clients carry (the domain's types)."""

from __future__ import annotations

import inspect

import pytest

from cspbroker.domain.commerce import (
    DISTRIBUTOR_CAPABILITIES,
    PARTNER_CENTER_CAPABILITIES,
    OrderType,
    OrderTypeUnsupported,
    ProviderCapabilities,
    check_supported,
)
from cspbroker.providers import ports
from cspbroker.providers.distributor import DistributorClient
from cspbroker.providers.esd import EsdClient
from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.ports import ESD_CAPABILITIES

PARTNER_CENTER_PORTS = [
    ports.TenantsPort,
    ports.UsersAndLicencesPort,
    ports.CatalogPort,
    ports.OrdersPort,
    ports.SubscriptionsPort,
    ports.TransitionsPort,
    ports.EntitlementsPort,
    ports.AuditPort,
    ports.ReconciliationPort,
    ports.PartnerCenterClientPort,
]


@pytest.mark.parametrize("port", PARTNER_CENTER_PORTS, ids=lambda port: port.__name__)
def test_partner_center_client_has_every_method_of_its_ports(port: type) -> None:
    methods = [name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")]

    assert methods
    for name in methods:
        assert callable(getattr(PartnerCenterClient, name, None)), f"{port.__name__}.{name} missing"


@pytest.mark.parametrize(
    ("client", "port"),
    [(DistributorClient, ports.DistributorClientPort), (EsdClient, ports.EsdClientPort)],
    ids=lambda value: value.__name__,
)
def test_the_other_clients_have_every_method_of_their_ports(client: type, port: type) -> None:
    methods = [name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")]

    assert "close" in methods
    for name in methods:
        assert callable(getattr(client, name, None)), f"{port.__name__}.{name} missing"


def test_ports_declare_no_order_types_of_their_own() -> None:
    assert not hasattr(ports, "Capabilities")
    assert {"OrderType", "PARTNER_CENTER_CAPABILITIES", "DISTRIBUTOR_CAPABILITIES"}.isdisjoint(ports.__all__)


def test_every_client_declares_the_domains_capabilities() -> None:
    assert PartnerCenterClient.capabilities is PARTNER_CENTER_CAPABILITIES
    assert DistributorClient.capabilities is DISTRIBUTOR_CAPABILITIES
    assert EsdClient.capabilities is ESD_CAPABILITIES
    assert isinstance(ESD_CAPABILITIES, ProviderCapabilities)


def test_partner_center_supports_everything_but_a_package_migration() -> None:
    assert PARTNER_CENTER_CAPABILITIES.supported == frozenset(OrderType) - {
        OrderType.MID_CYCLE_PACKAGE_MIGRATION
    }
    assert "upgrade the subscription" in (
        PARTNER_CENTER_CAPABILITIES.reason(OrderType.MID_CYCLE_PACKAGE_MIGRATION) or ""
    )


def test_distributor_refuses_mid_cycle_package_migration_and_cancels_the_billing_only() -> None:
    reason = DISTRIBUTOR_CAPABILITIES.reason(OrderType.MID_CYCLE_PACKAGE_MIGRATION)

    assert reason is not None and "Mid-cycle package migrations" in reason
    assert DISTRIBUTOR_CAPABILITIES.reason(OrderType.ADD_QUANTITY) is None
    assert DISTRIBUTOR_CAPABILITIES.cancellation_is_billing_only is True


def test_esd_only_sells_new_licences_and_says_why_for_everything_else() -> None:
    assert ESD_CAPABILITIES.supported == frozenset({OrderType.NEW})
    assert ESD_CAPABILITIES.reason(OrderType.ADD_QUANTITY) == (
        "ESD licences are perpetual and bought one per item: to add licences, buy again."
    )
    assert ESD_CAPABILITIES.reason(OrderType.REMOVE_QUANTITY) == (
        "ESD licences are perpetual and bought one per item: to decrease, remove items."
    )
    assert set(ESD_CAPABILITIES.reasons) == set(OrderType) - {OrderType.NEW}
    assert not ESD_CAPABILITIES.cancellation_is_billing_only


def test_an_unsupported_esd_order_is_refused_with_its_reason() -> None:
    with pytest.raises(OrderTypeUnsupported) as refusal:
        check_supported(ESD_CAPABILITIES, OrderType.SUSPEND)

    assert refusal.value.code == "order_type_unsupported"
    assert str(refusal.value) == "A perpetual licence cannot be suspended."
    check_supported(ESD_CAPABILITIES, OrderType.NEW)

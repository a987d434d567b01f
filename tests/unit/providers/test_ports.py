"""Ports and capability declarations."""

from __future__ import annotations

import inspect

import pytest

from cspbroker.providers import ports
from cspbroker.providers.partnercenter import PartnerCenterClient
from cspbroker.providers.ports import (
    DISTRIBUTOR_CAPABILITIES,
    ESD_CAPABILITIES,
    PARTNER_CENTER_CAPABILITIES,
    OrderType,
)

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
]


@pytest.mark.parametrize("port", PARTNER_CENTER_PORTS, ids=lambda port: port.__name__)
def test_partner_center_client_has_every_method_of_its_ports(port: type) -> None:
    methods = [name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")]

    assert methods
    for name in methods:
        assert callable(getattr(PartnerCenterClient, name, None)), f"{port.__name__}.{name} missing"


def test_partner_center_supports_every_order_type() -> None:
    assert all(PARTNER_CENTER_CAPABILITIES.supports(order_type) for order_type in OrderType)
    assert PartnerCenterClient.capabilities is PARTNER_CENTER_CAPABILITIES


def test_distributor_declares_mid_cycle_package_migration_unsupported_with_a_reason() -> None:
    assert not DISTRIBUTOR_CAPABILITIES.supports(OrderType.MID_CYCLE_PACKAGE_MIGRATION)
    reason = DISTRIBUTOR_CAPABILITIES.reason_unsupported(OrderType.MID_CYCLE_PACKAGE_MIGRATION)
    assert reason is not None and "mid-cycle package migrations" in reason
    assert DISTRIBUTOR_CAPABILITIES.supports(OrderType.ADD_QUANTITY)
    assert DISTRIBUTOR_CAPABILITIES.reason_unsupported(OrderType.ADD_QUANTITY) is None
    assert DISTRIBUTOR_CAPABILITIES.cancellation_is_billing_only is True


def test_esd_only_sells_new_licences() -> None:
    assert ESD_CAPABILITIES.supported == frozenset({OrderType.NEW})
    assert ESD_CAPABILITIES.reason_unsupported(OrderType.ADD_QUANTITY) == (
        "ESD licences are perpetual and bought one per item: to add licences, buy again."
    )

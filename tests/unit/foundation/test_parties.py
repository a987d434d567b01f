"""The access rules of the organisation tree, without a database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.parties import (
    Action,
    Grant,
    InvalidHierarchy,
    OrganizationKind,
    Role,
    check_parent,
    check_role,
    may,
    permits,
)

OPERATOR, RESELLER_A, RESELLER_B, CUSTOMER_A1, CUSTOMER_B1, DIRECT = 1, 2, 3, 4, 5, 6
ANCESTRY = {
    OPERATOR: [1],
    RESELLER_A: [1, 2],
    RESELLER_B: [1, 3],
    CUSTOMER_A1: [1, 2, 4],
    CUSTOMER_B1: [1, 3, 5],
    DIRECT: [1, 6],
}


def test_operator_is_the_root_and_has_no_parent():
    check_parent(OrganizationKind.OPERATOR, None)
    with pytest.raises(InvalidHierarchy) as error:
        check_parent(OrganizationKind.OPERATOR, OrganizationKind.OPERATOR)
    assert error.value.code == "parent_forbidden"


def test_a_customer_may_sit_under_a_reseller_or_directly_under_the_operator():
    check_parent(OrganizationKind.CUSTOMER, OrganizationKind.RESELLER)
    check_parent(OrganizationKind.CUSTOMER, OrganizationKind.OPERATOR)


def test_a_customer_cannot_sit_under_a_customer_and_the_message_says_where_it_can():
    with pytest.raises(InvalidHierarchy) as error:
        check_parent(OrganizationKind.CUSTOMER, OrganizationKind.CUSTOMER)
    assert error.value.code == "parent_invalid"
    assert error.value.message == "A customer can only belong to a operator or reseller, not a customer."
    assert error.value.field == "parent"


def test_a_reseller_needs_a_parent():
    with pytest.raises(InvalidHierarchy) as error:
        check_parent(OrganizationKind.RESELLER, None)
    assert error.value.code == "parent_required"


def test_roles_belong_to_their_kind_of_organisation():
    check_role(Role.RESELLER_STAFF, OrganizationKind.RESELLER)
    with pytest.raises(InvalidHierarchy) as error:
        check_role(Role.CUSTOMER_ADMIN, OrganizationKind.RESELLER)
    assert error.value.code == "role_invalid"


@pytest.mark.parametrize(
    ("role", "home", "target", "action", "expected"),
    [
        (Role.OPERATOR_ADMIN, OPERATOR, CUSTOMER_B1, Action.CHANGE, True),
        (Role.OPERATOR_ADMIN, OPERATOR, DIRECT, Action.ADMINISTER, True),
        (Role.RESELLER_ADMIN, RESELLER_A, CUSTOMER_A1, Action.CHANGE, True),
        (Role.RESELLER_ADMIN, RESELLER_A, RESELLER_A, Action.ADMINISTER, True),
        (Role.RESELLER_ADMIN, RESELLER_A, CUSTOMER_B1, Action.VIEW, False),
        (Role.RESELLER_ADMIN, RESELLER_A, OPERATOR, Action.VIEW, False),
        (Role.RESELLER_ADMIN, RESELLER_A, DIRECT, Action.VIEW, False),
        (Role.RESELLER_STAFF, RESELLER_A, CUSTOMER_A1, Action.CHANGE, True),
        (Role.RESELLER_STAFF, RESELLER_A, RESELLER_A, Action.CHANGE, False),
        (Role.RESELLER_STAFF, RESELLER_A, RESELLER_A, Action.VIEW, True),
        (Role.RESELLER_STAFF, RESELLER_A, CUSTOMER_A1, Action.ADMINISTER, False),
        (Role.RESELLER_STAFF, RESELLER_A, CUSTOMER_A1, Action.VIEW_COST, True),
        (Role.CUSTOMER_ADMIN, CUSTOMER_A1, CUSTOMER_A1, Action.CHANGE, True),
        (Role.CUSTOMER_ADMIN, CUSTOMER_A1, CUSTOMER_A1, Action.VIEW_COST, False),
        (Role.CUSTOMER_ADMIN, CUSTOMER_A1, RESELLER_A, Action.VIEW, False),
        (Role.CUSTOMER_ADMIN, CUSTOMER_A1, CUSTOMER_B1, Action.VIEW, False),
        (Role.CUSTOMER_USER, CUSTOMER_A1, CUSTOMER_A1, Action.VIEW, True),
        (Role.CUSTOMER_USER, CUSTOMER_A1, CUSTOMER_A1, Action.CHANGE, False),
    ],
)
def test_access_matrix(role, home, target, action, expected):
    assert permits(Grant(home, role), ANCESTRY[target], action) is expected


@given(
    role=st.sampled_from(list(Role)),
    home=st.sampled_from(sorted(ANCESTRY)),
    target=st.sampled_from(sorted(ANCESTRY)),
    action=st.sampled_from(list(Action)),
)
def test_nobody_reaches_outside_their_own_subtree(role, home, target, action):
    if home not in ANCESTRY[target]:
        assert not permits(Grant(home, role), ANCESTRY[target], action)


@given(
    role=st.sampled_from(list(Role)),
    target=st.sampled_from(sorted(ANCESTRY)),
    action=st.sampled_from(list(Action)),
)
def test_whoever_may_change_or_administer_may_also_view(role, target, action):
    grant = Grant(ANCESTRY[target][0], role)
    if permits(grant, ANCESTRY[target], action):
        assert permits(grant, ANCESTRY[target], Action.VIEW)


def test_customers_never_see_cost():
    for role in (Role.CUSTOMER_ADMIN, Role.CUSTOMER_USER):
        assert not permits(Grant(CUSTOMER_A1, role), ANCESTRY[CUSTOMER_A1], Action.VIEW_COST)


def test_may_takes_the_union_of_grants():
    grants = [Grant(CUSTOMER_A1, Role.CUSTOMER_USER), Grant(CUSTOMER_B1, Role.CUSTOMER_ADMIN)]
    assert may(grants, ANCESTRY[CUSTOMER_B1], Action.CHANGE)
    assert not may(grants, ANCESTRY[CUSTOMER_A1], Action.CHANGE)

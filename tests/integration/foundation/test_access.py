"""The access rules turned into queries, on the demo tree."""

import pytest
from django.http import Http404

from cspbroker.accounts import selectors
from cspbroker.accounts.access import actor_for, may, visible_organizations
from cspbroker.accounts.models import User
from cspbroker.domain.parties import Action


def names(queryset):
    return sorted(o.legal_name for o in queryset)


def actor(email):
    return actor_for(User.objects.get(email=email))


def test_operator_admin_sees_the_whole_tree(demo):
    assert visible_organizations(actor("admin@alpine-cloud.example")).count() == 7


def test_reseller_admin_sees_own_reseller_and_its_customers_only(demo):
    assert names(visible_organizations(actor("admin@tailspin.example"))) == [
        "Adventure Works Cycles GmbH",
        "Litware Architects GmbH",
        "Tailspin IT Services GmbH",
    ]


def test_reseller_staff_changes_customers_but_not_the_reseller(demo):
    staff = actor("staff@tailspin.example")
    assert names(visible_organizations(staff, Action.CHANGE)) == [
        "Adventure Works Cycles GmbH",
        "Litware Architects GmbH",
    ]
    assert not may(staff, Action.ADMINISTER, demo.organizations["tailspin"])


def test_customer_sees_only_itself(demo):
    customer = actor("admin@adventureworks.example")
    assert names(visible_organizations(customer)) == ["Adventure Works Cycles GmbH"]
    assert not may(customer, Action.VIEW, demo.organizations["litware"])


def test_another_customers_object_is_404_not_403(demo):
    customer = actor("admin@adventureworks.example")
    with pytest.raises(Http404):
        selectors.organization_for(customer, demo.organizations["wingtip"].pk)


def test_the_customer_directly_under_the_operator_is_invisible_to_resellers(demo):
    assert "Northwind Traders GmbH" not in names(visible_organizations(actor("admin@woodgrove.example")))


def test_visible_organizations_is_one_query(demo, django_assert_num_queries):
    reseller = actor("admin@tailspin.example")
    with django_assert_num_queries(1):
        list(visible_organizations(reseller))


def test_demo_load_twice_changes_nothing(demo):
    from cspbroker.accounts import demo as demo_data
    from cspbroker.accounts.models import Membership, Organization

    before = (Organization.objects.count(), User.objects.count(), Membership.objects.count())
    demo_data.load()
    assert (
        (Organization.objects.count(), User.objects.count(), Membership.objects.count())
        == before
        == (7, 9, 9)
    )

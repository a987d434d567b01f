"""The back-office and storefront pages: forms with errors next to their fields, htmx fragments, queries."""

from __future__ import annotations

from cspbroker.tenants.models import LicenceAssignment, Tenant, TenantUser

RESELLER = "admin@tailspin.example"


def test_the_name_check_answers_while_typing(demo, connection):
    client = demo.client_for(RESELLER)
    url = f"/backoffice/customers/{demo.organizations['adventureworks'].pk}/tenant/domain-check/"
    free = client.get(url, {"tenant_name": "adventureworks"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-available="yes"' in free and "adventureworks.onmicrosoft.com is available." in free
    taken = client.get(url, {"tenant_name": "fabrikam"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-available="no"' in taken and "tenant already exists" in taken
    invalid = client.get(url, {"tenant_name": "adventure_works"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-available="invalid"' in invalid and "remove “_”" in invalid
    linking = client.get(url, {"tenant_name": "x", "existing": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert "will be linked" in linking


def test_the_form_is_prefilled_from_the_customer_and_says_which_field_is_missing(demo, connection):
    customer = demo.organizations["litware"]
    client = demo.client_for(RESELLER)
    page = client.get(f"/backoffice/customers/{customer.pk}/tenant/new/").content.decode()
    assert 'value="Bauhausplatz 3"' in page and 'value="Lena"' in page and 'value="Hofmann"' in page
    assert "hx-get=" in page and "domain-check" in page
    response = client.post(
        f"/backoffice/customers/{customer.pk}/tenant/new/",
        {
            "tenant_name": "litware",
            "company_name": "Litware Architects GmbH",
            "first_name": "Lena",
            "country": "DE",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "The company address is missing: contact last name, email, address line 1, city, postal code." in page
    )
    assert (
        'id="address_line1-error"' in page and 'id="city-error"' in page and 'id="country-error"' not in page
    )
    assert not Tenant.objects.exists()


def test_creating_from_the_form_shows_the_tenant_being_created_then_active(
    demo, connection, django_capture_on_commit_callbacks
):
    customer = demo.organizations["litware"]
    client = demo.client_for(RESELLER)
    form = client.get(f"/backoffice/customers/{customer.pk}/tenant/new/").context["form"]
    data = {key: value for key, value in form.initial.items() if value}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/backoffice/customers/{customer.pk}/tenant/new/", {**data, "tenant_name": "litwarearchitects"}
        )
    tenant = Tenant.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/backoffice/tenants/{tenant.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert (
        "Creating litwarearchitects.onmicrosoft.com at Partner Center" in page
        and 'hx-trigger="every 2s"' in page
    )
    polled = client.get(f"/backoffice/tenants/{tenant.pk}/status/", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polled
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    polled = client.get(f"/backoffice/tenants/{tenant.pk}/status/", HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    assert Tenant.objects.get().status == "active"


def test_a_failed_tenant_is_retried_from_its_page_with_a_corrected_name(
    demo, connection, api, django_capture_on_commit_callbacks
):
    customer = demo.organizations["adventureworks"]
    with django_capture_on_commit_callbacks(execute=True):
        api().post(f"/customers/{customer.pk}/tenants", {"name": "fabrikam"})
    tenant = Tenant.objects.get()
    client = demo.client_for(RESELLER)
    invalid = client.post(f"/backoffice/tenants/{tenant.pk}/retry/", {"tenant_name": "fabri kam"})
    assert invalid.status_code == 400 and "remove space" in invalid.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/backoffice/tenants/{tenant.pk}/retry/", {"tenant_name": "adventureworksbikes"}
        )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.status, tenant.domain) == ("active", "adventureworksbikes.onmicrosoft.com")


def test_the_user_form_names_the_password_rule_that_failed(new_tenant, demo):
    client = demo.client_for("admin@adventureworks.example")
    response = client.post(
        f"/store/tenant/{new_tenant.pk}/users/new/",
        {
            "user_principal_name": "uwe.rad@adventureworks.onmicrosoft.com",
            "first_name": "Uwe",
            "last_name": "Rad",
            "usage_location": "DE",
            "password_mode": "specify_no_email",
            "password": "radfahren",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    errors = page[page.index('id="password-error"') :]
    assert "It must contain an upper-case letter (A–Z)." in errors
    assert "It must not contain parts of the account name (“rad”)." in errors


def test_create_and_delete_a_user_from_the_pages(
    new_tenant, demo, mailoutbox, django_capture_on_commit_callbacks
):
    client = demo.client_for("admin@adventureworks.example")
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            f"/store/tenant/{new_tenant.pk}/users/new/",
            {
                "user_principal_name": "uwe.rad@adventureworks.onmicrosoft.com",
                "display_name": "Uwe Rad",
                "usage_location": "de",
                "password_mode": "auto_generate_and_email",
                "email_to": "uwe@adventureworks.example",
            },
        )
    assert created.status_code == 302
    listing = client.get(created["Location"]).content.decode()
    assert "uwe.rad@adventureworks.onmicrosoft.com is created." in listing
    user = TenantUser.objects.get(user_principal_name="uwe.rad@adventureworks.onmicrosoft.com")
    confirm = client.get(f"/store/tenant/{new_tenant.pk}/users/{user.pk}/delete/").content.decode()
    assert "Delete Uwe Rad?" in confirm
    deleted = client.post(f"/store/tenant/{new_tenant.pk}/users/{user.pk}/delete/")
    assert deleted.status_code == 302
    user.refresh_from_db()
    assert not user.is_active


def test_list_pages_take_a_fixed_number_of_queries(northwind, demo, django_assert_max_num_queries):
    TenantUser.objects.bulk_create(
        [
            TenantUser(tenant=northwind, user_principal_name=f"u{i}@x", display_name=f"U {i:03d}")
            for i in range(80)
        ]
    )
    LicenceAssignment.objects.bulk_create(
        [LicenceAssignment(user=u, licence_sku_id="x") for u in TenantUser.objects.filter(tenant=northwind)]
    )
    store = demo.client_for("admin@northwind.example")
    with django_assert_max_num_queries(20):
        page = store.get(f"/store/tenant/{northwind.pk}/users/")
    assert page.status_code == 200 and page.content.count(b'name="user_ids"') == 50
    with django_assert_max_num_queries(20):
        assert store.get(f"/store/tenant/{northwind.pk}/").status_code == 200
    operator = demo.client_for("admin@alpine-cloud.example")
    with django_assert_max_num_queries(15):
        assert operator.get("/backoffice/tenants/").status_code == 200
    searched = store.get(f"/store/tenant/{northwind.pk}/users/", {"q": "U 07"}, HTTP_HX_REQUEST="true")
    assert searched.content.count(b'name="user_ids"') == 10 and b"<html" not in searched.content


def test_the_storefront_leads_to_the_customers_own_tenant(northwind, demo):
    client = demo.client_for("admin@northwind.example")
    assert client.get("/store/tenant/")["Location"] == f"/store/tenant/{northwind.pk}/"
    assert client.get("/store/users/")["Location"] == f"/store/tenant/{northwind.pk}/users/"
    none = demo.client_for("admin@litware.example").get("/store/tenant/")
    assert none.status_code == 200 and b"no active Microsoft 365 tenant" in none.content

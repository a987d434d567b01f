"""The web shell: login, areas, password reset, the account page, the admin, error pages."""

import re

from django.core import mail
from django.test import Client


def test_login_page_and_a_wrong_password_says_so_without_logging_in(demo):
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "admin@tailspin.example", "password": "wrong"})
    assert response.status_code == 200
    assert "The email or the password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_gets_the_same_message(demo):
    response = Client().post("/login/", {"username": "nobody@nowhere.example", "password": "x"})
    assert "The email or the password is wrong." in response.content.decode()


def test_a_malformed_email_is_a_field_error(demo):
    response = Client().post("/login/", {"username": "not-an-email", "password": "x"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_staff_land_in_the_back_office_and_customers_in_the_storefront(demo):
    staff = Client()
    response = staff.post(
        "/login/",
        {"username": "staff@tailspin.example", "password": demo.passwords["staff@tailspin.example"]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/backoffice/"
    assert "Back office" in response.content.decode()
    customer = Client()
    response = customer.post(
        "/login/",
        {
            "username": "admin@adventureworks.example",
            "password": demo.passwords["admin@adventureworks.example"],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/store/"
    page = response.content.decode()
    assert "Storefront" in page and "Adventure Works Cycles GmbH" in page


def test_customers_get_404_in_the_back_office_and_staff_in_the_storefront(demo):
    assert demo.client_for("admin@adventureworks.example").get("/backoffice/").status_code == 404
    assert demo.client_for("staff@tailspin.example").get("/store/").status_code == 404


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get("/backoffice/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_back_office_lists_only_the_resellers_own_customers(demo):
    page = demo.client_for("admin@tailspin.example").get("/backoffice/organizations/").content.decode()
    assert "Adventure Works Cycles GmbH" in page and "Litware Architects GmbH" in page
    assert "Wingtip Toys Inc." not in page and "Northwind Traders GmbH" not in page


def test_back_office_search_answers_htmx_with_rows_only(demo):
    response = demo.client_for("admin@alpine-cloud.example").get(
        "/backoffice/organizations/", {"q": "wing"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "<html" not in page and "Wingtip Toys Inc." in page and "Litware" not in page


def test_another_resellers_customer_page_is_404(demo):
    wingtip = demo.organizations["wingtip"].pk
    assert (
        demo.client_for("admin@tailspin.example").get(f"/backoffice/organizations/{wingtip}/").status_code
        == 404
    )


def test_password_reset_sends_a_working_link(demo):
    client = Client()
    response = client.post("/password-reset/", {"email": "admin@adventureworks.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@adventureworks.example"]
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Brand-New-Pass-42", "new_password2": "Brand-New-Pass-42"})
    assert done.status_code == 302
    assert Client().login(username="admin@adventureworks.example", password="Brand-New-Pass-42")


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(db):
    response = Client().post("/password-reset/", {"email": "nobody@nowhere.example"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_account_page_creates_shows_once_and_revokes_a_token(demo):
    client = demo.client_for("admin@tailspin.example")
    created = client.post("/account/tokens/", {"name": "automation"})
    assert created.status_code == 201
    secret = re.search(r'data-testid="new-token">(cspb_[^<]+)<', created.content.decode()).group(1)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert secret not in client.get("/account/").content.decode()
    from cspbroker.accounts.models import ApiToken

    token = ApiToken.objects.get(name="automation")
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_account_page_refuses_an_empty_token_name(demo):
    response = demo.client_for("admin@tailspin.example").post("/account/tokens/", {"name": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_django_admin_is_for_the_operator_only(demo):
    assert demo.client_for("admin@alpine-cloud.example").get("/admin/").status_code == 200
    for email in ["admin@tailspin.example", "admin@adventureworks.example"]:
        assert demo.client_for(email).get("/admin/").status_code == 302  # sent to the admin login


def test_unknown_page_is_a_friendly_404(db):
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and "Traceback" not in response.content.decode()


def test_health_reports_the_database(db):
    assert Client().get("/healthz").json()["status"] == "ok"


def test_htmx_and_stylesheet_are_served_locally(db, client):
    page = Client().get("/login/").content.decode()
    assert (
        "/static/cspbroker/vendor/htmx.min.js" in page
        and "://unpkg" not in page
        and "cdn" not in page.lower()
    )

"""A person logs in through the real browser and lands in their area."""

import pytest

from cspbroker.accounts.demo import LOGINS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PASSWORDS = {email: password for email, _, _, _, password in LOGINS}


def log_in(page, url, email):
    page.goto(f"{url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Log in").click()


def test_a_demo_customer_logs_in_and_sees_the_storefront(platform_url, page, tmp_path):
    log_in(page, platform_url, "admin@adventureworks.example")
    page.wait_for_url(f"{platform_url}/store/")
    assert page.get_by_role("heading", name="My services").is_visible()
    assert page.get_by_role("heading", name="Adventure Works Cycles GmbH").is_visible()
    assert page.locator(".area-label").inner_text() == "Storefront"
    page.screenshot(path=str(tmp_path / "storefront.png"))


def test_every_demo_login_works(platform_url, page):
    for email in PASSWORDS:
        log_in(page, platform_url, email)
        page.wait_for_url(lambda url: url.endswith(("/backoffice/", "/store/")))
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{platform_url}/login/")


def test_a_wrong_password_is_refused_with_a_message(platform_url, page):
    page.goto(f"{platform_url}/login/")
    page.get_by_label("Email").fill("admin@adventureworks.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("The email or the password is wrong.")


def test_reseller_filters_organisations_live_with_htmx(platform_url, page):
    log_in(page, platform_url, "admin@tailspin.example")
    page.wait_for_url(f"{platform_url}/backoffice/")
    page.get_by_role("link", name="Organisations").click()
    page.get_by_label("Search").fill("litw")
    page.wait_for_function("document.querySelectorAll('#organization-rows tr').length === 1")
    assert "Litware Architects GmbH" in page.locator("#organization-rows").inner_text()

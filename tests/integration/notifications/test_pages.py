"""Back-office pages: editing templates with a live preview, and the outbox, scoped and bodiless."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cspbroker.accounts.models import User
from cspbroker.notifications import delivery, services
from cspbroker.notifications.models import MAX_ATTEMPTS, EmailStatus, EmailTemplate, OutboundEmail
from cspbroker.notifications.templates_catalog import BY_KEY

pytestmark = pytest.mark.usefixtures("default_templates")

OPERATOR = "admin@alpine-cloud.example"
TAILSPIN_ADMIN = "admin@tailspin.example"
TAILSPIN_STAFF = "staff@tailspin.example"
WOODGROVE_ADMIN = "admin@woodgrove.example"
CUSTOMER = "admin@adventureworks.example"
EDIT_URL = "/backoffice/notifications/templates/esd_licence/"
PREVIEW_URL = "/backoffice/notifications/templates/esd_licence/preview/"
OUTBOX_URL = "/backoffice/notifications/outbox/"


def form(**changes: str) -> dict[str, str]:
    template = EmailTemplate.objects.get(key="esd_licence")
    data = {
        "name": template.name,
        "subject": template.subject,
        "body": template.body,
        "extra_recipients": template.extra_recipients,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_staff_see_the_templates_and_the_edit_page_previews_with_sample_data(demo):
    client = demo.client_for(TAILSPIN_STAFF)

    listing = client.get("/backoffice/notifications/").content.decode()
    page = client.get(EDIT_URL).content.decode()

    assert "Welcome Microsoft ESD customer" in listing and "New tenant: administrator credentials" in listing
    assert 'id="preview-subject">Your Microsoft licence: Microsoft Office Home &amp; Business 2024<' in page
    assert "Product key: KX7RT-9PQWM-3HD2V-Y8CBN-46JFG" in page


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_every_default_template_opens_and_previews_without_an_error(demo, key):
    page = demo.client_for(OPERATOR).get(f"/backoffice/notifications/templates/{key}/").content.decode()

    assert 'id="preview-subject"' in page and 'class="error"' not in page
    for name in BY_KEY[key].variables:
        assert f"<code>{name}</code>" in page


def test_the_operator_saves_a_template_and_new_emails_use_it(demo):
    client = demo.client_for(OPERATOR)

    response = client.post(
        EDIT_URL,
        form(
            subject="Licence for {{ customer_name }}",
            extra_recipients="managed@tailspin.example,  MANAGED@tailspin.example , ops@tailspin.example",
        ),
    )

    assert response.status_code == 302
    saved = EmailTemplate.objects.get(key="esd_licence")
    assert saved.subject == "Licence for {{ customer_name }}"
    assert saved.extra_recipients == "managed@tailspin.example, ops@tailspin.example"
    assert saved.updated_by == User.objects.get(email=OPERATOR)
    email = services.queue_email(
        template_key="esd_licence",
        to=["it@litware.example"],
        context={"customer_name": "Litware"},
        idempotency_key="esd:1",
        organization_id=demo.organizations["litware"].pk,
    )
    assert email.subject == "Licence for Litware"
    assert email.to == ["it@litware.example", "managed@tailspin.example", "ops@tailspin.example"]


def test_the_live_preview_renders_the_unsaved_template_as_a_fragment(demo):
    client = demo.client_for(OPERATOR)

    good = client.post(
        PREVIEW_URL,
        {"subject": "Key for {{ product_name }}", "body": "{{ product_key }}"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    bad = client.post(
        PREVIEW_URL, {"subject": "x", "body": "{% if %}broken"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "<html" not in good
    assert "Key for Microsoft Office Home &amp; Business 2024" in good and "KX7RT-9PQWM" in good
    assert "Body: The template has a syntax error" in bad


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": "Key: {{ product_key }\n{% endif %}"}, "body", "The template has a syntax error"),
        ({"subject": "{% for x in %}"}, "subject", "The template has a syntax error"),
        ({"body": "{% include 'secrets.txt' %}"}, "body", "The template cannot be rendered"),
        (
            {"extra_recipients": "ok@example.com, not an address"},
            "extra_recipients",
            "is not an email address",
        ),
    ],
)
def test_a_broken_template_or_recipient_is_shown_next_to_the_field_and_nothing_is_saved(
    demo, changes, field, message
):
    before = EmailTemplate.objects.values().get(key="esd_licence")

    response = demo.client_for(OPERATOR).post(EDIT_URL, form(**changes))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="error-{field}"' in page
    error = page.split(f'id="error-{field}"', 1)[1].split("</span>", 1)[0]
    assert message in error
    assert EmailTemplate.objects.values().get(key="esd_licence") == before


def test_reseller_staff_read_templates_but_only_the_operator_changes_them(demo):
    # Templates are installation-wide: a reseller adding itself as an extra recipient would receive
    # every other reseller's customers' credentials.
    client = demo.client_for(TAILSPIN_ADMIN)
    before = EmailTemplate.objects.values().get(key="esd_licence")

    page = client.get(EDIT_URL).content.decode()
    response = client.post(EDIT_URL, form(extra_recipients="spy@tailspin.example"))

    assert "Only the operator's administrators change templates." in page and "disabled" in page
    assert response.status_code == 403
    assert EmailTemplate.objects.values().get(key="esd_licence") == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/backoffice/notifications/"),
        ("get", EDIT_URL),
        ("post", EDIT_URL),
        ("post", PREVIEW_URL),
        ("get", OUTBOX_URL),
        ("post", "/backoffice/notifications/outbox/1/retry/"),
    ],
)
def test_customers_get_404_on_every_notifications_page(demo, method, url):
    assert getattr(demo.client_for(CUSTOMER), method)(url).status_code == 404


def credentials_email(demo, organization: str | None, key: str, password: str) -> OutboundEmail:
    return services.queue_email(
        template_key="user_credentials",
        to=[f"user@{organization or 'alpine-cloud'}.example"],
        context={"display_name": "Someone", "user_name": "someone@x.onmicrosoft.com", "password": password},
        idempotency_key=key,
        organization_id=demo.organizations[organization].pk if organization else None,
    )


def test_the_outbox_shows_each_reseller_only_its_customers_mail_and_never_a_body(demo):
    credentials_email(demo, "adventureworks", "user:aw", "Pw-Adventure-1!")
    credentials_email(demo, "wingtip", "user:wt", "Pw-Wingtip-2!")
    credentials_email(demo, "northwind", "user:nw", "Pw-Northwind-3!")
    credentials_email(demo, None, "operator:1", "Pw-Operator-4!")

    pages = {
        who: demo.client_for(who).get(OUTBOX_URL).content.decode()
        for who in (TAILSPIN_ADMIN, TAILSPIN_STAFF, WOODGROVE_ADMIN, OPERATOR)
    }

    def recipients(page: str) -> set[str]:
        return {
            org for org in ("adventureworks", "wingtip", "northwind", "alpine-cloud") if f"user@{org}" in page
        }

    assert recipients(pages[TAILSPIN_ADMIN]) == {"adventureworks"}
    assert recipients(pages[TAILSPIN_STAFF]) == {"adventureworks"}
    assert recipients(pages[WOODGROVE_ADMIN]) == {"wingtip"}
    assert recipients(pages[OPERATOR]) == {"adventureworks", "wingtip", "northwind", "alpine-cloud"}
    for page in pages.values():
        assert "Pw-" not in page  # the subject names the user; the password is only in the body


def test_the_outbox_searches_by_recipient_or_subject_and_filters_by_status(demo):
    credentials_email(demo, "adventureworks", "user:1", "Pw-1!")
    credentials_email(demo, "litware", "user:2", "Pw-2!")
    OutboundEmail.objects.filter(idempotency_key="user:2").update(
        status=EmailStatus.FAILED, next_attempt_at=None, attempts=MAX_ATTEMPTS
    )
    client = demo.client_for(TAILSPIN_ADMIN)

    by_recipient = client.get(OUTBOX_URL, {"q": "LITWARE"}, HTTP_HX_REQUEST="true").content.decode()
    by_subject = client.get(OUTBOX_URL, {"q": "Microsoft 365 account"}).content.decode()
    failed = client.get(OUTBOX_URL, {"status": "failed"}).content.decode()

    assert (
        "<html" not in by_recipient
        and "user@litware" in by_recipient
        and "user@adventureworks" not in by_recipient
    )
    assert "user@litware" in by_subject and "user@adventureworks" in by_subject
    assert "user@litware" in failed and "user@adventureworks" not in failed and ">Retry<" in failed


def test_a_failed_email_is_retried_from_the_page_and_delivered(
    demo, smtp_down, django_capture_on_commit_callbacks
):
    email = credentials_email(demo, "adventureworks", "user:retry", "Pw-Retry-5!")
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        delivery.deliver(email.pk, now=now)
        now += timedelta(hours=1)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    retry_url = f"/backoffice/notifications/outbox/{email.pk}/retry/"
    assert demo.client_for(WOODGROVE_ADMIN).post(retry_url).status_code == 404
    smtp_down.start()

    with django_capture_on_commit_callbacks(execute=True):
        response = demo.client_for(TAILSPIN_STAFF).post(retry_url, follow=True)

    assert "The email is queued again" in response.content.decode()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
    [message] = smtp_down.messages()
    assert "Pw-Retry-5!" in message.text and message.rcpt_tos == ["user@adventureworks.example"]
    assert demo.client_for(TAILSPIN_STAFF).post(retry_url, follow=True).status_code == 200
    assert len(smtp_down.messages()) == 1  # a second retry of a sent email changes nothing

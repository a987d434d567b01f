"""The default email templates, as data: seeded by a migration, restored if a row is missing.

Each entry says which variables its context carries (`variables`) and holds a sample context, so
staff editing a template see a live preview with realistic values. Bodies are plain text in the
Django template language, rendered with autoescaping off (they are not HTML).

This module is pure data (no models), so migrations may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    name: str
    description: str
    subject: str
    body: str
    variables: dict[str, str]
    sample_context: dict[str, Any] = field(default_factory=dict)


_SIGNATURE = "\n-- \n{{ sender_name|default:'Your Microsoft cloud provider' }}\n"

DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        key="tenant_admin_credentials",
        name="New tenant: administrator credentials",
        description="Sent to the customer's contact when a new Microsoft tenant is created (T2).",
        subject="Your new Microsoft 365 tenant {{ tenant_domain }} is ready",
        body=(
            "Hello {{ contact_name }},\n\n"
            "the Microsoft 365 tenant for {{ customer_name }} has been created.\n\n"
            "Domain:    {{ tenant_domain }}\n"
            "User name: {{ user_name }}\n"
            "Password:  {{ password }}\n\n"
            "Sign in at {{ portal_url }} — you will be asked to choose a new password at the first sign-in.\n"
            + _SIGNATURE
        ),
        variables={
            "contact_name": "the customer contact's name",
            "customer_name": "the customer's legal name",
            "tenant_domain": "the tenant's domain, e.g. contoso.onmicrosoft.com",
            "user_name": "the administrator's sign-in name",
            "password": "the initial password",
            "portal_url": "where to sign in",
            "sender_name": "the reseller's name",
        },
        sample_context={
            "contact_name": "Anna Berg",
            "customer_name": "Adventure Works Cycles GmbH",
            "tenant_domain": "adventureworks.onmicrosoft.com",
            "user_name": "admin@adventureworks.onmicrosoft.com",
            "password": "Qx7!mRt2-pLw9",
            "portal_url": "https://admin.microsoft.com",
            "sender_name": "Tailspin IT Services GmbH",
        },
    ),
    DefaultTemplate(
        key="user_import_credentials",
        name="Microsoft 365 user import: credentials",
        description="The accounts a CSV import created, with their passwords, to the address given (U2).",
        subject=(
            "{{ users|length }} Microsoft 365 account{{ users|length|pluralize }} "
            "created in {{ tenant_domain }}"
        ),
        body=(
            "Hello,\n\n"
            "the user import into {{ tenant_domain }} ({{ customer_name }}) has finished: "
            "{{ users|length }} account{{ users|length|pluralize }} created.\n\n"
            "{% for user in users %}{{ user.user_name }}  {{ user.password }}\n{% endfor %}\n"
            "Every user is asked to choose a new password at the first sign-in at {{ portal_url }}.\n"
            "Keep this email safe, or delete it once the passwords are handed over.\n" + _SIGNATURE
        ),
        variables={
            "users": "the created accounts, each with user_name and password",
            "tenant_domain": "the tenant's domain",
            "customer_name": "the customer's legal name",
            "portal_url": "where to sign in",
            "sender_name": "the reseller's name",
        },
        sample_context={
            "users": [{"user_name": "uwe.rad@adventureworks.onmicrosoft.com", "password": "Vb3#kLp9-Wq2z"}],
            "tenant_domain": "adventureworks.onmicrosoft.com",
            "customer_name": "Adventure Works Cycles GmbH",
            "portal_url": "https://www.office.com",
            "sender_name": "Tailspin IT Services GmbH",
        },
    ),
    DefaultTemplate(
        key="user_credentials",
        name="Microsoft 365 user: credentials",
        description="A new user's or a reset password's credentials (U1, U2).",
        subject="Your Microsoft 365 account {{ user_name }}",
        body=(
            "Hello {{ display_name }},\n\n"
            "{% if is_reset %}the password of your Microsoft 365 account has been reset."
            "{% else %}a Microsoft 365 account has been created for you.{% endif %}\n\n"
            "User name: {{ user_name }}\n"
            "Password:  {{ password }}\n\n"
            "Sign in at {{ portal_url }}. You will be asked to choose a new password at the first sign-in.\n"
            + _SIGNATURE
        ),
        variables={
            "display_name": "the user's display name",
            "user_name": "the user principal name",
            "password": "the password",
            "is_reset": "true when an existing account's password was reset",
            "tenant_domain": "the tenant's domain",
            "portal_url": "where to sign in",
            "sender_name": "the reseller's name",
        },
        sample_context={
            "display_name": "Uwe Rad",
            "user_name": "uwe.rad@adventureworks.onmicrosoft.com",
            "password": "Vb3#kLp9-Wq2z",
            "is_reset": False,
            "tenant_domain": "adventureworks.onmicrosoft.com",
            "portal_url": "https://www.office.com",
            "sender_name": "Tailspin IT Services GmbH",
        },
    ),
    DefaultTemplate(
        key="esd_licence",
        name="Welcome Microsoft ESD customer",
        description=(
            "One email per perpetual (ESD) licence, to the delivery email plus the extra recipients (E3)."
        ),
        subject="Your Microsoft licence: {{ product_name }}",
        body=(
            "Hello,\n\n"
            "thank you for purchasing {{ product_name }} for {{ customer_name }}.\n\n"
            "Product key: {{ product_key }}\n"
            "Activate and download: {{ activation_url }}\n"
            "{% if link_expires_at %}The download link is valid until {{ link_expires_at }}.\n{% endif %}"
            "\nOrder reference: {{ order_reference }}\n"
            "Keep this email: the product key is needed to reinstall the software.\n" + _SIGNATURE
        ),
        variables={
            "customer_name": "the end customer's name",
            "product_name": "the product's name",
            "product_key": "the ESD token (the licence key)",
            "activation_url": "the activation and download link",
            "link_expires_at": "when the download link expires",
            "order_reference": "our order reference",
            "sender_name": "the reseller's name",
        },
        sample_context={
            "customer_name": "Litware Architects GmbH",
            "product_name": "Microsoft Office Home & Business 2024",
            "product_key": "KX7RT-9PQWM-3HD2V-Y8CBN-46JFG",
            "activation_url": "https://esd.example/activate/5f2c9a",
            "link_expires_at": "2026-03-06",
            "order_reference": "ORD-2026-000123/1",
            "sender_name": "Tailspin IT Services GmbH",
        },
    ),
    DefaultTemplate(
        key="approval_requested",
        name="Order waiting for approval",
        description="To the reseller's staff when a customer's order needs approval (S4).",
        subject="Approval needed: {{ order_summary }} for {{ customer_name }}",
        body=(
            "{{ requested_by }} of {{ customer_name }} placed an order that waits for your approval:\n\n"
            "  {{ order_summary }}\n\n"
            "Approve or reject it at {{ order_url }}\n" + _SIGNATURE
        ),
        variables={
            "customer_name": "the customer's name",
            "requested_by": "who placed the order",
            "order_summary": "what was ordered",
            "order_url": "the order's page in the back office",
            "sender_name": "the platform's name",
        },
        sample_context={
            "customer_name": "Adventure Works Cycles GmbH",
            "requested_by": "Anna Berg",
            "order_summary": "Microsoft 365 Business Premium: 10 → 15 seats",
            "order_url": "https://cspbroker.example/backoffice/orders/42/",
            "sender_name": "cspbroker",
        },
    ),
    DefaultTemplate(
        key="approval_decided",
        name="Order approved or rejected",
        description="To the customer who placed the order, when staff decide on it (S4).",
        subject="Your order was {{ decision }}: {{ order_summary }}",
        body=(
            "Hello {{ requested_by }},\n\n"
            "your order\n\n  {{ order_summary }}\n\n"
            "was {{ decision }} by {{ decided_by }}.\n"
            "{% if reason %}Reason: {{ reason }}\n{% endif %}"
            "\nSee {{ order_url }}\n" + _SIGNATURE
        ),
        variables={
            "customer_name": "the customer's name",
            "requested_by": "who placed the order",
            "order_summary": "what was ordered",
            "decision": "approved or rejected",
            "decided_by": "who decided",
            "reason": "the reason given (required for a rejection)",
            "order_url": "the order's page in the storefront",
            "sender_name": "the reseller's name",
        },
        sample_context={
            "customer_name": "Adventure Works Cycles GmbH",
            "requested_by": "Anna Berg",
            "order_summary": "Microsoft 365 Business Premium: 10 → 15 seats",
            "decision": "rejected",
            "decided_by": "Tobias Keller",
            "reason": "Please confirm the budget with finance first.",
            "order_url": "https://cspbroker.example/store/orders/42/",
            "sender_name": "Tailspin IT Services GmbH",
        },
    ),
    DefaultTemplate(
        key="provisioning_failed",
        name="Provisioning failed",
        description="To staff when the provider refused an operation, with the provider's code and message.",
        subject="Provisioning failed for {{ customer_name }}: {{ operation }}",
        body=(
            "The provider refused an operation.\n\n"
            "Customer:  {{ customer_name }}\n"
            "Operation: {{ operation }}\n"
            "Provider:  {{ provider }}\n"
            "Code:      {{ provider_code }}\n"
            "Message:   {{ provider_message }}\n"
            "When:      {{ occurred_at }}\n\n"
            "Details: {{ operation_url }}\n" + _SIGNATURE
        ),
        variables={
            "customer_name": "the customer's name",
            "operation": "what was attempted",
            "provider": "Partner Center, the distributor or ESD",
            "provider_code": "the provider's error code",
            "provider_message": "the provider's error message",
            "occurred_at": "when it failed",
            "operation_url": "the operation's page in the back office",
            "sender_name": "the platform's name",
        },
        sample_context={
            "customer_name": "Wingtip Toys Inc.",
            "operation": "Change quantity of Microsoft 365 E3 from 20 to 12",
            "provider": "Partner Center",
            "provider_code": "800002",
            "provider_message": "Quantity decrease is not allowed outside the cancellation window.",
            "occurred_at": "2026-03-01 10:15 UTC",
            "operation_url": "https://cspbroker.example/backoffice/operations/7/",
            "sender_name": "cspbroker",
        },
    ),
    DefaultTemplate(
        key="window_closing",
        name="Cancellation windows closing",
        description="To staff: subscriptions whose cancellation window closes within 24 hours (X3).",
        subject="{{ items|length }} cancellation window{{ items|length|pluralize }} closing within 24 hours",
        body=(
            "These subscriptions can be cancelled or reduced only until the time shown:\n\n"
            "{% for item in items %}- {{ item.customer_name }}: {{ item.product_name }}, "
            "{{ item.quantity }} seat{{ item.quantity|pluralize }}, until {{ item.closes_at }}\n"
            "{% endfor %}\nAfter that, the quantity cannot be reduced until the renewal.\n" + _SIGNATURE
        ),
        variables={
            "items": "a list of {customer_name, product_name, quantity, closes_at}",
            "sender_name": "the platform's name",
        },
        sample_context={
            "items": [
                {
                    "customer_name": "Adventure Works Cycles GmbH",
                    "product_name": "Microsoft 365 Business Premium",
                    "quantity": 15,
                    "closes_at": "2026-03-02 09:00 UTC",
                },
                {
                    "customer_name": "Litware Architects GmbH",
                    "product_name": "Microsoft Teams Essentials",
                    "quantity": 1,
                    "closes_at": "2026-03-02 17:30 UTC",
                },
            ],
            "sender_name": "cspbroker",
        },
    ),
)

BY_KEY: dict[str, DefaultTemplate] = {t.key: t for t in DEFAULT_TEMPLATES}


def default_for(key: str) -> DefaultTemplate | None:
    return BY_KEY.get(key)


def sample_context(key: str) -> dict[str, Any]:
    """The sample context of a known template; an empty one for a template we did not ship."""
    default = BY_KEY.get(key)
    return dict(default.sample_context) if default else {}

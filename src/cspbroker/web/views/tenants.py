"""Tenant pages (T1–T3): the list, a new or existing tenant for a customer, the tenant page.

The same views serve the back office and the storefront; the URL passes `area`, the URL's decorator
admits only staff or only customers, and the selectors decide which tenants are visible.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import Actor
from cspbroker.accounts.services import PermissionDenied as DeniedByRules
from cspbroker.domain.errors import DomainError
from cspbroker.domain.tenants import AddressIncomplete
from cspbroker.subscriptions import tenant_licences
from cspbroker.subscriptions.models import Subscription
from cspbroker.sync import services as sync
from cspbroker.tenants import selectors
from cspbroker.tenants.models import Tenant, TenantStatus
from cspbroker.tenants.services import tenant_lifecycle
from cspbroker.web.context import current_actor

BASES = {"backoffice": "backoffice/base.html", "store": "store/base.html"}
ADDRESS_FIELDS = (
    "company_name",
    "first_name",
    "last_name",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone_number",
    "organization_registration_number",
)


class AddressForm(forms.Form):
    company_name = forms.CharField(label="Company name", required=False, max_length=200)
    first_name = forms.CharField(label="Contact first name", required=False, max_length=50)
    last_name = forms.CharField(label="Contact last name", required=False, max_length=50)
    email = forms.CharField(
        label="Contact email", required=False, help_text="The administrator's credentials are sent here."
    )
    address_line1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    address_line2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    city = forms.CharField(label="City", required=False, max_length=100)
    state = forms.CharField(label="State or province", required=False, max_length=100)
    postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    country = forms.CharField(label="Country (ISO code)", required=False, max_length=2)
    phone_number = forms.CharField(label="Phone number", required=False, max_length=40)
    organization_registration_number = forms.CharField(
        label="Organisation registration number",
        required=False,
        max_length=30,
        help_text="Only for customers in AM, AZ, BY, HU, KZ, KG, MD, RU, TJ, UZ and UA.",
    )


class TenantForm(AddressForm):
    existing = forms.BooleanField(
        label="Tenant already exists",
        required=False,
        help_text="Link a tenant the customer already has (it must have accepted your reseller request).",
    )
    tenant_name = forms.CharField(
        label="Tenant name",
        max_length=300,
        help_text="Letters and digits, for <name>.onmicrosoft.com (an existing tenant: its domain or id).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ("existing", "tenant_name", *ADDRESS_FIELDS)


class RetryForm(AddressForm):
    tenant_name = forms.CharField(label="Tenant name", max_length=300, required=False)
    field_order = ("tenant_name", *ADDRESS_FIELDS)


def actor_of(request: HttpRequest) -> Actor:
    actor = current_actor(request)
    if actor is None:  # the area decorators let only signed-in people through
        raise Http404("Not found.")
    return actor


def tenant_in_area(request: HttpRequest, area: str, tenant_id: int) -> Tenant:
    """The tenant, if the person may see it here; the storefront shows only their own customers'."""
    actor = actor_of(request)
    if area == "store":
        tenant = selectors.storefront_tenants(actor).filter(pk=tenant_id).first()
        if tenant is None:
            raise Http404("Not found.")
        return tenant
    return selectors.tenant_for(actor, tenant_id)


def page_context(
    request: HttpRequest, area: str, tenant: Tenant | None = None, **extra: Any
) -> dict[str, Any]:
    actor = actor_of(request)
    context: dict[str, Any] = {"area": area, "base_template": BASES[area], **extra}
    if tenant is not None:
        context.update(tenant=tenant, can_change=selectors.may_change(actor, tenant))
    return context


def tenant_to_change(request: HttpRequest, area: str, tenant_id: int) -> Tenant:
    """The tenant, for a page that changes it: 404 if unseen, 403 for those who may only look."""
    tenant = tenant_in_area(request, area, tenant_id)
    if not selectors.may_change(actor_of(request), tenant):
        raise PermissionDenied("You may look at this tenant but not change it.")
    return tenant


def show_error(form: forms.Form, error: DomainError) -> None:
    """The message next to its field; an incomplete address marks every missing field."""
    if isinstance(error, AddressIncomplete):
        for key in error.missing:
            if key in form.fields:
                form.add_error(key, "Required: Microsoft needs it to create the tenant.")
        form.add_error(None, error.message)
        return
    field = {"tenant": None, "customer": None}.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def denied(error: DeniedByRules) -> PermissionDenied:
    return PermissionDenied(error.message)


def tenant_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in TenantStatus.values else ""
    tenants = selectors.tenants_for(actor, search=search, status=status)
    context = {"tenants": tenants, "q": search, "status": status, "statuses": TenantStatus.choices}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "backoffice/tenants/_tenant_rows.html", context)
    context.update(page_context(request, "backoffice"), customers=selectors.customers_without_tenant(actor))
    return render(request, "backoffice/tenants/list.html", context)


def _create(request: HttpRequest, form: TenantForm, customer_id: int) -> Tenant | None:
    actor = actor_of(request)
    data = form.cleaned_data
    try:
        if data["existing"]:
            return sync.link_tenant(actor=actor, customer_id=customer_id, reference=data["tenant_name"])
        corrections = {key: data[key] for key in ADDRESS_FIELDS}
        return tenant_lifecycle.create_tenant(
            actor=actor, customer_id=customer_id, tenant_name=data["tenant_name"], corrections=corrections
        )
    except DeniedByRules as error:
        raise denied(error) from error
    except DomainError as error:
        show_error(form, error)
        return None


def tenant_new(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_for(actor_of(request), customer_id)
    initial = tenant_lifecycle.request_from_organization(customer)
    form = TenantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        tenant = _create(request, form, customer.pk)
        if tenant is not None:
            verb = "is being linked" if tenant.is_linked else "is being created"
            messages.success(request, f"The tenant {tenant.domain} {verb} at Partner Center.")
            return redirect("backoffice-tenant", tenant_id=tenant.pk)
    context = page_context(request, "backoffice", form=form, customer=customer, address_fields=ADDRESS_FIELDS)
    return render(request, "backoffice/tenants/new.html", context, status=400 if form.errors else 200)


def domain_check(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The live answer next to the tenant name (htmx, on input)."""
    actor = actor_of(request)
    customer = selectors.customer_for(actor, customer_id)
    name = request.GET.get("tenant_name", "").strip()
    context: dict[str, Any] = {"name": name, "existing": bool(request.GET.get("existing"))}
    if name and not context["existing"]:
        try:
            context["check"] = tenant_lifecycle.check_domain(actor=actor, customer=customer, name=name)
        except DomainError as error:
            context["error"] = error.message
    return render(request, "backoffice/tenants/_domain_check.html", context)


def tenant_detail(request: HttpRequest, tenant_id: int, area: str = "backoffice") -> HttpResponse:
    tenant = tenant_in_area(request, area, tenant_id)
    subscriptions = tenant_licences.subscriptions_of(tenant)
    lines = tenant_licences.seat_lines(tenant, subscriptions)
    request_values = tenant.creation_request if not tenant.is_linked else {}
    retry_form = RetryForm(initial={"tenant_name": tenant.domain.split(".")[0], **request_values})
    if tenant.is_linked:
        retry_form.initial["tenant_name"] = tenant.creation_request.get("reference", tenant.domain)
    context = page_context(
        request,
        area,
        tenant,
        subscription_rows=_rows(subscriptions, lines),
        lines=lines,
        retry_form=retry_form,
        address_fields=ADDRESS_FIELDS,
    )
    return render(request, "backoffice/tenants/detail.html", context)


def _rows(
    subscriptions: list[Subscription], lines: list[tenant_licences.SeatLine]
) -> list[tuple[Subscription, tenant_licences.SeatLine | None]]:
    by_subscription = tenant_licences.seat_line_by_subscription(lines)
    return [(subscription, by_subscription.get(subscription.pk)) for subscription in subscriptions]


def tenant_status(request: HttpRequest, tenant_id: int, area: str = "backoffice") -> HttpResponse:
    """Polled while the tenant is being created; once settled, the whole page reloads."""
    tenant = tenant_in_area(request, area, tenant_id)
    response = render(request, "backoffice/tenants/_status.html", page_context(request, area, tenant))
    if tenant.status != TenantStatus.CREATING:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def tenant_retry(request: HttpRequest, tenant_id: int) -> HttpResponse:
    actor = actor_of(request)
    tenant = tenant_to_change(request, "backoffice", tenant_id)
    form = RetryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        corrections = {key: data[key] for key in ADDRESS_FIELDS if key in request.POST}
        try:
            sync.retry_tenant(
                actor=actor,
                tenant_id=tenant.pk,
                tenant_name=data["tenant_name"] or None,
                corrections=corrections,
            )
        except DeniedByRules as error:
            raise denied(error) from error
        except DomainError as error:
            show_error(form, error)
    if form.errors:
        context = page_context(
            request,
            "backoffice",
            tenant,
            subscription_rows=[],
            lines=[],
            retry_form=form,
            address_fields=ADDRESS_FIELDS,
        )
        return render(request, "backoffice/tenants/detail.html", context, status=400)
    messages.success(request, f"The tenant {tenant.domain} is being tried again.")
    return redirect("backoffice-tenant", tenant_id=tenant.pk)


@require_POST
def tenant_sync(request: HttpRequest, tenant_id: int, area: str = "backoffice") -> HttpResponse:
    tenant = tenant_to_change(request, area, tenant_id)
    try:
        sync.request_sync(actor=actor_of(request), tenant_id=tenant.pk)
    except DeniedByRules as error:
        raise denied(error) from error
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, "The tenant is being synchronised with Partner Center; reload in a moment.")
    return redirect(reverse(f"{area}-tenant", kwargs={"tenant_id": tenant.pk}))


def store_tenant_index(request: HttpRequest) -> HttpResponse:
    tenants = list(selectors.storefront_tenants(actor_of(request)))
    if len(tenants) == 1:
        return redirect("store-tenant", tenant_id=tenants[0].pk)
    return render(request, "store/tenant/index.html", page_context(request, "store", tenants=tenants))


def store_users_index(request: HttpRequest) -> HttpResponse:
    tenants = [t for t in selectors.storefront_tenants(actor_of(request)) if t.status == TenantStatus.ACTIVE]
    if len(tenants) == 1:
        return redirect("store-tenant-users", tenant_id=tenants[0].pk)
    return render(
        request, "store/tenant/index.html", page_context(request, "store", tenants=tenants, users=True)
    )

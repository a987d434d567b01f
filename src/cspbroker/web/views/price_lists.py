"""Price-list pages (C2), back office only: lists, their entries (sale price or markup % from a date),
and markup rules. Every write is one service call; a refused one shows its message next to the field
and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cspbroker.accounts.access import Actor
from cspbroker.catalog import selectors, services
from cspbroker.clock import platform_clock
from cspbroker.domain.errors import DomainError
from cspbroker.domain.parties import Action
from cspbroker.domain.periods import BILLING_TIME_ZONE
from cspbroker.web.context import current_actor
from cspbroker.web.views.access import staff_required

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PriceListForm(forms.Form):
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    customer = forms.TypedChoiceField(
        label="For customer",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Leave empty for the owner's global list (one per currency).",
    )
    name = forms.CharField(max_length=100)
    currency = forms.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")


class EntryForm(forms.Form):
    offer = forms.TypedChoiceField(label="Offer", coerce=int)
    effective_from = forms.DateField(label="Effective from", widget=DATE)
    kind = forms.ChoiceField(
        label="Price by",
        choices=[("sale_price", "Sale price"), ("markup_percent", "Markup % over cost")],
        widget=forms.RadioSelect,
        initial="sale_price",
    )
    amount = forms.DecimalField(label="Sale price or markup %", max_digits=18, decimal_places=6)


class RenameForm(forms.Form):
    name = forms.CharField(max_length=100)


class MarkupRuleForm(forms.Form):
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    category = forms.ChoiceField(label="Category", required=False)
    markup_percent = forms.DecimalField(label="Markup %", max_digits=7, decimal_places=3)
    effective_from = forms.DateField(label="Effective from", widget=DATE)


# Which form field shows a service's error about which argument.
_FIELDS = {
    "owner_id": "owner",
    "customer_id": "customer",
    "offer_id": "offer",
    "sale_price": "amount",
    "markup_percent": "amount",
    "price": "amount",
}


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _actor(request: HttpRequest) -> Actor:
    actor = current_actor(request)
    assert actor is not None
    return actor


def _show(form: forms.Form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    field = (fields or _FIELDS).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _owner_choices(actor: Actor) -> list[tuple[int, str]]:
    return [(o.pk, o.legal_name) for o in selectors.price_owners_for(actor)]


@staff_required
def price_list_index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = PriceListForm(request.POST or None)
    _choices(form, "owner").choices = _owner_choices(actor)
    customers = selectors.customers_for(actor, Action.VIEW_COST).select_related("parent")
    _choices(form, "customer").choices = [("", "— none: the global list —")] + [
        (c.pk, f"{c.legal_name} (of {c.parent.legal_name if c.parent else '—'})") for c in customers
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_price_list(
                actor=actor,
                owner_id=data["owner"],
                customer_id=data["customer"],
                name=data["name"],
                currency=data["currency"],
            )
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, f"The price list “{created.name}” is created. Add its prices below.")
            return redirect("backoffice-price-list", price_list_id=created.pk)
    context = {"price_lists": selectors.price_lists_for(actor), "form": form, "area": "backoffice"}
    return render(request, "backoffice/price_lists/index.html", context, status=400 if form.errors else 200)


def _offer_choices(price_list: Any) -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for offer in selectors.offers_sold_by(price_list.owner):
        product = offer.availability.sku.product
        term = offer.term or "perpetual"
        label = f"{offer.availability.sku.title} · {term} · {offer.get_billing_cycle_display()}"
        groups.setdefault(f"{product.title} — {product.connection.name}", []).append((offer.pk, label))
    return list(groups.items())


def _save_entry(request: HttpRequest, actor: Actor, price_list: Any, form: EntryForm) -> bool:
    data = form.cleaned_data
    amounts = {data["kind"]: data["amount"]}
    try:
        services.set_price_entry(
            actor=actor,
            price_list_id=price_list.pk,
            offer_id=data["offer"],
            effective_from=data["effective_from"],
            **amounts,
        )
    except DomainError as error:
        _show(form, error)
        return False
    messages.success(request, "The price is saved.")
    return True


@staff_required
def price_list_detail(request: HttpRequest, price_list_id: int) -> HttpResponse:
    actor = _actor(request)
    price_list = selectors.price_list_for(actor, price_list_id)
    action = request.POST.get("action") if request.method == "POST" else None
    entry_form = EntryForm(
        request.POST if action == "entry" else None, initial={"effective_from": platform_clock.today("UTC")}
    )
    _choices(entry_form, "offer").choices = _offer_choices(price_list)
    rename_form = RenameForm(request.POST if action == "rename" else None, initial={"name": price_list.name})
    if action == "entry" and entry_form.is_valid() and _save_entry(request, actor, price_list, entry_form):
        return redirect("backoffice-price-list", price_list_id=price_list.pk)
    if action == "rename" and rename_form.is_valid():
        try:
            services.update_price_list(
                actor=actor, price_list_id=price_list.pk, name=rename_form.cleaned_data["name"]
            )
        except DomainError as error:
            _show(rename_form, error)
        else:
            messages.success(request, "The price list is renamed.")
            return redirect("backoffice-price-list", price_list_id=price_list.pk)
    today = platform_clock.today(BILLING_TIME_ZONE)  # the day prices are in force on
    context = {
        "price_list": price_list,
        "rows": selectors.entry_rows(price_list, on=today),
        "entry_form": entry_form,
        "rename_form": rename_form,
        "may_edit": services.may_manage(actor, price_list.owner, price_list.customer),
        "today": today,
        "area": "backoffice",
    }
    failed = entry_form.errors or rename_form.errors
    return render(request, "backoffice/price_lists/detail.html", context, status=400 if failed else 200)


@staff_required
@require_POST
def price_entry_delete(request: HttpRequest, price_list_id: int, entry_id: int) -> HttpResponse:
    actor = _actor(request)
    price_list = selectors.price_list_for(actor, price_list_id)
    entry = price_list.entries.filter(pk=entry_id).first()
    if entry is not None:
        try:
            services.delete_price_entry(actor=actor, entry_id=entry.pk)
            messages.success(request, "The price is removed.")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("backoffice-price-list", price_list_id=price_list.pk)


@staff_required
def markup_rules(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = MarkupRuleForm(request.POST or None, initial={"effective_from": platform_clock.today("UTC")})
    _choices(form, "owner").choices = _owner_choices(actor)
    categories = selectors.facets(actor).categories
    _choices(form, "category").choices = [("", "All products")] + [(c, c) for c in categories if c]
    if request.method == "POST" and form.is_valid():
        try:
            services.create_markup_rule(
                actor=actor,
                owner_id=form.cleaned_data["owner"],
                category=form.cleaned_data["category"],
                markup_percent=form.cleaned_data["markup_percent"],
                effective_from=form.cleaned_data["effective_from"],
            )
        except DomainError as error:
            _show(form, error, {"owner_id": "owner"})
        else:
            messages.success(request, "The markup rule is saved.")
            return redirect("backoffice-markup-rules")
    context = {"rules": selectors.markup_rules_for(actor), "form": form, "area": "backoffice"}
    return render(
        request, "backoffice/price_lists/markup_rules.html", context, status=400 if form.errors else 200
    )


@staff_required
@require_POST
def markup_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = _actor(request)
    rule = selectors.markup_rules_for(actor).filter(pk=rule_id).first()
    if rule is not None:
        try:
            services.delete_markup_rule(actor=actor, rule_id=rule.pk)
            messages.success(request, "The markup rule is removed.")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("backoffice-markup-rules")

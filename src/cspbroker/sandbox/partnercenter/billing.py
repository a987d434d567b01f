"""Reconciliation line items (`OneTimeInvoiceLineItem`) computed from what happened.

Every charge is appended once, when it happens (purchase, cycle start, renewal, quantity change,
cancellation, trial conversion), with the price locked on the subscription. A prorated line covers
`days` of a billing cycle of `cycle_days`: subtotal = unit price × quantity × days / cycle_days,
computed exactly and rounded half up to cents once. Refunds are lines of the matching charge type
with negative quantity, billable quantity and subtotal. Numbers are strings, as in the reference.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .catalog import term_text
from .state import PCState
from .terms import term_bounds
from .timeutil import exact, iso, iso_date, money

_FREQUENCY = {
    "monthly": "Monthly",
    "annual": "Annual",
    "triennial": "Triennial",
    "one_time": "OneTime",
    "none": "",
}


def _billable(quantity: int, days: int, cycle_days: int) -> Decimal:
    return (Decimal(quantity) * Decimal(days) / Decimal(cycle_days)).quantize(Decimal("0.000001"))


def add_line(
    state: PCState,
    *,
    customer: dict[str, Any],
    order: dict[str, Any] | None,
    product_id: str,
    sku_id: str,
    availability_id: str,
    product_name: str,
    sku_name: str,
    charge_type: str,
    unit_price: Decimal,
    quantity: int,
    days: int,
    cycle_days: int,
    charge_start: date,
    charge_end_exclusive: date,
    currency: str,
    term_duration: str,
    billing_cycle: str,
    subscription: dict[str, Any] | None = None,
    qualifiers: list[str] | None = None,
) -> dict[str, Any]:
    now = state.now()
    fraction = Fraction(days, cycle_days) if cycle_days else Fraction(1)
    subtotal = money(Fraction(unit_price) * quantity * fraction)
    address = customer["billingProfile"]["defaultAddress"]
    sequence = state.store.next_seq("recon-line")
    line = {
        "partnerId": state.config.partner_tenant_id,
        "customerId": customer["id"],
        "customerName": customer["companyProfile"]["companyName"],
        "customerDomainName": customer["companyProfile"]["domain"],
        "customerCountry": address["country"],
        "invoiceNumber": "",
        "mpnId": "4390934",
        "resellerMpnId": "",
        "orderId": order["id"] if order else "",
        "orderDate": order["creationDate"] if order else iso(now),
        "productId": product_id,
        "skuId": sku_id,
        "availabilityId": availability_id,
        "productName": product_name,
        "skuName": sku_name,
        "productQualifiers": qualifiers or [],
        "chargeType": charge_type,
        "unitPrice": str(unit_price),
        "effectiveUnitPrice": str(unit_price),
        "unitType": "1 License",
        "quantity": str(quantity),
        "subtotal": str(subtotal),
        "taxTotal": "0",
        "totalForCustomer": str(subtotal),
        "currency": currency,
        "publisherName": "Microsoft Corporation",
        "publisherId": "",
        "subscriptionDescription": subscription["offerName"] if subscription else product_name,
        "subscriptionId": subscription["id"] if subscription else "",
        "subscriptionStartDate": iso_date(date.fromisoformat(subscription["anchorDate"]))
        if subscription
        else "",
        "subscriptionEndDate": iso_date(term_bounds(subscription)[1] - timedelta(days=1))
        if subscription
        else "",
        "chargeStartDate": iso_date(charge_start),
        "chargeEndDate": iso_date(max(charge_start, charge_end_exclusive - timedelta(days=1))),
        "termAndBillingCycle": term_text(term_duration, billing_cycle),
        "alternateId": order["alternateId"] if order else "",
        "referenceId": str(uuid.uuid4()),
        "priceAdjustmentDescription": "",
        "discountDetails": "",
        "pricingCurrency": currency,
        "pcToBCExchangeRate": "1",
        "pcToBCExchangeRateDate": iso_date(now.date()),
        "billableQuantity": str(_billable(quantity, days, cycle_days) if cycle_days else Decimal(quantity)),
        "meterDescription": "",
        "billingFrequency": _FREQUENCY.get(billing_cycle, ""),
        "reservationOrderId": "",
        "creditReasonCode": "",
        "promotionId": "",
        "invoiceLineItemType": "billing_line_items",
        "billingProvider": "one_time",
        "attributes": {"objectType": "OneTimeInvoiceLineItem"},
        "_id": f"{sequence:012d}",
        "_period": now.strftime("%Y-%m"),
        "_at": exact(now),
    }
    state.store.put("recon", line["_id"], line, parent="")
    return line


def subscription_line(
    state: PCState,
    subscription: dict[str, Any],
    charge_type: str,
    *,
    quantity: int,
    days: int,
    cycle_days: int,
    charge_start: date,
    charge_end_exclusive: date,
) -> dict[str, Any]:
    customer = state.store.get("customers", subscription["customerId"])
    assert customer is not None
    order = state.store.get("orders", subscription["orderId"]) if subscription.get("orderId") else None
    qualifiers = (
        ["Trial"]
        if subscription.get("isTrial")
        else ["AddOn"]
        if subscription.get("parentSubscriptionId")
        else []
    )
    return add_line(
        state,
        customer=customer,
        order=order,
        product_id=subscription["productId"],
        sku_id=subscription["skuId"],
        availability_id=subscription["availabilityId"],
        product_name=subscription["productName"],
        sku_name=subscription["offerName"],
        charge_type=charge_type,
        unit_price=Decimal(subscription["unitPrice"]),
        quantity=quantity,
        days=days,
        cycle_days=cycle_days,
        charge_start=charge_start,
        charge_end_exclusive=charge_end_exclusive,
        currency=subscription["currency"],
        term_duration=subscription["termDuration"],
        billing_cycle=subscription["billingCycle"],
        subscription=subscription,
        qualifiers=qualifiers,
    )


def public(line: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in line.items() if not key.startswith("_")}

"""Invoices and reconciliation line items, billed and unbilled (reference §2.8, v1 API).

A Partner Center spelling trap: the query says `provider=onetime` while the JSON carries
`"billingProvider": "one_time"`. Amounts arrive as strings; they are read as Decimal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cspbroker.providers.http import QueryParams
from cspbroker.providers.paging import iterate_offset, iterate_seek
from cspbroker.providers.parsing import (
    as_list,
    as_mapping,
    as_str,
    opt_datetime,
    opt_decimal,
    opt_str,
    str_tuple,
)
from cspbroker.providers.partnercenter.common import ApiBase, seg

__all__ = ["DailyRatedUsageLineItem", "Invoice", "OneTimeInvoiceLineItem", "ReconciliationApi"]

_ONE_TIME_QUERY = "onetime"


@dataclass(frozen=True)
class Invoice:
    id: str
    invoice_date: datetime | None
    billing_period_start: datetime | None
    billing_period_end: datetime | None
    total_charges: Decimal | None
    paid_amount: Decimal | None
    currency_code: str | None
    pdf_download_link: str | None
    document_type: str | None
    invoice_type: str | None
    billing_providers: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Invoice:
        details = as_list(data.get("invoiceDetails"))
        providers = tuple(as_str(as_mapping(d).get("billingProvider")) for d in details)
        return cls(
            id=as_str(data.get("id")),
            invoice_date=opt_datetime(data.get("invoiceDate")),
            billing_period_start=opt_datetime(data.get("billingPeriodStartDate")),
            billing_period_end=opt_datetime(data.get("billingPeriodEndDate")),
            total_charges=opt_decimal(data.get("totalCharges")),
            paid_amount=opt_decimal(data.get("paidAmount")),
            currency_code=opt_str(data.get("currencyCode")),
            pdf_download_link=opt_str(data.get("pdfDownloadLink")),
            document_type=opt_str(data.get("documentType")),
            invoice_type=opt_str(data.get("invoiceType")),
            billing_providers=providers,
        )


@dataclass(frozen=True)
class OneTimeInvoiceLineItem:
    """An NCE licence / software / one-time recon line. `invoice_number` is "" while unbilled.

    Reconcile seats with `effective_unit_price × billable_quantity` (Microsoft: "use
    BillableQuantity for reconciliation"); `subtotal` is the provider's own figure.
    """

    invoice_number: str
    customer_id: str
    customer_name: str | None
    customer_domain_name: str | None
    order_id: str | None
    order_date: datetime | None
    subscription_id: str | None
    subscription_description: str | None
    product_id: str
    sku_id: str
    availability_id: str
    product_name: str | None
    sku_name: str | None
    charge_type: str
    unit_price: Decimal | None
    effective_unit_price: Decimal | None
    quantity: Decimal | None
    billable_quantity: Decimal | None
    subtotal: Decimal | None
    tax_total: Decimal | None
    total_for_customer: Decimal | None
    currency: str | None
    pricing_currency: str | None
    pc_to_bc_exchange_rate: Decimal | None
    unit_type: str | None
    term_and_billing_cycle: str | None
    billing_frequency: str | None
    charge_start_date: datetime | None
    charge_end_date: datetime | None
    subscription_start_date: datetime | None
    subscription_end_date: datetime | None
    product_qualifiers: tuple[str, ...]
    reference_id: str | None
    alternate_id: str | None
    promotion_id: str | None
    credit_reason_code: str | None
    reseller_mpn_id: str | None
    billing_provider: str | None

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OneTimeInvoiceLineItem:
        return cls(
            invoice_number=as_str(data.get("invoiceNumber")),
            customer_id=as_str(data.get("customerId")),
            customer_name=opt_str(data.get("customerName")),
            customer_domain_name=opt_str(data.get("customerDomainName")),
            order_id=opt_str(data.get("orderId")),
            order_date=opt_datetime(data.get("orderDate")),
            subscription_id=opt_str(data.get("subscriptionId")),
            subscription_description=opt_str(data.get("subscriptionDescription")),
            product_id=as_str(data.get("productId")),
            sku_id=as_str(data.get("skuId")),
            availability_id=as_str(data.get("availabilityId")),
            product_name=opt_str(data.get("productName")),
            sku_name=opt_str(data.get("skuName")),
            charge_type=as_str(data.get("chargeType")),
            unit_price=opt_decimal(data.get("unitPrice")),
            effective_unit_price=opt_decimal(data.get("effectiveUnitPrice")),
            quantity=opt_decimal(data.get("quantity")),
            billable_quantity=opt_decimal(data.get("billableQuantity")),
            subtotal=opt_decimal(data.get("subtotal")),
            tax_total=opt_decimal(data.get("taxTotal")),
            total_for_customer=opt_decimal(data.get("totalForCustomer")),
            currency=opt_str(data.get("currency")),
            pricing_currency=opt_str(data.get("pricingCurrency")),
            pc_to_bc_exchange_rate=opt_decimal(data.get("pcToBCExchangeRate")),
            unit_type=opt_str(data.get("unitType")),
            term_and_billing_cycle=opt_str(data.get("termAndBillingCycle")),
            billing_frequency=opt_str(data.get("billingFrequency")),
            charge_start_date=opt_datetime(data.get("chargeStartDate")),
            charge_end_date=opt_datetime(data.get("chargeEndDate")),
            subscription_start_date=opt_datetime(data.get("subscriptionStartDate")),
            subscription_end_date=opt_datetime(data.get("subscriptionEndDate")),
            product_qualifiers=str_tuple(data.get("productQualifiers")),
            reference_id=opt_str(data.get("referenceId")),
            alternate_id=opt_str(data.get("alternateId")),
            promotion_id=opt_str(data.get("promotionId")),
            credit_reason_code=opt_str(data.get("creditReasonCode")),
            reseller_mpn_id=opt_str(data.get("resellerMpnId")),
            billing_provider=opt_str(data.get("billingProvider")),
        )


@dataclass(frozen=True)
class DailyRatedUsageLineItem:
    """One day of metered (Azure plan) usage of one meter."""

    invoice_number: str
    customer_id: str
    subscription_id: str | None
    entitlement_id: str | None
    product_id: str
    sku_id: str
    availability_id: str
    usage_date: datetime | None
    meter_id: str | None
    meter_name: str | None
    meter_category: str | None
    unit_of_measure: str | None
    resource_uri: str | None
    charge_type: str
    quantity: Decimal | None
    unit_price: Decimal | None
    effective_unit_price: Decimal | None
    billing_pre_tax_total: Decimal | None
    billing_currency: str | None
    pricing_pre_tax_total: Decimal | None
    pricing_currency: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DailyRatedUsageLineItem:
        return cls(
            invoice_number=as_str(data.get("invoiceNumber")),
            customer_id=as_str(data.get("customerId")),
            subscription_id=opt_str(data.get("subscriptionId")),
            entitlement_id=opt_str(data.get("entitlementId")),
            product_id=as_str(data.get("productId")),
            sku_id=as_str(data.get("skuId")),
            availability_id=as_str(data.get("availabilityId")),
            usage_date=opt_datetime(data.get("usageDate")),
            meter_id=opt_str(data.get("meterId")),
            meter_name=opt_str(data.get("meterName")),
            meter_category=opt_str(data.get("meterCategory")),
            unit_of_measure=opt_str(data.get("unitOfMeasure")),
            resource_uri=opt_str(data.get("resourceUri")),
            charge_type=as_str(data.get("chargeType")),
            quantity=opt_decimal(data.get("quantity")),
            unit_price=opt_decimal(data.get("unitPrice")),
            effective_unit_price=opt_decimal(data.get("effectiveUnitPrice")),
            billing_pre_tax_total=opt_decimal(data.get("billingPreTaxTotal")),
            billing_currency=opt_str(data.get("billingCurrency")),
            pricing_pre_tax_total=opt_decimal(data.get("pricingPreTaxTotal")),
            pricing_currency=opt_str(data.get("pricingCurrency")),
        )


class ReconciliationApi(ApiBase):
    def list_invoices(self, *, page_size: int = 200) -> Iterator[Invoice]:
        return iterate_offset(self._http, "/v1/invoices", Invoice.from_json, size=page_size)

    def get_invoice(self, invoice_id: str) -> Invoice:
        return Invoice.from_json(self._http.get(f"/v1/invoices/{seg(invoice_id)}").object())

    def list_billed_line_items(
        self, invoice_id: str, *, page_size: int = 2000
    ) -> Iterator[OneTimeInvoiceLineItem]:
        """NCE licence and one-time lines of an issued invoice."""
        params: QueryParams = {
            "provider": _ONE_TIME_QUERY,
            "invoicelineitemtype": "billinglineitems",
            "size": page_size,
        }
        path = f"/v1/invoices/{seg(invoice_id)}/lineitems"
        return iterate_seek(self._http, path, OneTimeInvoiceLineItem.from_json, params=params)

    def list_unbilled_line_items(
        self, *, currency: str, period: str = "current", page_size: int = 2000
    ) -> Iterator[OneTimeInvoiceLineItem]:
        """Lines accrued but not yet invoiced; `period` is `current` or `previous`."""
        params: QueryParams = {
            "provider": _ONE_TIME_QUERY,
            "invoicelineitemtype": "billinglineitems",
            "currencycode": currency,
            "period": period,
            "size": page_size,
        }
        path = "/v1/invoices/unbilled/lineitems"
        return iterate_seek(self._http, path, OneTimeInvoiceLineItem.from_json, params=params)

    def list_billed_usage_line_items(
        self, invoice_id: str, *, currency: str, page_size: int = 2000
    ) -> Iterator[DailyRatedUsageLineItem]:
        params: QueryParams = {
            "provider": _ONE_TIME_QUERY,
            "invoicelineitemtype": "usagelineitems",
            "currencycode": currency,
            "size": page_size,
        }
        path = f"/v1/invoices/{seg(invoice_id)}/lineitems"
        return iterate_seek(self._http, path, DailyRatedUsageLineItem.from_json, params=params)

    def list_unbilled_usage_line_items(
        self, *, currency: str, period: str = "current", page_size: int = 2000
    ) -> Iterator[DailyRatedUsageLineItem]:
        params: QueryParams = {
            "provider": _ONE_TIME_QUERY,
            "invoicelineitemtype": "usagelineitems",
            "currencycode": currency,
            "period": period,
            "size": page_size,
        }
        path = "/v1/invoices/unbilled/lineitems"
        return iterate_seek(self._http, path, DailyRatedUsageLineItem.from_json, params=params)

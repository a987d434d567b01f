"""The data of the billing e2e test: one subscription with a ledger, and the charges expected of it.

Everything is relative to today: the subscription (Microsoft 365 Business Standard, P1M billed
monthly) starts on the 1st of the month before last with 3 seats at a sale price of 12.00 EUR and
goes to 5 seats on the 10th of last month. Tailspin's Microsoft billing day is the 15th, so last
month's cycle runs from the 16th of the month before last to the 15th of last month: it holds the
renewal on the 1st of last month and the two seats added on the 10th, prorated to the month's end.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PRICE = Decimal("12.00")
SEATS, ADDED, ADDED_ON_DAY = 3, 2, 10
PRODUCT = "Microsoft 365 Business Standard"
FRIENDLY_NAME = "E2E Business Standard"

SETUP = """
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo
from cspbroker.accounts.models import Organization
from cspbroker.catalog.models import (
    Availability, Offer, PriceList, PriceListEntry, Product, ProviderPrice, Sku,
)
from cspbroker.connections.models import Connection
from cspbroker.domain.clock import FrozenClock
from cspbroker.subscriptions import ledger
from cspbroker.subscriptions.models import Subscription
from cspbroker.subscriptions.prices import lock_price
from cspbroker.tenants.models import Tenant, TenantStatus

operator = Organization.objects.get(kind="operator")
tailspin = Organization.objects.get(legal_name="Tailspin IT Services GmbH")
customer = Organization.objects.get(legal_name="Adventure Works Cycles GmbH")
connection = Connection.objects.create(
    organization=operator, kind="partner_center", name="PC billing e2e",
    base_url="https://api.partnercenter.example", token_url="https://login.example/{tenant}/oauth2/token",
    client_id="00000000-0000-0000-0000-000000000001", client_secret="secret",
)
tenant = Tenant.objects.create(customer=customer, connection=connection, provider_tenant_id="tenant-aw-e2e",
                               domain="adventureworkse2e.onmicrosoft.com", status=TenantStatus.ACTIVE)
product = Product.objects.create(connection=connection, provider_product_id="CFQ7TTC0LDPB", title=PRODUCT)
sku = Sku.objects.create(product=product, provider_sku_id="0001", title=PRODUCT)
availability = Availability.objects.create(sku=sku, provider_availability_id="CFQ7TTC0K5BF",
                                           catalog_item_id="CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF")
offer = Offer.objects.create(availability=availability, term="P1M", billing_cycle="monthly")
ProviderPrice.objects.create(offer=offer, currency="EUR", unit_price=Decimal("8.00"),
                             effective_from=datetime(2020, 1, 1, tzinfo=UTC))
prices = PriceList.objects.create(owner=tailspin, name="Tailspin EUR", currency="EUR")
PriceListEntry.objects.create(price_list=prices, offer=offer, sale_price=Decimal("12.50"),
                              effective_from=date(2020, 1, 1))
subscription = Subscription.objects.create(
    tenant=tenant, offer=offer, friendly_name=FRIENDLY_NAME, quantity=SEATS + ADDED, status="active",
    term="P1M", billing_cycle="monthly", start_date=START, provider_subscription_id="sub-aw-e2e",
)
zone = ZoneInfo(tailspin.time_zone)
noon = {day: datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC) for day in (START, ADDED_ON)}
origin = ledger.Origin("backoffice", "e2e", "e2e")
ledger.record_price(subscription, unit_price=PRICE, currency="EUR", effective_from=START, origin=origin,
                    clock=FrozenClock(noon[START]))
subscription.quantity = SEATS
ledger.record_purchase(subscription, effective_at=noon[START], origin=origin,
                       price=lock_price(subscription, START), clock=FrozenClock(noon[START]))
ledger.record_quantity(subscription, quantity=SEATS + ADDED, effective_at=noon[ADDED_ON], origin=origin,
                       clock=FrozenClock(noon[ADDED_ON]))
subscription.quantity = SEATS + ADDED
subscription.save(update_fields=["quantity"])
print(json.dumps({"subscription": subscription.pk}))
"""


def _first_of_previous(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _day(day: date, with_year: bool = False) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if with_year else "")


@dataclass(frozen=True)
class Plan:
    """The subscription's dates and what last month's bill must say about it."""

    today: date

    @property
    def last_month(self) -> date:
        return _first_of_previous(self.today)

    @property
    def start(self) -> date:
        return _first_of_previous(self.last_month)

    @property
    def added_on(self) -> date:
        return self.last_month.replace(day=ADDED_ON_DAY)

    @property
    def cycle(self) -> str:
        return f"{self.last_month:%Y-%m}"

    @property
    def bill_date(self) -> date:
        return self.last_month.replace(day=16)  # Tailspin's billing day is the 15th

    @property
    def days(self) -> int:
        return calendar.monthrange(self.last_month.year, self.last_month.month)[1]

    @property
    def period_last_day(self) -> date:
        return self.last_month.replace(day=self.days)

    @property
    def active_days(self) -> int:
        return self.days - ADDED_ON_DAY + 1

    @property
    def renewal(self) -> Decimal:
        return _money(SEATS * PRICE)

    @property
    def addition(self) -> Decimal:
        return _money(ADDED * PRICE * self.active_days / self.days)

    @property
    def total(self) -> Decimal:
        return self.renewal + self.addition

    @property
    def explanations(self) -> tuple[str, str]:
        period = f"{_day(self.last_month)}–{_day(self.period_last_day, True)}"
        return (
            f"{SEATS} × {PRICE} EUR (renewed {_day(self.last_month)}, period {period})",
            f"{ADDED} × {PRICE} EUR × {self.active_days}/{self.days} days "
            f"(added {_day(self.added_on)}, period {period})",
        )

    def script(self) -> str:
        constants = (
            "from datetime import date\nfrom decimal import Decimal\n"
            f"START = date({self.start.year}, {self.start.month}, {self.start.day})\n"
            f"ADDED_ON = date({self.added_on.year}, {self.added_on.month}, {self.added_on.day})\n"
            f"SEATS, ADDED = {SEATS}, {ADDED}\nPRICE = Decimal({str(PRICE)!r})\n"
            f"PRODUCT = {PRODUCT!r}\nFRIENDLY_NAME = {FRIENDLY_NAME!r}\n"
        )
        return constants + SETUP

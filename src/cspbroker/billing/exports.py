"""The billing report as CSV and XLSX (B3): the same rows as the page; cost and margin for staff only.

XLSX: one sheet per cycle, numbers stored as numbers with the currency's number format.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from cspbroker.billing.report import BillingReport
from cspbroker.domain.money import Money, minor_digits

HEADER = ["Bill date", "Cycle", "Subscription", "Product", "Charge", "Period from", "Period to"]
HEADER += ["Quantity", "Unit price", "Amount", "Currency", "Price source", "Explanation"]
COST_HEADER = ["Cost", "Margin"]


def _rows(report: BillingReport) -> list[tuple[list[object], str]]:
    rows: list[tuple[list[object], str]] = []
    for cycle in report.cycles:
        for subscription in cycle.subscriptions:
            for line in subscription.lines:
                row: list[object] = [
                    cycle.bill_date,
                    cycle.label,
                    subscription.subscription_id,
                    subscription.name,
                    line.label,
                    line.period_start,
                    line.period_last_day,
                    line.quantity,
                    line.unit_price.amount,
                    line.amount.amount,
                    cycle.currency,
                    line.price_source,
                    line.explanation,
                ]
                if report.show_cost:
                    row += [_amount(line.cost), _amount(line.margin)]
                rows.append((row, cycle.label))
    return rows


def _amount(money: Money | None) -> Decimal | None:
    return None if money is None else money.amount


def to_csv(report: BillingReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER + (COST_HEADER if report.show_cost else []))
    for row, _ in _rows(report):
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


def _number_format(currency: str) -> str:
    digits = minor_digits(currency)
    return f'#,##0{"." + "0" * digits if digits else ""} "{currency}"'


def to_xlsx(report: BillingReport) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    header = HEADER + (COST_HEADER if report.show_cost else [])
    money_columns = [9, 10] + ([14, 15] if report.show_cost else [])
    for cycle in report.cycles:
        title = f"{cycle.label} {cycle.currency}" if len(report.cycles) > 1 else cycle.label
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(["Bill", cycle.bill_date, "Total", cycle.total.amount, cycle.currency])
        sheet.cell(row=1, column=4).number_format = _number_format(cycle.currency)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for subscription in cycle.subscriptions:
            for line in subscription.lines:
                row: list[object] = [
                    cycle.bill_date,
                    cycle.label,
                    subscription.subscription_id,
                    subscription.name,
                    line.label,
                    line.period_start,
                    line.period_last_day,
                    line.quantity,
                    line.unit_price.amount,
                    line.amount.amount,
                    cycle.currency,
                    line.price_source,
                    line.explanation,
                ]
                if report.show_cost:
                    row += [_amount(line.cost), _amount(line.margin)]
                sheet.append(row)
                for column in money_columns:
                    sheet.cell(row=sheet.max_row, column=column).number_format = _number_format(
                        cycle.currency
                    )
                for column in (1, 6, 7):
                    sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
        sheet.column_dimensions["D"].width = 36
        sheet.column_dimensions["M"].width = 70
    if not workbook.worksheets:
        workbook.create_sheet("Report")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

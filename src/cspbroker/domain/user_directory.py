"""Importing users from, and exporting them to, a CSV directory file (feature U2).

The file has the columns of Partner Center's user resource: userPrincipalName, firstName, lastName,
displayName, usageLocation. Files come from spreadsheets, so the parser forgives what Excel does
(a byte-order mark, `;` as the delimiter in many locales, headers in another case, blank rows) and
then judges each row on its own: create it, skip it (the user exists), or refuse it with reasons.

Exported values that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) get a leading apostrophe, and the import removes exactly one such apostrophe, so
export then import gives back the same values.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from cspbroker.domain.errors import DomainError
from cspbroker.domain.tenants import ISO_COUNTRY_CODES

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS: Final = ("userPrincipalName", "firstName", "lastName", "displayName", "usageLocation")
_SNAKE_CASE: Final = {
    "userPrincipalName": "user_principal_name",
    "firstName": "first_name",
    "lastName": "last_name",
    "displayName": "display_name",
    "usageLocation": "usage_location",
}
_CANDIDATE_DELIMITERS: Final = (",", ";", "\t")
# Entra ID: the part before the @ takes letters, digits and ' . - _ ! # ^ ~, at most 64 characters.
_LOCAL_PART = re.compile(r"[A-Za-z0-9'._!#^~\-]{1,64}")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


class CsvHeaderError(DomainError):
    code = "csv_header"


class CsvMalformed(DomainError):
    code = "csv_malformed"


class RowAction(StrEnum):
    CREATE = "create"
    SKIP = "skip"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One data row: `line_number` is the file's line where it starts (the header is line 1)."""

    line_number: int
    values: dict[str, str]
    action: RowAction
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would do, row by row, before anything is created."""

    rows: list[ImportRow]
    delimiter: str
    ignored_columns: list[str] = field(default_factory=list)

    def _with(self, action: RowAction) -> list[ImportRow]:
        return [row for row in self.rows if row.action is action]

    @property
    def to_create(self) -> list[ImportRow]:
        return self._with(RowAction.CREATE)

    @property
    def skipped(self) -> list[ImportRow]:
        return self._with(RowAction.SKIP)

    @property
    def refused(self) -> list[ImportRow]:
        return self._with(RowAction.REFUSE)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.to_create)} to create, {len(self.skipped)} already exist, "
            f"{len(self.refused)} refused."
        )


def parse_user_csv(text: str, *, tenant_domains: set[str], existing_upns: set[str]) -> ImportPreview:
    """Read a user directory file and decide, for every row, whether to create, skip or refuse it.

    A header that lacks a column raises `CsvHeaderError` naming every missing column; a file that
    the csv reader cannot read at all raises `CsvMalformed` with the line. Row problems never raise:
    they are the `reasons` of a refused row.
    """
    text = text.removeprefix("\ufeff")
    header_line = next((line for line in io.StringIO(text) if line.strip()), "")
    if not header_line:
        raise CsvHeaderError(
            f"The file is empty; its first line must be the header {', '.join(COLUMNS)}.", field="file"
        )
    delimiter = _sniff_delimiter(header_line)
    records = _records(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_line_number, header = next((number, record) for number, record in records if record)
    positions, ignored = _column_positions(header, header_line_number)
    domains = {domain.strip().lower() for domain in tenant_domains}
    existing = {upn.strip().lower() for upn in existing_upns}
    first_lines: dict[str, int] = {}
    rows: list[ImportRow] = []
    for line_number, record in records:
        if not any(value.strip() for value in record):
            continue  # blank or ";;;;" rows that spreadsheets leave at the end
        rows.append(_judge_row(line_number, record, len(header), positions, domains, existing, first_lines))
    return ImportPreview(rows=rows, delimiter=delimiter, ignored_columns=ignored)


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter under which the header names the most expected columns (ties: the most fields)."""

    def score(delimiter: str) -> tuple[int, int]:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        known = {_normalised_name(name) for name in names} & set(_EXPECTED)
        return len(known), len(names)

    return max(_CANDIDATE_DELIMITERS, key=score)


def _normalised_name(name: str) -> str:
    return "".join(name.split()).casefold()


_EXPECTED: Final = {_normalised_name(column): column for column in COLUMNS}


def _records(reader: Reader) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields); a quoted field may span lines."""
    line_read = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvMalformed(
                f"Line {line_read + 1} of the file cannot be read as CSV: {error}.", field="file"
            ) from None
        start = line_read + 1
        line_read = reader.line_num
        yield start, record


def _column_positions(header: list[str], line_number: int) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        column = _EXPECTED.get(_normalised_name(name))
        if column is None:
            if name.strip():
                ignored.append(name.strip())
        elif column in positions:
            raise CsvHeaderError(
                f"The header on line {line_number} has the column {column} twice; keep one.", field="file"
            )
        else:
            positions[column] = index
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        raise CsvHeaderError(
            f"The header on line {line_number} is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; it needs {', '.join(COLUMNS)}.",
            field="file",
        )
    return positions, ignored


def _judge_row(
    line_number: int,
    record: list[str],
    width: int,
    positions: dict[str, int],
    domains: set[str],
    existing: set[str],
    first_lines: dict[str, int],
) -> ImportRow:
    values = {
        column: _unescaped(record[index].strip()) if index < len(record) else ""
        for column, index in positions.items()
    }
    values["usageLocation"] = values["usageLocation"].upper()
    reasons: list[str] = []
    if len(record) > width:
        reasons.append(f"The row has {len(record)} fields but the header has {width}.")
    empty = [column for column in COLUMNS if not values[column]]
    if empty:
        reasons.append(f"Required value{'s' if len(empty) > 1 else ''} missing: {', '.join(empty)}.")
    upn = values["userPrincipalName"]
    if upn:
        reasons += _upn_problems(upn, domains)
        key = upn.lower()
        if key in first_lines:
            reasons.append(f"The user {upn} already appears on line {first_lines[key]}.")
        else:
            first_lines[key] = line_number
    location = values["usageLocation"]
    if location and location not in ISO_COUNTRY_CODES:
        reasons.append(
            f"usageLocation {location} is not a two-letter ISO 3166-1 country code such as US or NL."
        )
    if reasons:
        return ImportRow(line_number, values, RowAction.REFUSE, reasons)
    if upn.lower() in existing:
        return ImportRow(
            line_number, values, RowAction.SKIP, [f"The user {upn} already exists; it is left as it is."]
        )
    return ImportRow(line_number, values, RowAction.CREATE, [])


def _upn_problems(upn: str, domains: set[str]) -> list[str]:
    local_part, at, domain = upn.rpartition("@")
    if (
        not at
        or not _LOCAL_PART.fullmatch(local_part)
        or local_part.startswith(".")
        or local_part.endswith(".")
        or ".." in local_part
        or not _DOMAIN.fullmatch(domain)
    ):
        return [
            f"userPrincipalName {upn} is not of the form name@domain "
            "(letters, digits and . - _ before the @)."
        ]
    if domain.lower() not in domains:
        known = ", ".join(sorted(domains)) or "none"
        return [f"The domain {domain} is not one of the tenant's domains ({known})."]
    return []


def _unescaped(value: str) -> str:
    return value[1:] if value.startswith("'") and _ESCAPED_FORMULA.match(value) else value


def _escaped(value: str) -> str:
    stripped = value.lstrip("'")
    return "'" + value if stripped.startswith(_FORMULA_START) else value


def _value(user: Mapping[str, object], column: str) -> str:
    value = user.get(column)
    if value is None:
        value = user.get(_SNAKE_CASE[column])
    return "" if value is None else str(value)


def export_users_csv(users: Iterable[Mapping[str, object]]) -> str:
    """The users as a directory file: the header, then one row each, RFC 4180 (CRLF, quotes as needed).

    A user is a mapping keyed by the column names or their snake_case forms (`user_principal_name`).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for user in users:
        writer.writerow([_escaped(_value(user, column)) for column in COLUMNS])
    return buffer.getvalue()

"""User import from and export to a CSV directory file (U2)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.errors import DomainError
from cspbroker.domain.user_directory import (
    COLUMNS,
    ImportPreview,
    ImportRow,
    RowAction,
    export_users_csv,
    parse_user_csv,
)

DOMAINS = {"contoso.onmicrosoft.com", "Contoso.com"}
HEADER = "userPrincipalName,firstName,lastName,displayName,usageLocation"
ANNA = "anna@contoso.com,Anna,Berg,Anna Berg,NL"


def parse(text: str, existing: set[str] | None = None) -> ImportPreview:
    return parse_user_csv(text, tenant_domains=DOMAINS, existing_upns=existing or set())


def only_row(text: str, existing: set[str] | None = None) -> ImportRow:
    [row] = parse(text, existing).rows
    return row


def values(upn: str, first: str, last: str, display: str, location: str) -> dict[str, str]:
    return dict(zip(COLUMNS, (upn, first, last, display, location), strict=True))


class TestReading:
    def test_a_valid_row_is_to_be_created(self) -> None:
        row = only_row(f"{HEADER}\n{ANNA}\n")
        assert row == ImportRow(
            2, values("anna@contoso.com", "Anna", "Berg", "Anna Berg", "NL"), RowAction.CREATE, []
        )

    def test_a_byte_order_mark_semicolons_and_a_loose_header_are_tolerated(self) -> None:
        text = "\ufeff User Principal Name ; FIRSTNAME;lastname ;DisplayName;usagelocation\r\n"
        text += "anna@contoso.com;Anna;Berg;Berg, Anna;nl\r\n"
        preview = parse(text)
        assert preview.delimiter == ";"
        assert preview.rows[0].values == values("anna@contoso.com", "Anna", "Berg", "Berg, Anna", "NL")
        assert preview.rows[0].action is RowAction.CREATE

    def test_columns_may_come_in_any_order_and_others_are_ignored(self) -> None:
        text = "usageLocation,Department,displayName,lastName,firstName,userPrincipalName\n"
        text += "US,Sales,Bo Li,Li,Bo,bo@contoso.onmicrosoft.com\n"
        preview = parse(text)
        assert preview.ignored_columns == ["Department"]
        assert preview.rows[0].values == values("bo@contoso.onmicrosoft.com", "Bo", "Li", "Bo Li", "US")

    def test_line_numbers_count_blank_lines_and_quoted_line_breaks(self) -> None:
        text = f'\n{HEADER}\n\n"anna@contoso.com",Anna,Berg,"Anna\nBerg",NL\n,,,,\n'
        text += "bo@contoso.com,Bo,Li,Bo Li,US\n"
        assert [row.line_number for row in parse(text).rows] == [4, 7]

    def test_rows_of_empty_fields_are_skipped_silently(self) -> None:
        assert parse(f"{HEADER}\n,,,,\n , , , ,\n").rows == []

    def test_the_summary_counts_each_action(self) -> None:
        text = f"{HEADER}\n{ANNA}\nbo@contoso.com,Bo,Li,Bo Li,US\nnobody,,,,\n"
        assert parse(text, {"BO@contoso.com"}).summary == "1 to create, 1 already exist, 1 refused."


class TestHeader:
    def test_missing_columns_are_named(self) -> None:
        with pytest.raises(DomainError) as raised:
            parse("userPrincipalName;displayName;usageLocation\nanna@contoso.com;Anna Berg;NL\n")
        assert (raised.value.code, raised.value.field) == ("csv_header", "file")
        assert raised.value.message == (
            "The header on line 1 is missing the columns firstName, lastName; it needs "
            "userPrincipalName, firstName, lastName, displayName, usageLocation."
        )

    def test_one_missing_column(self) -> None:
        with pytest.raises(DomainError) as raised:
            parse("userPrincipalName,firstName,lastName,displayName\n")
        assert raised.value.message.startswith("The header on line 1 is missing the column usageLocation;")

    @pytest.mark.parametrize("text", ["", "\ufeff", "\n \n"])
    def test_an_empty_file_is_refused(self, text: str) -> None:
        with pytest.raises(DomainError) as raised:
            parse(text)
        assert raised.value.code == "csv_header"
        assert raised.value.message.startswith("The file is empty;")

    def test_a_column_twice_is_refused(self) -> None:
        with pytest.raises(DomainError) as raised:
            parse(HEADER + ",FirstName\n")
        assert raised.value.message == "The header on line 1 has the column firstName twice; keep one."

    def test_an_unreadable_file_is_refused_with_its_line(self) -> None:
        with pytest.raises(DomainError) as raised:
            parse(f'{HEADER}\n{ANNA}\n"{"x" * 200_000}",a,b,c,NL\n')
        assert (raised.value.code, raised.value.field) == ("csv_malformed", "file")
        assert raised.value.message.startswith("Line 3 of the file cannot be read as CSV:")


class TestRefusals:
    @pytest.mark.parametrize(
        "upn",
        ["anna", "anna@", "@contoso.com", ".anna@contoso.com", "an..na@contoso.com", "an na@contoso.com"],
    )
    def test_a_malformed_user_principal_name(self, upn: str) -> None:
        row = only_row(f"{HEADER}\n{upn},Anna,Berg,Anna Berg,NL\n")
        assert row.action is RowAction.REFUSE
        assert row.reasons == [
            f"userPrincipalName {upn} is not of the form name@domain "
            "(letters, digits and . - _ before the @)."
        ]

    def test_a_domain_the_tenant_does_not_have(self) -> None:
        row = only_row(f"{HEADER}\nanna@fabrikam.com,Anna,Berg,Anna Berg,NL\n")
        assert row.reasons == [
            "The domain fabrikam.com is not one of the tenant's domains "
            "(contoso.com, contoso.onmicrosoft.com)."
        ]

    def test_the_domain_is_compared_without_case(self) -> None:
        assert only_row(f"{HEADER}\nanna@CONTOSO.com,Anna,Berg,Anna Berg,NL\n").action is RowAction.CREATE

    def test_empty_required_values_are_named(self) -> None:
        row = only_row(f"{HEADER}\nanna@contoso.com, ,Berg,,NL\n")
        assert row.reasons == ["Required values missing: firstName, displayName."]

    def test_a_short_row_misses_its_last_values(self) -> None:
        row = only_row(f"{HEADER}\nanna@contoso.com,Anna,Berg,Anna Berg\n")
        assert row.reasons == ["Required value missing: usageLocation."]

    def test_a_long_row_is_refused(self) -> None:
        row = only_row(f"{HEADER}\n{ANNA},extra\n")
        assert row.reasons == ["The row has 6 fields but the header has 5."]

    @pytest.mark.parametrize("location", ["NLD", "XX", "1"])
    def test_a_usage_location_that_is_not_iso_2(self, location: str) -> None:
        row = only_row(f"{HEADER}\nanna@contoso.com,Anna,Berg,Anna Berg,{location}\n")
        assert row.reasons == [
            f"usageLocation {location} is not a two-letter ISO 3166-1 country code such as US or NL."
        ]

    def test_every_reason_is_listed(self) -> None:
        row = only_row(f"{HEADER}\nanna@fabrikam.com,,Berg,Anna Berg,XX\n")
        assert len(row.reasons) == 3

    def test_a_duplicate_names_the_first_line(self) -> None:
        rows = parse(
            f"{HEADER}\n{ANNA}\nbo@contoso.com,Bo,Li,Bo Li,US\nANNA@contoso.com,Anna,B,Anna B,NL\n"
        ).rows
        assert [row.action for row in rows] == [RowAction.CREATE, RowAction.CREATE, RowAction.REFUSE]
        assert rows[2].reasons == ["The user ANNA@contoso.com already appears on line 2."]


class TestSkips:
    def test_an_existing_user_is_skipped_and_says_so(self) -> None:
        row = only_row(f"{HEADER}\n{ANNA}\n", {"Anna@Contoso.com"})
        assert (row.action, row.reasons) == (
            RowAction.SKIP,
            ["The user anna@contoso.com already exists; it is left as it is."],
        )

    def test_a_refusal_outweighs_a_skip(self) -> None:
        row = only_row(f"{HEADER}\nanna@contoso.com,Anna,Berg,Anna Berg,XX\n", {"anna@contoso.com"})
        assert row.action is RowAction.REFUSE


class TestExport:
    def test_the_header_and_rfc_4180_quoting(self) -> None:
        users = [
            {
                "userPrincipalName": "anna@contoso.com",
                "firstName": "Anna",
                "lastName": "Berg",
                "displayName": 'Berg, Anna "AB"',
                "usageLocation": "NL",
            }
        ]
        assert export_users_csv(users) == (
            f'{HEADER}\r\nanna@contoso.com,Anna,Berg,"Berg, Anna ""AB""",NL\r\n'
        )

    def test_snake_case_keys_and_missing_values(self) -> None:
        users = [{"user_principal_name": "bo@contoso.com", "first_name": "Bo", "last_name": None}]
        assert export_users_csv(users) == f"{HEADER}\r\nbo@contoso.com,Bo,,,\r\n"

    def test_no_users_gives_the_header(self) -> None:
        assert export_users_csv([]) == f"{HEADER}\r\n"

    def test_values_a_spreadsheet_would_run_are_defused(self) -> None:
        users = [{"userPrincipalName": "x@contoso.com", "firstName": "=HYPERLINK(1)", "lastName": "'+1"}]
        assert export_users_csv(users).splitlines()[1] == "x@contoso.com,'=HYPERLINK(1),''+1,,"

    def test_import_removes_the_apostrophe_export_added(self) -> None:
        row = only_row(f"{HEADER}\nx@contoso.com,'=A,''+B,'C,NL\n")
        assert row.values == values("x@contoso.com", "=A", "'+B", "'C", "NL")


_local_parts = st.builds(
    lambda head, tail: f"{head}.{tail}" if tail else head,
    st.text(alphabet="abcxyz019_-'", min_size=1, max_size=8),
    st.text(alphabet="mnop", max_size=3),
)
# Names built from pieces that CSV, spreadsheets and scripts treat specially: few draws, many cases.
_NAME_PIECES = [
    "Anna", "ß", "漢字", "Berg, Anna", 'say "hi"', "O'Neil", "a;b", "x\ty", "line\u2028sep", "new\nline",
    "=SUM(A1)", "+1", "-5", "@home", "'=x", "''+y", "'", "é",
]  # fmt: skip
_names = st.lists(st.sampled_from(_NAME_PIECES), min_size=1, max_size=3).map(" ".join)
_users = st.lists(
    st.builds(
        values,
        st.builds(lambda local, domain: f"{local}@{domain}", _local_parts, st.sampled_from(sorted(DOMAINS))),
        _names,
        _names,
        _names,
        st.sampled_from(["US", "NL", "GB", "DE", "JP"]),
    ),
    max_size=5,
    unique_by=lambda user: user["userPrincipalName"].lower(),
)


@given(_users)
def test_export_then_import_gives_the_same_values(users: list[dict[str, str]]) -> None:
    preview = parse(export_users_csv(users))
    assert [row.values for row in preview.rows] == users
    assert all(row.action is RowAction.CREATE for row in preview.rows)
    starts, line = [], 2
    for user in users:  # a quoted line break moves the next row's first line down
        starts.append(line)
        line += 1 + sum(value.count("\n") for value in user.values())
    assert [row.line_number for row in preview.rows] == starts


def test_ten_thousand_rows_parse_quickly() -> None:
    lines = [HEADER] + [f"user{n}@contoso.com,First{n},Last{n},First{n} Last{n},NL" for n in range(10_000)]
    text = "\r\n".join(lines) + "\r\n"
    existing = {f"user{n}@contoso.com" for n in range(0, 10_000, 10)}

    started = time.perf_counter()
    preview = parse(text, existing)
    elapsed = time.perf_counter() - started

    print(f"\nparse_user_csv: 10,000 rows in {elapsed * 1000:.1f} ms")
    assert (len(preview.to_create), len(preview.skipped), len(preview.refused)) == (9_000, 1_000, 0)

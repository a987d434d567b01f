"""Tenant names, the company address Microsoft needs, GUIDs and usage locations (T2, K1, U1)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.errors import DomainError
from cspbroker.domain.tenants import (
    ISO_COUNTRY_CODES,
    AddressIncomplete,
    CountryRules,
    missing_address_fields,
    require_complete_address,
    split_contact_name,
    tenant_domain,
    validate_country,
    validate_guid,
    validate_tenant_prefix,
    validate_usage_location,
)

COMPLETE = {
    "company_name": "Contoso Ltd",
    "first_name": "Anna",
    "last_name": "Berg",
    "email": "anna@contoso.com",
    "address_line1": "One Microsoft Way",
    "city": "Redmond",
    "state": "WA",
    "postal_code": "98052",
    "phone_number": "",
}


class TestTenantPrefix:
    def test_it_is_lower_cased(self) -> None:
        assert validate_tenant_prefix("Contoso2025") == "contoso2025"

    def test_surrounding_spaces_are_ignored(self) -> None:
        assert validate_tenant_prefix("  contoso ") == "contoso"

    def test_a_full_onmicrosoft_domain_gives_its_prefix(self) -> None:
        assert validate_tenant_prefix("Contoso.onmicrosoft.com") == "contoso"

    def test_twenty_seven_characters_are_allowed(self) -> None:
        assert validate_tenant_prefix("a" * 27) == "a" * 27

    def test_one_character_is_allowed(self) -> None:
        assert validate_tenant_prefix("x") == "x"

    @pytest.mark.parametrize("prefix", ["", "   ", ".onmicrosoft.com"])
    def test_an_empty_name_is_refused(self, prefix: str) -> None:
        with pytest.raises(DomainError) as raised:
            validate_tenant_prefix(prefix)
        assert (raised.value.code, raised.value.field) == ("tenant_prefix_required", "tenant_prefix")
        assert raised.value.message == "Enter a tenant name: it becomes <name>.onmicrosoft.com."

    def test_twenty_eight_characters_are_refused(self) -> None:
        with pytest.raises(DomainError) as raised:
            validate_tenant_prefix("a" * 28)
        assert raised.value.code == "tenant_prefix_too_long"
        assert raised.value.message == (
            f"A tenant name may be at most 27 characters long; “{'a' * 28}” has 28."
        )

    def test_other_characters_are_named(self) -> None:
        with pytest.raises(DomainError) as raised:
            validate_tenant_prefix("con-toso ltd-ü")
        assert raised.value.code == "tenant_prefix_characters"
        assert raised.value.message == (
            "A tenant name may contain only the letters a–z and the digits 0–9; remove “-” space “ü”."
        )

    def test_the_tenant_domain(self) -> None:
        assert tenant_domain("Contoso") == "contoso.onmicrosoft.com"

    @given(
        st.text(
            alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=27
        )
    )
    def test_any_letters_and_digits_up_to_27_are_accepted(self, prefix: str) -> None:
        assert validate_tenant_prefix(prefix) == prefix.lower()

    @given(st.text(max_size=40))
    def test_anything_else_is_refused_with_a_domain_error(self, prefix: str) -> None:
        try:
            accepted = validate_tenant_prefix(prefix)
        except DomainError as error:
            assert error.code.startswith("tenant_prefix_")
        else:
            assert accepted.isascii() and accepted.isalnum() and 1 <= len(accepted) <= 27


class TestAddress:
    def test_a_complete_us_address_misses_nothing(self) -> None:
        assert missing_address_fields(COMPLETE, "US") == []

    def test_every_missing_field_is_listed_in_form_order(self) -> None:
        address = {**COMPLETE, "city": "", "postal_code": None, "first_name": "  "}
        assert missing_address_fields(address, "US") == ["first_name", "city", "postal_code"]

    def test_a_state_is_needed_in_the_us_canada_and_australia(self) -> None:
        address = {**COMPLETE, "state": ""}
        assert [missing_address_fields(address, country) for country in ("US", "ca", "AU")] == [["state"]] * 3

    def test_a_state_is_not_needed_in_the_netherlands(self) -> None:
        assert missing_address_fields({**COMPLETE, "state": ""}, "NL") == []

    def test_a_phone_number_is_needed_where_partner_center_error_600051_says(self) -> None:
        assert missing_address_fields(COMPLETE, "HU") == ["phone_number"]
        assert missing_address_fields({**COMPLETE, "phone_number": "+36 1 234 5678"}, "HU") == []

    def test_no_postal_code_is_asked_where_there_are_none(self) -> None:
        assert missing_address_fields({**COMPLETE, "postal_code": ""}, "HK") == []

    def test_a_missing_country_is_listed(self) -> None:
        assert missing_address_fields(COMPLETE, None) == ["country"]

    def test_the_country_may_come_from_the_address(self) -> None:
        assert missing_address_fields({**COMPLETE, "country": "US", "state": ""}, None) == ["state"]

    def test_live_country_rules_replace_the_defaults(self) -> None:
        rules = CountryRules(state_required=True, postal_code_required=False, phone_required=True)
        address = {**COMPLETE, "state": "", "postal_code": ""}
        assert missing_address_fields(address, "NL", rules=rules) == ["state", "phone_number"]

    def test_the_error_names_every_missing_field_in_words(self) -> None:
        with pytest.raises(AddressIncomplete) as raised:
            require_complete_address({**COMPLETE, "city": "", "postal_code": ""}, "US")
        error = raised.value
        assert (error.code, error.field, error.missing) == (
            "address_incomplete",
            "city",
            ["city", "postal_code"],
        )
        assert error.message == "The company address is missing: city, postal code."

    def test_an_empty_address_names_everything(self) -> None:
        with pytest.raises(AddressIncomplete) as raised:
            require_complete_address({}, "")
        assert raised.value.message == (
            "The company address is missing: company name, contact first name, contact last name, email, "
            "address line 1, city, postal code, country."
        )

    def test_the_error_survives_pickling(self) -> None:
        copy = pickle.loads(pickle.dumps(AddressIncomplete(["city"])))
        assert (copy.code, copy.missing, copy.message) == (
            "address_incomplete",
            ["city"],
            "The company address is missing: city.",
        )

    def test_a_complete_address_gives_the_country_code(self) -> None:
        assert require_complete_address(COMPLETE, " us ") == "US"

    def test_an_unknown_country_is_refused(self) -> None:
        with pytest.raises(DomainError) as raised:
            require_complete_address(COMPLETE, "XX")
        assert (raised.value.code, raised.value.field) == ("invalid_country", "country")

    def test_partner_center_length_limits_are_checked(self) -> None:
        with pytest.raises(DomainError) as raised:
            require_complete_address({**COMPLETE, "last_name": "x" * 51}, "US")
        assert (raised.value.code, raised.value.field) == ("invalid_address", "last_name")
        assert raised.value.message == "The contact last name may be at most 50 characters long; it has 51."


class TestContactName:
    @pytest.mark.parametrize(
        ("full_name", "parts"),
        [
            ("Anna Berg", ("Anna", "Berg")),
            ("  Anna   van der  Berg ", ("Anna", "van der Berg")),
            ("Berg, Anna", ("Anna", "Berg")),
            ("Madonna", ("Madonna", "")),
            ("", ("", "")),
        ],
    )
    def test_split(self, full_name: str, parts: tuple[str, str]) -> None:
        assert split_contact_name(full_name) == parts

    def test_a_single_word_leaves_the_last_name_to_be_asked_for(self) -> None:
        first, last = split_contact_name("Madonna")
        assert missing_address_fields({**COMPLETE, "first_name": first, "last_name": last}, "NL") == [
            "last_name"
        ]


class TestGuid:
    def test_a_guid_is_lower_cased(self) -> None:
        assert (
            validate_guid(" 8DB0A1B2-3C4D-4E5F-8A9B-0C1D2E3F4A5B ", "client_id")
            == "8db0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
        )

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "8db0a1b23c4d4e5f8a9b0c1d2e3f4a5b",
            "{8db0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b}",
            "8db0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5",
            "8db0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5g",
        ],
    )
    def test_anything_else_is_refused_with_the_format(self, value: str) -> None:
        with pytest.raises(DomainError) as raised:
            validate_guid(value, "client_id")
        assert (raised.value.code, raised.value.field) == ("invalid_guid", "client_id")
        assert raised.value.message == (
            "Client id must be a GUID: 8-4-4-4-12 hexadecimal digits with dashes, "
            "e.g. 8db0a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b."
        )

    @given(st.uuids())
    def test_every_uuid_is_accepted(self, value: object) -> None:
        assert validate_guid(str(value).upper(), "client_id") == str(value)


class TestCountries:
    def test_there_are_249_iso_codes(self) -> None:
        assert len(ISO_COUNTRY_CODES) == 249

    def test_a_usage_location_is_upper_cased(self) -> None:
        assert validate_usage_location(" nl ") == "NL"

    @pytest.mark.parametrize("code", ["", "NLD", "XX", "U S", "uk"])
    def test_a_usage_location_must_be_iso_2(self, code: str) -> None:
        with pytest.raises(DomainError) as raised:
            validate_usage_location(code)
        assert (raised.value.code, raised.value.field) == ("invalid_usage_location", "usage_location")
        assert "two-letter ISO 3166-1 country code" in raised.value.message

    def test_a_country_is_validated_against_iso(self) -> None:
        assert validate_country("gb") == "GB"

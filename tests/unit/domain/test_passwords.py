"""The password policy of seed 002 and the three password modes (U1)."""

from __future__ import annotations

import pickle
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspbroker.domain.errors import DomainError
from cspbroker.domain.passwords import (
    PasswordMode,
    PasswordPolicyError,
    PolicyViolation,
    ResolvedPassword,
    UserNames,
    account_name_parts,
    check_password,
    full_name_parts,
    generate_password,
    require_valid_password,
    resolve_password,
)

JOHN = UserNames(account_name="john.doe@contoso.onmicrosoft.com", full_name="John Doe")


def codes(password: str, account_name: str = "", full_name: str = "") -> list[str]:
    return [v.code for v in check_password(password, account_name=account_name, full_name=full_name)]


class TestRules:
    def test_a_password_meeting_every_rule_has_no_violations(self) -> None:
        assert check_password("abCD123*", account_name="jdoe", full_name="Jane Doe") == []

    def test_seven_characters_are_too_short(self) -> None:
        assert codes("aB3$efg") == ["too_short"]

    def test_eight_characters_are_enough(self) -> None:
        assert codes("aB3$efgh") == []

    @pytest.mark.parametrize(
        ("password", "code"),
        [
            ("abcd123*", "missing_upper"),
            ("ABCD123*", "missing_lower"),
            ("abCDefg*", "missing_digit"),
            ("abCD1234", "missing_symbol"),
        ],
    )
    def test_each_character_class_is_required(self, password: str, code: str) -> None:
        assert codes(password) == [code]

    def test_the_underscore_is_a_word_character_and_not_a_symbol(self) -> None:
        assert codes("abCD123_") == ["missing_symbol"]

    def test_a_space_is_a_non_word_character(self) -> None:
        assert codes("abCD 123") == []

    def test_every_failed_rule_is_listed_in_order(self) -> None:
        assert codes("") == ["too_short", "missing_upper", "missing_lower", "missing_digit", "missing_symbol"]

    def test_each_violation_names_its_rule(self) -> None:
        [violation] = check_password("abCD1234", account_name="", full_name="")
        assert violation == PolicyViolation(
            "missing_symbol",
            "It must contain a non-word character such as ! @ # $ % (the underscore does not count).",
        )

    def test_the_length_message_says_how_long_it_is(self) -> None:
        [violation] = check_password("aB3$", account_name="", full_name="")
        assert violation.message == "It must be at least 8 characters long; it has 4."


class TestNames:
    def test_account_name_parts_are_the_local_part_and_its_long_tokens(self) -> None:
        assert account_name_parts("john.doe_x-smith@contoso.com") == [
            "john.doe_x-smith",
            "john",
            "doe",
            "smith",
        ]

    def test_full_name_parts_are_tokens_of_three_or_more(self) -> None:
        assert full_name_parts("Jan van Dijk-Al") == ["jan", "van", "dijk"]

    def test_the_account_name_is_refused_without_regard_to_case(self) -> None:
        assert codes("xJOHN42!a", account_name="john.doe@contoso.com") == ["contains_account_name"]

    def test_the_whole_local_part_is_refused(self) -> None:
        assert codes("Jd0e!jd0e", account_name="jd0e@contoso.com") == ["contains_account_name"]

    def test_the_domain_is_not_part_of_the_account_name(self) -> None:
        assert codes("Contoso1!", account_name="jdoe@contoso.com") == []

    def test_a_part_of_the_full_name_is_refused(self) -> None:
        violations = check_password("Welcome1!Doe", account_name="jd", full_name="Jane Doe")
        assert violations == [
            PolicyViolation("contains_full_name", "It must not contain parts of the full name (“doe”).")
        ]

    def test_parts_shorter_than_three_characters_are_allowed(self) -> None:
        assert codes("Al!Li9xyz", account_name="al@contoso.com", full_name="Al Li") == []

    def test_account_and_name_violations_come_together(self) -> None:
        assert codes("Johnny1!Doe", account_name=JOHN.account_name, full_name=JOHN.full_name) == [
            "contains_account_name",
            "contains_full_name",
        ]


class TestRequire:
    def test_a_valid_password_is_returned(self) -> None:
        assert require_valid_password("abCD123*", account_name="jdoe", full_name="Jane Doe") == "abCD123*"

    def test_one_error_lists_every_violation(self) -> None:
        with pytest.raises(PasswordPolicyError) as raised:
            require_valid_password("abcdefgh", account_name="", full_name="")
        error = raised.value
        assert error.code == "password_policy"
        assert error.field == "password"
        assert [v.code for v in error.violations] == ["missing_upper", "missing_digit", "missing_symbol"]
        assert error.message == (
            "The password does not meet the password policy. It must contain an upper-case letter (A–Z). "
            "It must contain a digit (0–9). "
            "It must contain a non-word character such as ! @ # $ % (the underscore does not count)."
        )

    def test_the_error_survives_pickling_with_its_violations(self) -> None:
        error = PasswordPolicyError([PolicyViolation("too_short", "short")])
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.code, copy.violations, copy.field) == ("password_policy", error.violations, "password")


class TestGenerate:
    def test_a_seeded_generator_is_reproducible(self) -> None:
        assert generate_password(random.Random(7)) == generate_password(random.Random(7))

    def test_the_default_length_is_fourteen(self) -> None:
        assert len(generate_password()) == 14

    @pytest.mark.parametrize("length", [7, 0, 257])
    def test_lengths_outside_the_policy_are_refused(self, length: int) -> None:
        with pytest.raises(DomainError) as raised:
            generate_password(random.Random(1), length)
        assert raised.value.code == "invalid_password_length"

    @given(
        seed=st.integers(0, 2**32),
        length=st.integers(8, 64),
        names=st.sampled_from(
            [("", ""), ("john.doe@contoso.com", "John Doe"), ("abc@x.com", "Xyz Abc Def"), ("aaa", "bbb Ccc")]
        ),
    )
    def test_a_generated_password_always_meets_the_policy(
        self, seed: int, length: int, names: tuple[str, str]
    ) -> None:
        account_name, full_name = names
        password = generate_password(
            random.Random(seed), length, account_name=account_name, full_name=full_name
        )
        assert len(password) == length
        assert check_password(password, account_name=account_name, full_name=full_name) == []

    def test_a_draw_that_spells_a_name_is_drawn_again(self) -> None:
        # Names made of every three-letter run the first draws of seed 3 contain force retries.
        first = generate_password(random.Random(3), 8)
        runs = [first[i : i + 3] for i in range(len(first) - 2)]
        again = generate_password(random.Random(3), 8, full_name=" ".join(runs))
        assert again != first
        assert check_password(again, account_name="", full_name=" ".join(runs)) == []


class TestModes:
    def test_auto_generates_and_emails(self) -> None:
        password, send_email = resolve_password(
            PasswordMode.AUTO_GENERATE_AND_EMAIL, None, JOHN, random.Random(5)
        )
        assert send_email is True
        assert check_password(password, account_name=JOHN.account_name, full_name=JOHN.full_name) == []

    def test_an_empty_given_password_counts_as_none_in_auto_mode(self) -> None:
        resolved = resolve_password(PasswordMode.AUTO_GENERATE_AND_EMAIL, "", JOHN, random.Random(5))
        assert resolved.send_email is True

    def test_auto_refuses_a_typed_password(self) -> None:
        with pytest.raises(DomainError) as raised:
            resolve_password(PasswordMode.AUTO_GENERATE_AND_EMAIL, "abCD123*", JOHN)
        assert (raised.value.code, raised.value.field) == ("password_not_expected", "password")

    def test_specify_and_email_uses_the_given_password(self) -> None:
        assert resolve_password(PasswordMode.SPECIFY_AND_EMAIL, "abCD123*", JOHN) == ResolvedPassword(
            "abCD123*", True
        )

    def test_specify_without_email_does_not_send(self) -> None:
        assert resolve_password(PasswordMode.SPECIFY_NO_EMAIL, "abCD123*", JOHN) == ("abCD123*", False)

    @pytest.mark.parametrize("mode", [PasswordMode.SPECIFY_AND_EMAIL, PasswordMode.SPECIFY_NO_EMAIL])
    @pytest.mark.parametrize("given", [None, ""])
    def test_a_specify_mode_needs_a_password(self, mode: PasswordMode, given: str | None) -> None:
        with pytest.raises(DomainError) as raised:
            resolve_password(mode, given, JOHN)
        assert (raised.value.code, raised.value.field) == ("password_required", "password")
        assert mode.label in raised.value.message

    def test_a_specified_password_must_meet_the_policy(self) -> None:
        with pytest.raises(PasswordPolicyError) as raised:
            resolve_password(PasswordMode.SPECIFY_NO_EMAIL, "John!2345", JOHN)
        assert [v.code for v in raised.value.violations] == ["contains_account_name", "contains_full_name"]

    def test_modes_come_from_their_stored_values(self) -> None:
        assert resolve_password("specify_no_email", "abCD123*", JOHN) == ("abCD123*", False)

    def test_an_unknown_mode_is_refused(self) -> None:
        with pytest.raises(DomainError) as raised:
            resolve_password("email_it_maybe", "abCD123*", JOHN)
        assert (raised.value.code, raised.value.field) == ("invalid_password_mode", "password_mode")

    def test_the_labels_are_those_of_the_form(self) -> None:
        assert [mode.label for mode in PasswordMode] == [
            "Auto generate and send email to user",
            "Let me specify and send email to user",
            "Let me specify but don't send email to user",
        ]

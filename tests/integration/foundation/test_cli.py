"""The `cspbroker` command: its own commands and their errors."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from cspbroker.accounts.models import Membership, Organization, User
from cspbroker.cli import main


@pytest.mark.django_db
def test_createoperator_with_flags_creates_the_operator_and_its_admin(capsys):
    call_command(
        "createoperator",
        "--legal-name",
        "Fabrikam Distribution",
        "--email",
        "Boss@Fabrikam.example",
        "--password",
        "Very-Secret-99",
        "--country",
        "nl",
        "--currency",
        "eur",
        "--billing-day",
        "31",
        "--no-input",
    )
    operator = Organization.objects.get(kind="operator")
    assert (operator.legal_name, operator.country, operator.currency, operator.billing_day) == (
        "Fabrikam Distribution",
        "NL",
        "EUR",
        31,
    )
    membership = Membership.objects.get(user__email="boss@fabrikam.example")
    assert membership.role == "operator_admin" and membership.user.is_staff
    assert "created" in capsys.readouterr().out


@pytest.mark.django_db
def test_createoperator_refuses_a_second_operator(demo):
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createoperator",
            "--legal-name",
            "Two",
            "--email",
            "a@b.example",
            "--password",
            "x" * 12,
            "--country",
            "DE",
            "--currency",
            "EUR",
            "--no-input",
        )


@pytest.mark.django_db
def test_createoperator_explains_a_bad_currency_and_writes_nothing():
    with pytest.raises(CommandError, match=r"ISO 4217|currency"):
        call_command(
            "createoperator",
            "--legal-name",
            "Bad",
            "--email",
            "a@b.example",
            "--password",
            "x" * 12,
            "--country",
            "DE",
            "--currency",
            "XYZ",
            "--no-input",
        )
    assert not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_createoperator_without_a_terminal_names_the_missing_flag():
    with pytest.raises(CommandError, match="--legal-name is required"):
        call_command("createoperator", "--no-input")


@pytest.mark.django_db
def test_token_create_prints_a_working_token(demo, capsys):
    # `cspbroker token create` maps to this command (main() itself would close the test's connection).
    call_command("token_create", "--email", "admin@tailspin.example", "--name", "ci")
    token = capsys.readouterr().out.strip()
    from django.test import Client

    assert (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()["email"]
        == "admin@tailspin.example"
    )


@pytest.mark.django_db
def test_token_create_for_an_unknown_email_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="No active user"):
        call_command("token_create", "--email", "ghost@nowhere.example")


def test_two_word_commands_map_to_management_commands():
    from cspbroker.cli import _ALIASES

    assert _ALIASES[("token", "create")] == "token_create"
    assert _ALIASES[("demo", "load")] == "demo_load"


def test_unknown_two_word_command_is_refused(capsys):
    assert main(["demo", "unload"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_the_console_script_reports_errors_without_a_traceback(tmp_path):
    env = {
        "CSPB_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "cspbroker", "token", "create", "--email", "x@y.example"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    # No tables yet: Django reports it as a CommandError-style message, not a Python traceback.
    assert result.returncode != 0
    result = subprocess.run(
        [sys.executable, "-m", "cspbroker", "migrate", "--noinput", "-v", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "cspbroker", "token", "create", "--email", "x@y.example"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "CommandError: No active user with the email 'x@y.example'." in result.stderr
    assert "Traceback" not in result.stderr

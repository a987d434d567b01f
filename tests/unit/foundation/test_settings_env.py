"""Configuration from the environment: secrets, production refusals, email URLs."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from cspbroker.config.env import email_settings, load_secrets


def test_secrets_are_generated_once_into_the_var_folder_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CSPB_FIELD_KEYS", raising=False)
    monkeypatch.setenv("CSPB_ENV", "development")
    first = load_secrets(tmp_path)
    second = load_secrets(tmp_path)
    assert first.generated and not second.generated
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 50
    assert (
        first.field_keys
        == second.field_keys
        == json.loads((tmp_path / "secrets.json").read_text())["field_keys"]
    )
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "secret", ["", "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdef", "short"]
)
def test_production_refuses_default_or_weak_secret_keys(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("CSPB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("CSPB_FIELD_KEYS", "x" * 44)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_secrets(tmp_path)
    assert not (tmp_path / "secrets.json").exists()


def test_production_refuses_to_run_without_field_encryption_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("CSPB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 50)
    monkeypatch.delenv("CSPB_FIELD_KEYS", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CSPB_FIELD_KEYS"):
        load_secrets(tmp_path)


def test_production_takes_secrets_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CSPB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 50)
    monkeypatch.setenv("CSPB_FIELD_KEYS", "new-key,old-key")
    loaded = load_secrets(tmp_path)
    assert loaded.secret_key == "k" * 50
    assert loaded.field_keys == ["new-key", "old-key"]


def test_smtp_url_with_credentials_and_starttls():
    settings = email_settings("smtp+tls://mailer%40corp:p%40ss@mail.example.com:587?timeout=5")
    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@corp",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5,
    }


def test_file_and_console_urls():
    assert email_settings("file:///var/mail")["EMAIL_FILE_PATH"] == "/var/mail"
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_unknown_email_scheme_is_refused_with_the_supported_list():
    with pytest.raises(ImproperlyConfigured, match="smtp://"):
        email_settings("pigeon://coop")


def test_passwords_are_hashed_with_argon2():
    from cspbroker.config import settings as platform_settings

    assert platform_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

"""Reading the platform's configuration from the environment (12-factor).

Everything a deployment changes comes from environment variables; the embedded defaults need none
of them. Secrets that have no value in the environment are generated once into the var directory,
so that `make run` works on a fresh machine and keeps working after a restart.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# Values that must never protect a production deployment.
INSECURE_SECRET_PREFIX = "django-insecure-"


def var_dir() -> Path:
    """The folder for state that is not code: SQLite files, generated secrets, mail, sandbox state."""
    path = Path(os.environ.get("CSPB_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_production() -> bool:
    return os.environ.get("CSPB_ENV", "development").lower() == "production"


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    field_keys: list[str]  # Fernet keys, newest first; older ones only decrypt (rotation)
    generated: bool


def load_secrets(folder: Path) -> Secrets:
    """SECRET_KEY and the field-encryption keys: from the environment, else from var/secrets.json.

    In production both must come from the environment: a generated file on one host would make
    every other web or worker process disagree, and a lost file would make encrypted fields unreadable.
    """
    env_secret = os.environ.get("SECRET_KEY", "")
    env_fields = [k.strip() for k in os.environ.get("CSPB_FIELD_KEYS", "").split(",") if k.strip()]
    if is_production():
        if not env_secret or env_secret.startswith(INSECURE_SECRET_PREFIX) or len(env_secret) < 40:
            raise ImproperlyConfigured(
                "CSPB_ENV=production needs SECRET_KEY set in the environment: at least 40 random "
                "characters, not a default. Generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        if not env_fields:
            raise ImproperlyConfigured(
                "CSPB_ENV=production needs CSPB_FIELD_KEYS (comma-separated Fernet keys, newest first). "
                "Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )
        return Secrets(env_secret, env_fields, generated=False)

    path = folder / "secrets.json"
    stored: dict[str, object] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    generated = False
    if "secret_key" not in stored or "field_keys" not in stored:
        stored = {
            "secret_key": secrets.token_urlsafe(50),
            "field_keys": [Fernet.generate_key().decode()],
        }
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
        generated = True
    field_keys = env_fields or [str(k) for k in stored["field_keys"]]  # type: ignore[attr-defined]
    return Secrets(env_secret or str(stored["secret_key"]), field_keys, generated)


def email_settings(url: str) -> dict[str, object]:
    """Django email settings from EMAIL_URL.

    Supported: smtp://user:pass@host:port, smtp+tls://… (STARTTLS), smtps://… (implicit TLS),
    console://, file:///absolute/folder or file://relative/folder, locmem:// (tests).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        query = parse_qs(parts.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
        }
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        folder = (parts.netloc + parts.path) or "mail"
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": folder,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported: use smtp://, smtp+tls://, smtps://, console://, "
        "file:// or locmem://"
    )

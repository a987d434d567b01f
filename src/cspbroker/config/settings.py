"""Django settings, all from the environment (see docs/OPERATIONS.md for the reference)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cspbroker.config.env import email_settings, is_production, load_secrets, var_dir

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()
PRODUCTION = is_production()

_secrets = load_secrets(VAR_DIR)
SECRET_KEY = _secrets.secret_key
FIELD_ENCRYPTION_KEYS = _secrets.field_keys
DEBUG = os.environ.get("CSPB_DEBUG", "0") == "1" and not PRODUCTION

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if PRODUCTION:
    SESSION_COOKIE_SECURE = os.environ.get("CSPB_INSECURE_COOKIES", "0") != "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("CSPB_ENV=production refuses ALLOWED_HOSTS=*: name your host names.")

INSTALLED_APPS = [
    # First, so that its registration/ templates win over the admin's for the password reset pages.
    "cspbroker.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "cspbroker.accounts",
    "cspbroker.connections",
    "cspbroker.notifications",
    "cspbroker.catalog",
    "cspbroker.tenants",
    "cspbroker.subscriptions",
    "cspbroker.sync",
    "cspbroker.provisioning",
    "cspbroker.provisioning.licences",
    "cspbroker.billing",
    "cspbroker.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cspbroker.config.urls"
WSGI_APPLICATION = "cspbroker.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cspbroker.web.context.navigation",
            ],
        },
    },
]

# --- Database: DATABASE_URL, default an embedded SQLite file in WAL mode -------------------------
_default_db = f"sqlite:///{VAR_DIR / 'cspbroker.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing on a lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not memory: crash tests run worker processes against the same database.
    # One file per test process, so concurrent test runs never share (or delete) each other's database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"cspbroker-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "cspbroker.web.views.errors.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# --- Email --------------------------------------------------------------------------------------
_email = email_settings(os.environ.get("EMAIL_URL", f"file://{VAR_DIR / 'mail'}"))
globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cspbroker <no-reply@cspbroker.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Time and language ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")  # the operator's zone, for pages; data is stored in UTC
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise) --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Background jobs (huey): Redis when REDIS_URL is set, else SQLite storage under var/ -------------
_redis_url = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": os.environ.get("CSPB_HUEY_NAME", "cspbroker"),
    "immediate": os.environ.get("CSPB_HUEY_IMMEDIATE", "0") == "1",
    "utc": True,
    "consumer": {"workers": int(os.environ.get("CSPB_WORKERS", "4")), "worker_type": "thread"},
}
if _redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis_url})
else:
    _huey_file = os.environ.get("CSPB_HUEY_FILE", str(VAR_DIR / "huey.sqlite3"))
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": _huey_file})

# --- Logging: secrets never reach the log (see cspbroker.config.logging) --------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # huey's consumer prints through its own handler; without this every line would appear twice.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "INFO", "propagate": False},
        # Every provider request would be an INFO line; the clients log their own summaries at DEBUG.
        "httpx": {"level": "WARNING"},
    },
}

# --- Platform ------------------------------------------------------------------------------------
CSPB_BASE_URL = os.environ.get("CSPB_BASE_URL", "http://127.0.0.1:8000")
# How long a worker's claim on a provider operation lasts before recovery may run it again.
CSPB_OPERATION_LEASE_SECONDS = int(os.environ.get("CSPB_OPERATION_LEASE_SECONDS", "300"))
# Billing: how many cycles back a late change may still be corrected (docs/BILLING.md), and how many
# worker processes prepare a large run's chunks while it stores them (unset: by the machine's cores).
CSPB_BILLING_CORRECTION_CYCLES = int(os.environ.get("CSPB_BILLING_CORRECTION_CYCLES", "3"))
_PROCESSES = os.environ.get("CSPB_BILLING_PROCESSES", "")
CSPB_BILLING_PROCESSES = int(_PROCESSES) if _PROCESSES else None

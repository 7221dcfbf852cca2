"""Settings for every environment; each value that differs between machines comes from the
environment. `production.py` tightens what must not be left to defaults."""

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_CHECKOUT_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _default_data_dir() -> Path:
    # A source checkout keeps its data in ./var (git-ignored); an installed package in the
    # user's data folder. MANYI_DATA_DIR overrides both.
    if (_CHECKOUT_DIR / "pyproject.toml").exists():
        return _CHECKOUT_DIR / "var"
    return Path.home() / ".local" / "share" / "manyi"


DATA_DIR = Path(os.environ.get("MANYI_DATA_DIR") or _default_data_dir())
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("MANYI_SECRET_KEY"):
        return key
    # Never a key in the repository: a checkout makes its own on first use.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("MANYI_DEBUG", True)
ALLOWED_HOSTS = env_list("MANYI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MANYI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks",
    "manyi.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, translated name
    "manyi.core",
    "manyi.accounts",
    "manyi.customers",
    "manyi.surveys",
    "manyi.analytics",
    "manyi.cases",
    "manyi.improvement",
    "manyi.benchmarks",
    "manyi.demo",
    "manyi.privacy",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files served by the app itself, compressed and cached (docs/adr/0003).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed on the way out: a survey page on a phone is a third of its size. Django
    # pads each compressed response with random bytes against BREACH (docs/adr/0003).
    "django.middleware.gzip.GZipMiddleware",
    "manyi.core.input_guard.RejectNulMiddleware",  # 400 before NUL reaches a query
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "manyi.analytics.middleware.TailMemoMiddleware",
    "csp.middleware.CSPMiddleware",
    "manyi.core.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "manyi.urls"
WSGI_APPLICATION = "manyi.wsgi.application"
ASGI_APPLICATION = "manyi.asgi.application"

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
                "django.template.context_processors.i18n",
                "manyi.core.context_processors.navigation",
            ],
        },
    },
]


def database_config(environ: Mapping[str, str]) -> dict:
    """The default database from DATABASE_URL: SQLite when unset (nothing to install).

    A connection is never kept by a thread beyond its request: runserver starts a thread per
    browser connection, and persistent connections there piled up until PostgreSQL refused
    new clients. On PostgreSQL each process shares a bounded pool (psycopg_pool) instead, so
    a process holds at most MANYI_DB_POOL_MAX connections however many threads serve it;
    MANYI_DB_POOL=false turns the pool off (a connection per request, e.g. behind PgBouncer).
    """
    config = dj_database_url.parse(
        environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'manyi.sqlite3'}",
        conn_max_age=int(environ.get("MANYI_DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers and one writer work at once; IMMEDIATE avoids "database is locked"
        # errors when two requests upgrade read transactions to writes at the same moment.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    elif config["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "MANYI_DB_POOL", True, environ
    ):
        low = int(environ.get("MANYI_DB_POOL_MIN", "2"))
        high = int(environ.get("MANYI_DB_POOL_MAX", "10"))
        if not 0 <= low <= high or high < 1:
            raise ImproperlyConfigured(
                f"MANYI_DB_POOL_MIN ({low}) must be between 0 and MANYI_DB_POOL_MAX ({high}),"
                " which must be at least 1."
            )
        if config["CONN_MAX_AGE"]:
            raise ImproperlyConfigured(
                "MANYI_DB_CONN_MAX_AGE must be 0 with the connection pool (MANYI_DB_POOL)."
            )
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": low,
            "max_size": high,
            # A request waits this long for a free connection, then fails (never piles up).
            "timeout": float(environ.get("MANYI_DB_POOL_TIMEOUT", "10")),
            # Connections above min_size opened for a burst close after a minute idle.
            "max_idle": 60,
        }
    return config


DATABASES = {"default": database_config(os.environ)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out user or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first; LocaleMiddleware follows the browser, the language menu overrides it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("MANYI_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Development serves static files straight from the apps; production serves the collected,
# hashed and pre-compressed copies (`manyi collectstatic`, see settings/production.py).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Import files are read from disk between preview and confirmation; keep uploads off memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MANYI_IMPORT_MAX_BYTES = int(os.environ.get("MANYI_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# An .xlsx is a zip: refuse one that unpacks to more than this in all, whose parts read whole
# into memory (shared strings, styles) unpack to more than PART, or whose parts unpack to
# more than RATIO times their packed size (a "zip bomb").
MANYI_IMPORT_XLSX_MAX_UNPACKED_BYTES = int(
    os.environ.get("MANYI_IMPORT_XLSX_MAX_UNPACKED_BYTES", str(1024 * 1024 * 1024))
)
MANYI_IMPORT_XLSX_MAX_PART_BYTES = int(
    os.environ.get("MANYI_IMPORT_XLSX_MAX_PART_BYTES", str(100 * 1024 * 1024))
)
MANYI_IMPORT_XLSX_MAX_RATIO = int(os.environ.get("MANYI_IMPORT_XLSX_MAX_RATIO", "100"))
# Imports run as a background task, committing this many rows at a time (with the resume
# point); a running import whose last batch is older than STALE seconds counts as stalled
# and is resumed by the periodic `imports_resume_stalled` task.
MANYI_IMPORT_BATCH_ROWS = int(os.environ.get("MANYI_IMPORT_BATCH_ROWS", "1000"))
MANYI_JOB_STALE_SECONDS = float(os.environ.get("MANYI_JOB_STALE_SECONDS", "120"))
# Uploaded files (imports) live here, never under MEDIA_ROOT, and have no public URL: they are
# sent only by views that check who asks.
MANYI_PRIVATE_DIR = Path(os.environ.get("MANYI_PRIVATE_DIR") or DATA_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "manyi.core.storage.PrivateStorage",
        "OPTIONS": {"location": MANYI_PRIVATE_DIR},
    },
}

# One task API (django.tasks, via its backport) for every background job; the database
# backend needs no extra server and runs in `manyi worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("MANYI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Each `manyi worker` beats every HEARTBEAT seconds; a task whose worker has not beaten for
# STALE seconds (killed, machine lost) is queued again, at most MAX_ATTEMPTS starts in all.
MANYI_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("MANYI_WORKER_HEARTBEAT_SECONDS", "5"))
MANYI_WORKER_STALE_SECONDS = float(os.environ.get("MANYI_WORKER_STALE_SECONDS", "60"))
MANYI_WORKER_MAX_ATTEMPTS = int(os.environ.get("MANYI_WORKER_MAX_ATTEMPTS", "3"))

EMAIL_BACKEND = os.environ.get(
    "MANYI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("MANYI_DEFAULT_FROM_EMAIL", "manyi@localhost")
MANYI_SMS_BACKEND = os.environ.get("MANYI_SMS_BACKEND", "manyi.core.sms.ConsoleSmsBackend")
# Links in invitations are absolute: where respondents reach this site.
MANYI_BASE_URL = os.environ.get("MANYI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A customer is invited to at most one survey in this many days, across all surveys.
MANYI_CONTACT_MIN_DAYS = int(os.environ.get("MANYI_CONTACT_MIN_DAYS", "30"))
# Sending an invitation: a failed attempt is tried again after RETRY seconds, doubling each
# time, at most MAX_ATTEMPTS attempts in all; an attempt with no recorded answer from the
# provider after STALE seconds (its sender died) is made again under the same idempotency key.
MANYI_SEND_MAX_ATTEMPTS = int(os.environ.get("MANYI_SEND_MAX_ATTEMPTS", "5"))
MANYI_SEND_RETRY_SECONDS = float(os.environ.get("MANYI_SEND_RETRY_SECONDS", "60"))
MANYI_SEND_STALE_SECONDS = float(os.environ.get("MANYI_SEND_STALE_SECONDS", "300"))
# Periodic jobs that `manyi scheduler` enqueues: (task path, every N seconds).
MANYI_PERIODIC_TASKS = [
    ("manyi.surveys.tasks.invitations_send_due", 60),
    ("manyi.surveys.tasks.triggers_scan", 300),
    ("manyi.surveys.tasks.reminders_send", 900),
    ("manyi.surveys.tasks.waves_start_due", 3600),
    ("manyi.analytics.tasks.counts_fill", 60),
    ("manyi.analytics.tasks.scheduled_reports_send", 3600),
    ("manyi.privacy.retention_tasks.retention_apply", 86400),
    ("manyi.privacy.tasks.audit_purge", 86400),
    ("manyi.customers.tasks.imports_resume_stalled", 60),
    ("manyi.cases.tasks.sla_evaluate", 60),
    ("manyi.cases.tasks.notifications_send", 60),
    ("manyi.cases.tasks.messages_send", 60),
    ("manyi.cases.tasks.notifications_digest", 86400),
    ("manyi.improvement.tasks.improvements_check", 3600),
]
# A case from the same customer about the same thing (type and category) within this many
# days joins the open case instead of opening a second one.
MANYI_CASE_REPEAT_DAYS = int(os.environ.get("MANYI_CASE_REPEAT_DAYS", "7"))
# The company's name, for the {company} placeholder of message templates.
MANYI_COMPANY_NAME = os.environ.get("MANYI_COMPANY_NAME", "")
# Retention of personal data, in days; 0 keeps it for ever. Contact details (phones, email
# and postal addresses) of customers with no purchase, interaction, invitation or response
# for this long are removed; the text of open answers is cleared after this long.
MANYI_RETENTION_CONTACT_DAYS = int(os.environ.get("MANYI_RETENTION_CONTACT_DAYS", "0"))
MANYI_RETENTION_OPEN_TEXT_DAYS = int(os.environ.get("MANYI_RETENTION_OPEN_TEXT_DAYS", "0"))
# Audit log entries (who viewed, revealed, exported, changed or erased personal data) are
# kept this many days, then purged; 0 keeps them for ever.
MANYI_AUDIT_RETENTION_DAYS = int(os.environ.get("MANYI_AUDIT_RETENTION_DAYS", "730"))

# Caches: rate limits and login throttling count here. Memory of one process by default;
# with several app servers, MANYI_CACHE_URL (redis://...) shares the counts between them.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        if (url := os.environ.get("MANYI_CACHE_URL"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Client addresses: behind N reverse proxies, the address is the N-th from the right in
# X-Forwarded-For; with 0 (no proxy) it is the connection's address.
MANYI_TRUSTED_PROXY_COUNT = int(os.environ.get("MANYI_TRUSTED_PROXY_COUNT", "0"))
# Login throttling (django-axes): after LIMIT failed logins for one user name, or from one
# address, further logins of that user / from that address are refused for COOLOFF minutes.
# An admin unlocks at once by deleting the access attempts in the admin (Axes).
AXES_FAILURE_LIMIT = int(os.environ.get("MANYI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MANYI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "manyi.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "manyi.core.ratelimit.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False  # no start-up banner on every command; lockouts are still logged
# A form sent without a valid CSRF token gets a page in the site's layout (core/views.py).
CSRF_FAILURE_VIEW = "manyi.core.views.csrf_failure"
# Public survey links and token look-ups: at most this many requests per minute from one
# address (far above one respondent's pace), then a friendly 429 page.
MANYI_RESPOND_RATE_PER_MINUTE = int(os.environ.get("MANYI_RESPOND_RATE_PER_MINUTE", "120"))

# Content-Security-Policy (django-csp): staff pages run only this site's scripts, never inline
# ones; respondent pages run none at all (see surveys/respond_urls.py). Styles allow inline
# because staff templates still use style attributes. Enforced in every environment, so a
# violation shows in development (browser console) before it reaches production.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: the browser features no page of manyi uses are switched off.
MANYI_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MANYI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Page sizes for lists; scores with fewer answers than this are flagged as unreliable.
MANYI_PAGE_SIZE = 50
MANYI_MIN_SAMPLE = int(os.environ.get("MANYI_MIN_SAMPLE", "30"))

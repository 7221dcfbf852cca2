"""Settings for every environment; each value that differs between machines comes from the
environment. `production.py` tightens what must not be left to defaults."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_CHECKOUT_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
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
    "django_tasks_db",
    "manyi.core",
    "manyi.accounts",
    "manyi.customers",
    "manyi.surveys",
    "manyi.analytics",
    "manyi.benchmarks",
    "manyi.demo",
    "manyi.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "manyi.analytics.middleware.TailMemoMiddleware",
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

# SQLite by default (nothing to install); DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'manyi.sqlite3'}",
        conn_max_age=int(os.environ.get("MANYI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids "database is locked"
    # errors when two requests upgrade read transactions to writes at the same moment.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
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
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Import files are read from disk between preview and confirmation; keep uploads off memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MANYI_IMPORT_MAX_BYTES = int(os.environ.get("MANYI_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))

# One task API (django.tasks, via its backport) for every background job; the database
# backend needs no extra server and runs in `manyi db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("MANYI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = os.environ.get(
    "MANYI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("MANYI_DEFAULT_FROM_EMAIL", "manyi@localhost")
MANYI_SMS_BACKEND = os.environ.get("MANYI_SMS_BACKEND", "manyi.core.sms.ConsoleSmsBackend")
# Links in invitations are absolute: where respondents reach this site.
MANYI_BASE_URL = os.environ.get("MANYI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A customer is invited to at most one survey in this many days, across all surveys.
MANYI_CONTACT_MIN_DAYS = int(os.environ.get("MANYI_CONTACT_MIN_DAYS", "30"))
# Periodic jobs that `manyi scheduler` enqueues: (task path, every N seconds).
MANYI_PERIODIC_TASKS = [
    ("manyi.surveys.tasks.invitations_send_due", 60),
    ("manyi.surveys.tasks.triggers_scan", 300),
    ("manyi.surveys.tasks.reminders_send", 900),
    ("manyi.analytics.tasks.counts_fill", 60),
    ("manyi.analytics.tasks.scheduled_reports_send", 3600),
    ("manyi.privacy.retention_tasks.retention_apply", 86400),
]
# Retention of personal data, in days; 0 keeps it for ever. Contact details (phones, email
# and postal addresses) of customers with no purchase, interaction, invitation or response
# for this long are removed; the text of open answers is cleared after this long.
MANYI_RETENTION_CONTACT_DAYS = int(os.environ.get("MANYI_RETENTION_CONTACT_DAYS", "0"))
MANYI_RETENTION_OPEN_TEXT_DAYS = int(os.environ.get("MANYI_RETENTION_OPEN_TEXT_DAYS", "0"))

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

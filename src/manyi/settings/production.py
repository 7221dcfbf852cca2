"""Deployed settings: refuse to start without what a public site must have."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

# Django's own deploy check (security.W009) asks for this much; a shorter key, one made of a
# handful of characters or one Django generated for development is refused outright.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5


def check_secret_key(key: str) -> None:
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"MANYI_SECRET_KEY is weak: use at least {SECRET_KEY_MIN_LENGTH} random characters"
            " (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )


DEBUG = False
if not os.environ.get("MANYI_SECRET_KEY"):
    raise ImproperlyConfigured("MANYI_SECRET_KEY must be set in production.")
check_secret_key(os.environ["MANYI_SECRET_KEY"])
if not os.environ.get("MANYI_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("MANYI_ALLOWED_HOSTS must be set in production.")

SESSION_COOKIE_SECURE = env_bool("MANYI_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("MANYI_SSL_REDIRECT", True)
# HSTS: browsers use HTTPS only for a year (MANYI_HSTS_SECONDS; 0 turns it off), for the
# subdomains too unless MANYI_HSTS_INCLUDE_SUBDOMAINS=false; preload only when asked.
SECURE_HSTS_SECONDS = int(os.environ.get("MANYI_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MANYI_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("MANYI_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is an opt-in that browsers keep for months: a deliberate choice, not a defect.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Static files: collected by `manyi collectstatic --noinput` at deployment into STATIC_ROOT,
# with a content hash in each name (cached by browsers for a year, "immutable") and
# gzip/brotli copies made once, served by WhiteNoise (docs/adr/0003).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy and Permissions-Policy of base.py apply unchanged: enforced.

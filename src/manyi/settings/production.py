"""Deployed settings: refuse to start without what a public site must have."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if not os.environ.get("MANYI_SECRET_KEY"):
    raise ImproperlyConfigured("MANYI_SECRET_KEY must be set in production.")
if not os.environ.get("MANYI_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("MANYI_ALLOWED_HOSTS must be set in production.")

SESSION_COOKIE_SECURE = env_bool("MANYI_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("MANYI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("MANYI_HSTS_SECONDS", "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

"""Test settings: the same as base, with what makes a test run fast and self-contained."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
MANYI_SMS_BACKEND = "manyi.core.sms.LocmemSmsBackend"
MANYI_BASE_URL = "http://testserver"
# django-axes refuses authenticate() calls without a request (the test client's login());
# tests of login throttling turn it on (tests/accounts/test_login_throttle.py).
AXES_ENABLED = False

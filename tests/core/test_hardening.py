"""Production hardening: `check --deploy` is clean, a weak secret key stops start-up, HSTS is
on, and every page carries a Content-Security-Policy (no script at all on respondent pages,
only the site's own files on staff pages) and a Permissions-Policy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from manyi.surveys.services import design

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "manyi"


def _production(tmp_path, *args, key=None):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MANYI_", "DJANGO_", "DATABASE_URL"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "manyi.settings.production",
        "MANYI_SECRET_KEY": secrets.token_urlsafe(50) if key is None else key,
        "MANYI_ALLOWED_HOSTS": "manyi.example.com",
        "MANYI_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    # --fail-level DEBUG: any message at all, even a warning, fails the command
    result = _production(tmp_path, "-m", "manyi", "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert re.fullmatch(r"System check identified no issues \(\d+ silenced\)\.\n", result.stdout)


def test_production_turns_hsts_on_and_enforces_the_policies(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'],"
        " getattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None),"
        " 'camera=()' in s.MANYI_PERMISSIONS_POLICY)"
    )
    result = _production(tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "[\"'self'\"]", "None", "True"]


@pytest.mark.parametrize(
    "key",
    [
        "too-short-a-secret-key",
        "django-insecure-" + secrets.token_urlsafe(50),
        "a" * 60,
    ],
    ids=["short", "django-insecure", "one-character"],
)
def test_a_weak_secret_key_stops_start_up(tmp_path, key):
    result = _production(tmp_path, "-m", "manyi", "check", key=key)
    assert result.returncode != 0
    assert "MANYI_SECRET_KEY is weak" in result.stderr


def _directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_a_staff_page_runs_only_the_sites_own_scripts(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_respondent_page_runs_no_script_but_its_own_hashed_one(db, analyst):
    from manyi.surveys.respond_script import SCRIPT_HASH

    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    response = Client().get(reverse("respond:public", args=[survey.public_token]))
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    # only the follow-up script, by its hash: no other inline or external script runs
    assert csp["script-src"] == [SCRIPT_HASH]
    assert csp["default-src"] == ["'none'"]
    assert csp["connect-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]
    # and the page keeps to it
    html = response.content.decode()
    assert "<script" not in html and not re.search(r"\son[a-z]+=", html)


STAFF_TEMPLATES = [
    path
    for path in PACKAGE.rglob("templates/**/*.html")
    if "surveys/respond" not in path.as_posix()
]


def test_staff_templates_have_no_inline_script_or_event_handler():
    # The policy refuses inline script: it belongs in static files (core/static/manyi/app.js).
    assert STAFF_TEMPLATES
    offenders = []
    for path in STAFF_TEMPLATES:
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path.relative_to(PACKAGE)}: inline <script>")
        if re.search(r"<[^>]+\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(PACKAGE)}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(PACKAGE)}: javascript: URL")
    assert not offenders, "\n".join(offenders)

"""What every public respondent-style page shares (the survey pages, the feedback form): the
language it is shown in, rendering with a link to the other language, never cached or
indexed, and the public page's policy (no script but the one allowed by its hash, rate
limits per address). Views of several apps use it, so it is no view module itself."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from manyi.core.ratelimit import ratelimit_per_ip

from .respond_script import SCRIPT_HASH

LANGUAGES = {"zh-hans": "中文", "en": "English"}  # each named in itself, for the switch link


def language_of(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return "en" if value.startswith("en") else "zh-hans" if value.startswith("zh") else None


def site_language() -> str:
    return language_of(settings.LANGUAGE_CODE) or "zh-hans"


def browser_language(request: HttpRequest) -> str:
    """What the browser asks for (language cookie, then Accept-Language), as Django decides
    it; else the site's default language."""
    return language_of(translation.get_language_from_request(request)) or site_language()


def requested_language(request: HttpRequest) -> str | None:
    return language_of(request.POST.get("lang") or request.GET.get("lang"))


def respondent_language(request: HttpRequest) -> str:
    """The language of a public page that has no invitation or response to go by: the one
    asked for (?lang=), else the browser's, else the site's."""
    return requested_language(request) or browser_language(request)


def respondent_page(view):
    """Answers are personal and the links are credentials: never cached, never indexed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        http = view(request, *args, **kwargs)
        http["Cache-Control"] = "no-store"
        http["X-Robots-Tag"] = "noindex"
        return http

    return require_http_methods(["GET", "POST"])(wrapper)


def render_respondent(request, template: str, context: dict, *, lang: str, status: int = 200):
    """Render in `lang`, with a link to the same page in the other language."""
    query = {"page": context["page"]} if context.get("page") else {}
    links = [
        (f"{request.path}?{urlencode({**query, 'lang': code})}", name, code)
        for code, name in LANGUAGES.items()
        if code != lang
    ]
    with translation.override(lang):
        context = {"lang": lang, "lang_links": links, **context}
        http = render(request, template, context, status=status)
    http["Content-Language"] = lang
    return http


def public_page(view):
    """A respondent page: no script but the optional inline one that shows same-page
    follow-ups (allowed by its hash; the page works without it), and at most
    MANYI_RESPOND_RATE_PER_MINUTE requests per minute per address across these pages, so
    tokens cannot be guessed by brute force."""
    view = ratelimit_per_ip("respond", rate_setting="MANYI_RESPOND_RATE_PER_MINUTE")(view)
    return csp_replace(
        {
            "default-src": ["'none'"],
            "script-src": [SCRIPT_HASH],
            "connect-src": ["'none'"],
            "style-src": ["'unsafe-inline'"],
            "img-src": ["'self'", "data:"],
        }
    )(view)

"""Per-address rate limits kept in Django's cache (see CACHES / MANYI_CACHE_URL).

A fixed one-minute window per address and scope: the first request of a window creates the
counter with a minute to live, each later one increments it atomically (`cache.incr` is
atomic on Redis; on the in-memory cache it is atomic within the process, which is all that
cache shares anyway). Cheap enough for every respondent request, no extra table.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

WINDOW_SECONDS = 60


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: behind MANYI_TRUSTED_PROXY_COUNT proxies, the address the
    outermost trusted proxy saw (counted from the right of X-Forwarded-For, which a client
    can only prepend to); otherwise the connection's address. None when there is no valid
    one (a request built in code); django-axes stores it, so it is always a real address."""
    proxies = settings.MANYI_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies and (address := _valid(forwarded[-proxies])):
            return address
    return _valid(request.META.get("REMOTE_ADDR", ""))


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def hit(*, scope: str, key: str, limit: int) -> bool:
    """Count one request of `key` in `scope`; True while it is within `limit` per minute."""
    window = int(time.time() // WINDOW_SECONDS)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"manyi:rl:{scope}:{window}:{digest}"
    # add() only sets a missing key, so two first requests cannot both start at 1.
    if cache.add(cache_key, 1, timeout=WINDOW_SECONDS + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
    return count <= limit


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The friendly 429 page, in the respondent layout (no script, no external request)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    response = render(
        request,
        "core/too_many_requests.html",
        {"lang": language, "retry_after": WINDOW_SECONDS},
        status=429,
    )
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def ratelimit_per_ip(scope: str, *, rate_setting: str) -> Callable:
    """Decorate a view: at most settings.<rate_setting> requests per minute per client address
    across every view of `scope`; beyond that, the 429 page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            limit = getattr(settings, rate_setting)
            if limit > 0 and not hit(scope=scope, key=client_ip(request) or "unknown", limit=limit):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

"""Refuse requests that carry a NUL character, before any view or database sees them.

No address, form field or cookie of manyi needs one, and PostgreSQL refuses NUL in text: a
lookup with it (a token in a link, a search term, a session key) failed as a server error
there, while SQLite quietly found nothing. Django's form fields already refuse NUL; this
covers everything read straight from the request: path parameters, query parameters, form
fields and cookies. The answer is a plain 400 Bad Request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _query_has_nul(query: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _has_nul(texts: Iterable[str]) -> bool:
    return any(NUL in text for text in texts)


def request_has_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or _query_has_nul(request.GET):
        return True
    if _has_nul(request.COOKIES) or _has_nul(request.COOKIES.values()):
        return True
    # Only forms: other bodies (JSON, files) are read by code that checks them itself.
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        try:
            return _query_has_nul(request.POST)
        except OSError:  # the client went away mid-upload: CSRF and the view handle that
            return False
    return False


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request_has_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)

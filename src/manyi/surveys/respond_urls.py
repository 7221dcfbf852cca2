"""Respondent pages: short public paths, no login."""

from csp.decorators import csp_replace
from django.urls import path

from manyi.core.ratelimit import ratelimit_per_ip

from .respond_script import SCRIPT_HASH
from .views import respond


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


app_name = "respond"
urlpatterns: list = [
    # respond
    path("s/<str:token>/", public_page(respond.invitation), name="invitation"),
    path("s/<str:token>/opt-out/", public_page(respond.opt_out), name="opt_out"),
    path("p/<str:public_token>/", public_page(respond.public), name="public"),
]

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from manyi.customers import queries as customer_queries


@login_required
def home(request):
    return render(
        request,
        "core/home.html",
        {
            "active_nav": "home",
            "figures": customer_queries.overview_figures(user=request.user),
            "latest_interactions": customer_queries.interaction_list(user=request.user)[:10],
        },
    )


@require_GET
def favicon(request) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("manyi/favicon.svg"))


def healthz(request) -> HttpResponse:
    """For load balancers: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (expired page, cookies blocked): in the site's
    layout, translated, with a way back (CSRF_FAILURE_VIEW)."""
    return render(request, "403_csrf.html", status=403)


def server_error(request) -> HttpResponse:
    """The 500 page: the site's layout without anything that touches the database (the error
    may be the database), so no user, menu or context processors; translated in the
    language the request was being served in."""
    try:
        body = loader.render_to_string("500.html")
    except Exception:  # the page of last resort must not fail itself
        body = "<!doctype html><title>500</title><h1>Server error / 服务器错误</h1>"
    return HttpResponseServerError(body)

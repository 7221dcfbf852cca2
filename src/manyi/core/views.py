from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
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

"""Every HTML page a staff member can open, with real objects for its URL parameters.

Used by the page-timing bench (bench/page_timing.py) and by the phone-layout browser test, so
that a new page is measured and checked without anyone adding it to a list. Exports, JSON,
SVG and POST-only endpoints are left out: they are not pages a person looks at."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Not pages: downloads, machine-readable answers, POST-only actions, or outside the site.
SKIP = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "password_change_done", "set_language", "core:healthz",
    "core:favicon", "respond:invitation", "respond:opt_out", "respond:public", "feedback:form",
    "customers:export", "customers:import_cancel", "customers:import_errors",
    "customers:import_file", "customers:import_resume", "customers:import_status",
    "customers:import_template", "privacy:contact_reveal", "privacy:customer_export",
    "reports:report_pdf", "reports:report_xlsx", "reports:schedule_delete", "surveys:qr",
    "surveys:question_delete", "surveys:question_move", "surveys:responses_export",
    "surveys:trigger_toggle", "surveys:version_create", "surveys:version_publish",
    "cases:entry", "cases:status", "cases:assign", "cases:attachment", "cases:notifications_read",
}  # fmt: skip


def _patterns(resolver, namespace="") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def url_names() -> dict[str, URLPattern]:
    """Every named URL of the site except Django's admin (it has its own login): the first
    pattern of each name, the one `reverse` and a request reach."""
    first: dict[str, URLPattern] = {}
    for name, pattern in _patterns(get_resolver()):
        first.setdefault(name, pattern)
    return first


def _objects() -> dict[str, object]:
    """One real object of each kind a URL names, the most recent one."""
    from manyi.benchmarks.models import BenchmarkScore
    from manyi.customers.models import Customer, ImportJob, Interaction
    from manyi.surveys.models import (
        Dimension,
        Distribution,
        Response,
        Survey,
        Trigger,
    )

    from ..analytics.models import ScheduledReport
    from ..cases.models import Case

    def last(model, **filters):
        return model.objects.filter(**filters).order_by("-pk").first()

    survey = last(Survey, status="open") or last(Survey)
    return {
        "customer": last(Customer),
        "interaction": last(Interaction),
        "import": last(ImportJob),
        "survey": survey,
        "question": survey and survey.current_version.questions.order_by("position").first(),
        "version": survey and survey.current_version,
        "response": last(Response, status="submitted"),
        "distribution": last(Distribution),
        "trigger": last(Trigger),
        "dimension": last(Dimension),
        "score": last(BenchmarkScore),
        "schedule": last(ScheduledReport),
        "case": last(Case),
    }


# Which object each page's <pk> is.
_PK_OF = {
    "customers:detail": "customer", "customers:edit": "customer",
    "customers:interaction_create": "customer", "customers:interaction_edit": "interaction",
    "customers:import_detail": "import", "privacy:customer_erase": "customer",
    "benchmarks:score_edit": "score", "reports:report": "survey",
    "reports:schedule_edit": "schedule", "surveys:close": "survey", "surveys:detail": "survey",
    "surveys:dimension_edit": "dimension", "surveys:distribute": "survey",
    "surveys:distribution_detail": "distribution", "surveys:edit": "survey",
    "surveys:entry": "survey", "surveys:open": "survey", "surveys:preview": "survey",
    "surveys:question_create": "survey", "surveys:question_edit": "question",
    "surveys:response_detail": "response", "surveys:responses": "survey",
    "surveys:triggers": "survey", "surveys:version_detail": "survey", "surveys:waves": "survey",
    "cases:detail": "case", "cases:edit": "case", "cases:create": "customer",
}  # fmt: skip
BREAKDOWNS = ("region", "channel", "survey", "product", "staff")


def staff_pages() -> list[tuple[str, str]]:
    """(name, URL) of every staff page, filled with objects from the database; a page whose
    object does not exist yet (no benchmark score, say) is left out."""
    objects = _objects()
    pages: list[tuple[str, str]] = []
    for name, pattern in sorted(url_names().items()):
        if name in SKIP:
            continue
        params = set(pattern.pattern.converters)
        if name == "analytics:breakdown":
            pages += [(f"{name}:{by}", reverse(name, args=[by])) for by in BREAKDOWNS]
            continue
        if not params:
            pages.append((name, reverse(name)))
            continue
        obj = objects.get(_PK_OF.get(name, ""))
        if obj is None:
            continue
        kwargs = {"pk": obj.pk}
        if "version_pk" in params:
            kwargs["version_pk"] = objects["version"].pk
        pages.append((name, reverse(name, kwargs=kwargs)))
    return pages

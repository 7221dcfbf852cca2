from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from manyi import __version__
from manyi.accounts.access import Action, can


def navigation(request):
    """The main menu, holding only what the user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_items": [],
            "may": {},
            "manyi_version": __version__,
            "min_n": settings.MANYI_MIN_SAMPLE,
        }
    items = [
        ("home", _("Overview"), reverse("core:home"), Action.VIEW_RECORDS),
        ("customers", _("Customers"), reverse("customers:list"), Action.VIEW_RECORDS),
        ("interactions", _("Interactions"), reverse("customers:interactions"), Action.VIEW_RECORDS),
        ("cases", _("Cases"), reverse("cases:list"), Action.VIEW_RECORDS),
        ("surveys", _("Surveys"), reverse("surveys:list"), Action.VIEW_RECORDS),
        ("analytics", _("Dashboards"), reverse("analytics:overview"), Action.VIEW_RECORDS),
        (
            "improvement",
            _("Improvement"),
            reverse("improvement:list"),
            Action.VIEW_IMPROVEMENTS,
        ),
        ("imports", _("Import"), reverse("customers:import_list"), Action.IMPORT_DATA),
        ("audit", _("Audit log"), reverse("privacy:audit"), Action.MANAGE_PERSONAL_DATA),
        ("admin", _("Administration"), reverse("admin:index"), Action.ADMINISTER),
    ]
    return {
        "manyi_version": __version__,
        # The minimum sample below which a figure is greyed out (core/_estimate.html).
        "min_n": settings.MANYI_MIN_SAMPLE,
        # What the user's role allows, for links a page shows only to those who may follow
        # them: {% if may.manage_surveys %}.
        "may": {action.value: can(user, action) for action in Action},
        "nav_items": [
            {"key": key, "label": label, "url": url}
            for key, label, url, action in items
            if can(user, action)
        ],
    }

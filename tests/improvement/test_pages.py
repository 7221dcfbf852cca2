"""The improvement-action pages: every role against every endpoint, a finding prefilling a
new action, windows of unequal length refused, a stale page refused with a clear message,
the timeline with the windows marked, both languages."""

import datetime as dt

import pytest
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.improvement.choices import STAGE_MOVES, Comparison, Metric, Stage
from manyi.improvement.models import Improvement
from tests.factories import CustomerFactory

ALL = {Role.ADMIN, Role.ANALYST, Role.AGENT, Role.VIEWER}
READERS = {Role.ADMIN, Role.ANALYST, Role.VIEWER}
MANAGERS = {Role.ADMIN, Role.ANALYST}
TODAY = dt.date.today()


@pytest.fixture
def improvement(db):
    CustomerFactory(region="East")
    CustomerFactory(region="West")
    return Improvement.objects.create(
        title="Faster delivery <b>East</b>",
        problem="Delivery lags",
        metric=Metric.CSAT,
        scope="region",
        scope_value="East",
        comparison=Comparison.REST,
        target=80,
        before_since=TODAY - dt.timedelta(days=60),
        before_until=TODAY - dt.timedelta(days=31),
        after_since=TODAY - dt.timedelta(days=30),
        after_until=TODAY - dt.timedelta(days=1),
        stage=Stage.DO,
    )


PAGES = [
    ("improvement:list", False, READERS),
    ("improvement:detail", True, READERS),
    ("improvement:create", False, MANAGERS),
    ("improvement:edit", True, MANAGERS),
]
POSTS = ["improvement:stage", "improvement:check"]


@pytest.mark.parametrize(("name", "with_pk", "allowed"), PAGES)
def test_each_role_on_each_page(client, users_by_role, improvement, name, with_pk, allowed):
    url = reverse(name, args=[improvement.pk]) if with_pk else reverse(name)
    for role, user in users_by_role.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), (role, url, status)


@pytest.mark.parametrize("name", POSTS)
def test_each_role_posting(client, users_by_role, improvement, name):
    url = reverse(name, args=[improvement.pk])
    for role, user in users_by_role.items():
        improvement.refresh_from_db()
        client.force_login(user)
        # a stage that may follow the present one (do → check → plan → do ...)
        data = {
            "version": improvement.version,
            "stage": STAGE_MOVES[Stage(improvement.stage)][-1 if name.endswith("stage") else 0],
        }
        status = client.post(url, data).status_code
        assert status == (302 if role in MANAGERS else 403), (role, url, status)
    assert improvement.entries.exists()


def _form(**changes):
    data = {
        "title": "Shorter queues in the East",
        "finding_kind": "lagging_group",
        "problem": "Waiting times",
        "metric": "nps",
        "group": "region:East",
        "comparison": "group",
        "comparison_group": "region:West",
        "before_since": "2026-09-01",
        "before_until": "2026-09-30",
        "after_since": "2026-11-01",
        "after_until": "2026-11-30",
    }
    return data | changes


def test_a_finding_prefills_and_creates_an_action(client, analyst, improvement):
    client.force_login(analyst)
    page = client.get(
        reverse("improvement:create"),
        {"metric": "nps", "group": "region:East", "title": "From the breakdown"},
    )
    assert 'value="From the breakdown"' in page.content.decode()
    assert '<option value="region:East" selected>' in page.content.decode()
    response = client.post(reverse("improvement:create"), _form())
    created = Improvement.objects.get(title="Shorter queues in the East")
    assert response.status_code == 302
    assert (created.scope, created.scope_value, created.comparison_value) == (
        "region",
        "East",
        "West",
    )
    assert created.created_by == analyst and created.entries.count() == 1


def test_the_form_refuses_what_cannot_be_measured(client, analyst, improvement):
    client.force_login(analyst)
    cases = [
        (_form(after_until="2026-11-20"), "equal length"),
        (_form(after_since="2026-09-15"), "begins after the before window ends"),
        (_form(group="", comparison="rest"), "needs a group the action touches"),
        (_form(comparison_group="region:East"), "must not be the group itself"),
        (_form(metric="item"), "Choose the evaluated item"),
        (_form(metric="complaint_rate", group="channel:link", comparison="none"),
         "counted for everyone, a team, a region, a segment or a product"),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(reverse("improvement:create"), data)
        assert response.status_code == 400
        assert message in response.content.decode(), message


def test_a_change_from_a_stale_page_is_refused(client, analyst, admin_user, improvement):
    client.force_login(admin_user)
    client.post(reverse("improvement:stage", args=[improvement.pk]),
                {"version": improvement.version, "stage": Stage.CHECK})  # fmt: skip
    client.force_login(analyst)
    response = client.post(reverse("improvement:stage", args=[improvement.pk]),
                           {"version": improvement.version, "stage": Stage.PLAN})  # fmt: skip
    assert response.status_code == 409
    assert "Someone else changed this action" in response.content.decode()
    improvement.refresh_from_db()
    assert improvement.stage == Stage.CHECK


def test_the_detail_page_marks_the_windows_and_keeps_names_as_text(client, viewer, improvement):
    client.force_login(viewer)
    response = client.get(reverse("improvement:detail", args=[improvement.pk]))
    page = response.content.decode()
    assert "Faster delivery &lt;b&gt;East&lt;/b&gt;" in page
    assert '<script id="action-timeline" type="application/json">' in page
    chart = response.context["chart"]
    assert [m["name"] for m in chart["marks"]] == [
        "Before window", "After window", "After window ends"
    ]  # fmt: skip
    assert [s["name"] for s in chart["series"]] == ["East", "Everyone else"]
    assert chart["target"] == 80.0 and chart["unit"] == "%"
    assert "Record the check" not in page  # a viewer reads only


def test_the_pages_in_chinese(client, analyst, improvement):
    client.force_login(analyst)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("improvement:detail", args=[improvement.pk])).content.decode()
    assert "改进措施" in page and "双重差分" in page
    assert "Did it work?" not in page and "Before window" not in page
    listing = client.get(reverse("improvement:list")).content.decode()
    assert "改进措施" in listing


def test_a_complaint_category_on_the_figures_page_leads_to_a_filled_in_action(
    client, analyst, viewer, db
):
    from manyi.cases import services as case_services
    from manyi.cases.models import Category

    category = Category.objects.create(name_zh="配送", name_en="Delivery <fast>")
    case_services.case_open(
        customer=CustomerFactory(region="East"), case_type="complaint", subject="late",
        category=category,
    )  # fmt: skip
    client.force_login(viewer)
    assert "Plan an action" not in client.get(reverse("cases:figures")).content.decode()
    client.force_login(analyst)
    page = client.get(reverse("cases:figures")).content.decode()
    link = page[page.index(reverse("improvement:create")) :].split('"')[0].replace("&amp;", "&")
    assert f"category={category.pk}" in link and "metric=complaint_rate" in link
    assert "Delivery+%3Cfast%3E" in link  # the name as text, URL-encoded
    form = client.get(link).context["form"]
    assert form["category"].value() == str(category.pk)
    assert form["metric"].value() == "complaint_rate"
    assert form["title"].value() == "Delivery <fast>"

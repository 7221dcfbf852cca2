"""Issue 15, item 8: every dashboard and report defaults to a period that includes today, the
same everywhere, and says how fresh its data is. Done when: a new user sees their own answer
on the dashboards within a minute of submitting, in both languages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from manyi.analytics.periods import default_period
from manyi.surveys.models import Response
from manyi.surveys.services import design


def test_default_period_includes_today_and_twelve_months():
    assert default_period(dt.date(2026, 12, 5)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 5))
    assert default_period(dt.date(2026, 1, 31)) == (dt.date(2025, 2, 1), dt.date(2026, 1, 31))
    assert default_period(dt.date(2024, 2, 29), months=1) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )


def _answer_everything(client, url: str) -> None:
    """Answer a survey as a respondent would: the highest option of every choice, page by
    page, until it is submitted."""
    html = client.get(url).content.decode()
    for _ in range(12):
        fields = {"page": re.search(r'name="page" value="(\d+)"', html).group(1)}
        for name, value in re.findall(r'type="radio" name="([^"]+)" value="([^"]*)"', html):
            fields[name] = value  # the last option: the highest rating
        last = 'value="submit"' in html
        fields["action"] = "submit" if last else "next"
        fields["lang"] = re.search(r'name="lang" value="([^"]+)"', html).group(1)
        posted = client.post(url, fields, follow=True)
        assert posted.status_code == 200, posted.content.decode()[:2000]
        html = posted.content.decode()
        if last:
            return
    raise AssertionError("the survey never ended")


DASHBOARD_PAGES = [
    "analytics:overview",
    "analytics:items",
    "analytics:segments",
    "analytics:teams",
    "behaviour:indicators",
    "behaviour:loyalty",
    "benchmarks:list",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_answer_given_now_shows_on_the_default_dashboard(client, analyst, language):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    respondent = client.__class__()
    _answer_everything(respondent, reverse("respond:public", args=[survey.public_token]))
    response = Response.objects.get(survey=survey)
    assert response.submitted_at is not None
    assert timezone.localdate(response.submitted_at) == timezone.localdate()

    client.force_login(analyst)
    with translation.override(language):
        page = client.get(reverse("analytics:overview"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    filters = page.context["filters"]
    assert filters.since <= timezone.localdate() <= filters.until
    assert (filters.since, filters.until) == default_period(timezone.localdate())
    html = page.content.decode()
    # the answer is counted: one response, and the freshness of the figures is stated
    assert re.search(r'data-responses="1"', html), html[html.find("<main") :][:3000]
    as_of = "数据截至" if language == "zh-hans" else "Data as of"
    assert as_of in html


@pytest.mark.django_db
def test_every_dashboard_and_report_defaults_to_the_same_period_with_today(client, analyst):
    client.force_login(analyst)
    today = timezone.localdate()
    since, until = default_period(today)
    for name in DASHBOARD_PAGES:
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        html = page.content.decode()
        assert f'value="{since:%Y-%m-%d}"' in html, name
        assert f'value="{until:%Y-%m-%d}"' in html, name
        assert "Data as of" in html, name
    # the survey report too, with the same default period
    survey = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    html = client.get(reverse("reports:report", args=[survey.pk])).content.decode()
    assert f'value="{since:%Y-%m-%d}"' in html
    assert f'value="{until:%Y-%m-%d}"' in html
    assert "Data as of" in html


@pytest.mark.django_db
def test_an_empty_overview_says_why(client, analyst):
    client.force_login(analyst)
    html = client.get(reverse("analytics:overview")).content.decode()
    assert "No responses in this period yet" in html

"""Responses to CSV and Excel: one row per response, one column per question cell, over all
versions of the survey."""

import codecs
import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from manyi.accounts.choices import Role
from manyi.surveys.blueprints import ALL_DIMENSIONS
from manyi.surveys.choices import QuestionType
from manyi.surveys.exporting import META_COLUMNS
from manyi.surveys.models import Question
from manyi.surveys.models.responses import ResponseQuerySet
from manyi.surveys.services.design import (
    survey_create_from_blueprint,
    survey_open,
    version_create_next,
    version_publish,
)
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory

GAP_ITEMS = ["product_quality", "delivery", "service_attitude", "after_sales"]


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))


def answer(survey, pages, *, customer=None, channel="phone"):
    response = response_start(survey=survey, channel=channel, language="en", customer=customer)
    for page, data in pages.items():
        assert response_save_page(response=response, page=page, data=data).ok
    assert response_submit(response=response).ok
    response.refresh_from_db()
    return response


FULL = {
    1: {"q__overall": ["5"]} | {f"q__items__{d}": ["4"] for d in ALL_DIMENSIONS},
    2: {"q__gap__delivery__expected": ["5"], "q__gap__delivery__experienced": ["3"]},
    3: {"q__repurchase": ["4"], "q__nps": ["9"], "q__suggestions": ['更快, "准时"\n送达']},
}


def _csv(client, survey, **params):
    response = client.get(reverse("surveys:responses_export", args=[survey.pk, "csv"]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    return body, list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def expected_header() -> list[str]:
    return [
        *META_COLUMNS,
        "overall",
        *(f"items.{d}" for d in ALL_DIMENSIONS),
        *(f"importance.{d}" for d in ALL_DIMENSIONS),
        *(f"gap.{d}.{role}" for d in GAP_ITEMS for role in ("expected", "experienced")),
        "repurchase",
        "nps",
        "suggestions",
    ]


def test_csv_header_and_one_row_per_response(client, analyst, survey):
    # given
    customer = CustomerFactory(external_id="C-77")
    named = answer(survey, FULL, customer=customer)
    anonymous = answer(survey, {1: FULL[1], 3: {"q__repurchase": ["2"], "q__nps": ["3"]}})
    client.force_login(analyst)
    # when
    body, rows = _csv(client, survey)
    # then
    assert body.startswith(codecs.BOM_UTF8)
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == expected_header()
    assert [r["response_id"] for r in rows] == [str(named.pk), str(anonymous.pk)]
    row = rows[0]
    assert row["submitted_at"] == timezone.localtime(named.submitted_at).isoformat("T", "seconds")
    assert row["status"] == "submitted" and row["valid"] == "yes"
    assert (row["channel"], row["language"], row["version"]) == ("phone", "en", "1")
    assert row["customer_external_id"] == "C-77"
    assert row["overall"] == "5" and row["items.brand"] == "4"
    assert row["gap.delivery.expected"] == "5" and row["gap.delivery.experienced"] == "3"
    assert row["gap.after_sales.expected"] == ""
    assert row["importance.price"] == ""
    assert row["repurchase"] == "4" and row["nps"] == "9"
    assert row["suggestions"] == '更快, "准时"\n送达'  # quoted safely, newline kept
    assert rows[1]["customer_external_id"] == "" and rows[1]["valid"] == "no"


def test_multiple_choices_are_joined(client, analyst):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="nps_relationship"))
    answer(
        survey,
        {1: {"q__nps": ["6"]}, 2: {"q__improve_first": ["price", "delivery"]}},
    )
    client.force_login(analyst)
    _body, rows = _csv(client, survey)
    assert rows[0]["improve_first"] == "price;delivery"
    assert rows[0]["nps_reason"] == ""


def test_columns_span_every_version(client, analyst):
    # given: version 2 adds a question; one response on each version
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="ces_service"))
    first = answer(survey, {1: {"q__ces": ["6"], "q__resolved": ["yes"]}})
    draft = version_create_next(survey=survey)
    Question.objects.create(
        version=draft,
        code="channel_used",
        type=QuestionType.SHORT_TEXT,
        text_zh="渠道",
        position=99,
    )
    version_publish(survey=survey, version=draft)
    survey.refresh_from_db()
    second = answer(
        survey, {1: {"q__ces": ["2"], "q__resolved": ["no"], "q__channel_used": ["电话"]}}
    )
    client.force_login(analyst)
    # when
    body, rows = _csv(client, survey)
    # then
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[len(META_COLUMNS) :] == [
        "ces",
        "resolved",
        "agent_csat",
        "comment",
        "channel_used",
    ]
    by_id = {int(r["response_id"]): r for r in rows}
    assert by_id[first.pk]["version"] == "1" and by_id[first.pk]["channel_used"] == ""
    assert by_id[second.pk]["version"] == "2" and by_id[second.pk]["channel_used"] == "电话"


def test_the_export_follows_the_list_filters(client, analyst, survey):
    phone = answer(survey, FULL)
    answer(survey, FULL, channel="paper")
    client.force_login(analyst)
    _body, rows = _csv(client, survey, channel="phone")
    assert [r["response_id"] for r in rows] == [str(phone.pk)]


def test_xlsx_reads_back(client, analyst, survey):
    # given
    response = answer(survey, FULL, customer=CustomerFactory(external_id="C-88"))
    client.force_login(analyst)
    # when
    download = client.get(reverse("surveys:responses_export", args=[survey.pk, "xlsx"]))
    # then
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == expected_header()
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["response_id"] == response.pk
    assert record["customer_external_id"] == "C-88"
    assert record["gap.delivery.experienced"] == 3
    assert record["suggestions"] == '更快, "准时"\n送达'


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_only_those_who_may_export(client, users_by_role, survey, role):
    client.force_login(users_by_role[role])
    for fmt in ("csv", "xlsx"):
        url = reverse("surveys:responses_export", args=[survey.pk, fmt])
        assert client.get(url).status_code == 403


def test_unknown_format_is_404(client, analyst, survey):
    client.force_login(analyst)
    url = reverse("surveys:responses_export", args=[survey.pk, "pdf"])
    assert client.get(url).status_code == 404


def test_only_visible_responses_are_exported(client, analyst, survey, monkeypatch):
    # given: the access rule hides one response (as it would for a narrower role)
    shown = answer(survey, FULL)
    hidden = answer(survey, FULL)
    original = ResponseQuerySet.visible_to
    monkeypatch.setattr(
        ResponseQuerySet, "visible_to", lambda qs, user: original(qs, user).exclude(pk=hidden.pk)
    )
    client.force_login(analyst)
    # when
    _body, rows = _csv(client, survey)
    # then
    assert [r["response_id"] for r in rows] == [str(shown.pk)]

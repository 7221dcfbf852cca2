"""The satisfaction report: numbers for a constructed data set computed by hand, the
recommendations, the Excel and PDF exports, access by role and scheduled sending."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core import mail
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from manyi.analytics import counts
from manyi.analytics.models import ReportNote, ScheduledReport
from manyi.analytics.reports.build import report_build
from manyi.analytics.reports.excel import report_xlsx
from manyi.analytics.reports.pdf import report_pdf
from manyi.analytics.reports.schedule import last_full_period, scheduled_reports_send
from manyi.surveys.models import Invitation, Response
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SINCE, UNTIL = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
ITEMS = [
    "product_quality", "price", "delivery", "service_attitude",
    "response_speed", "after_sales", "channels", "brand",
]  # fmt: skip


@pytest.fixture
def survey(analyst):
    return design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    )


def answer(survey, *, overall, items, nps, customer=None, comment="", gap=None, when, full=True):
    """Submit one response; `full` answers 6-7 of the 7 questions (valid), else only the 4
    required ones (4/7 < 2/3: invalid)."""
    response = response_start(survey=survey, channel="link", language="en", customer=customer)
    page1 = f"q__overall={overall}&" + "&".join(
        f"q__items__{code}={v}" for code, v in zip(ITEMS, items, strict=True)
    )
    response_save_page(response=response, page=1, data=QueryDict(page1))
    page2 = "&".join(f"q__importance__{code}=4" for code in ITEMS) if full else ""
    if gap:
        page2 += f"&q__gap__product_quality__expected={gap[0]}"
        page2 += f"&q__gap__product_quality__experienced={gap[1]}"
    response_save_page(response=response, page=2, data=QueryDict(page2))
    page3 = f"q__repurchase=4&q__nps={nps}"
    if full:
        page3 += "&" + QueryDict.fromkeys(["q__suggestions"], comment or "ok").urlencode()
    response_save_page(response=response, page=3, data=QueryDict(page3))
    assert response_submit(response=response).ok
    Response.objects.filter(pk=response.pk).update(submitted_at=when)
    return response


@pytest.fixture
def data(survey, team_east, team_west):
    """Three valid responses in March 2026 and one invalid one:
    item means pq 4, price 3, delivery 4, service 14/3, speed 4, after-sales 4, channels 4,
    brand 4 → S = 80, 60, 80, 93.33, 80, 80, 80, 80 % and, with the seeded weights
    .20/.15/.15/.15/.10/.10/.05/.10, CSI = 16 + 9 + 12 + 14 + 8 + 8 + 4 + 8 = 79.0 %."""
    east = CustomerFactory(team=team_east)
    west = CustomerFactory(team=team_west)
    march = dt.datetime(2026, 3, 10, 12, tzinfo=SHANGHAI)
    a = answer(
        survey, overall=4, items=[5, 3, 4, 5, 4, 4, 4, 4], nps=9, customer=east,
        comment="Too expensive for what it is", gap=(5, 4), when=march,
    )  # fmt: skip
    answer(
        survey, overall=5, items=[4, 2, 4, 5, 5, 4, 4, 5], nps=10, customer=west,
        comment="快递很快", when=march + dt.timedelta(days=1),
    )  # fmt: skip
    answer(
        survey, overall=3, items=[3, 4, 4, 4, 3, 4, 4, 3], nps=6, customer=west,
        when=march + dt.timedelta(days=2),
    )  # fmt: skip
    # Invalid: every item 1, must not move any number.
    answer(survey, overall=1, items=[1] * 8, nps=0, when=march, full=False)
    # Two invitations delivered in March, one answered (response a): response rate 50 %.
    Invitation.objects.create(
        survey=survey, customer=east, channel="email", status="sent", delivered_at=march
    )
    answered = Invitation.objects.create(
        survey=survey, customer=west, channel="email", status="sent", delivered_at=march
    )
    Response.objects.filter(pk=a.pk).update(invitation=answered)
    return survey


def build(survey, user, since=SINCE, until=UNTIL):
    return report_build(survey=survey, since=since, until=until, user=user, language="en")


def test_report_numbers_match_the_hand_computation(data, analyst):
    report = build(data, analyst)

    assert report.headline.csi.value == pytest.approx(79.0)
    assert report.items.csi.value == pytest.approx(79.0)
    assert [r.code for r in report.items.rows] == [
        "price", "after_sales", "brand", "channels", "delivery", "product_quality",
        "response_speed", "service_attitude",
    ]  # fmt: skip
    scores = {r.code: r.satisfaction.value for r in report.items.rows}
    assert scores["price"] == pytest.approx(60.0)
    assert scores["service_attitude"] == pytest.approx(280 / 3)
    assert [r.code for r in report.below_target] == ["price"]
    # overall 4, 5, 3: top-2-box 2 of 3; NPS 9, 10, 6: (2 − 1) / 3.
    assert report.headline.csat.value == pytest.approx(200 / 3)
    assert report.headline.nps.value == pytest.approx(100 / 3)
    assert report.headline.csi.n == 3 and not report.headline.csi.reliable
    # Sample: 4 submitted, 3 valid; 2 invitations delivered, 1 answered.
    s = report.sample
    assert (s.submitted, s.valid, s.delivered, s.answered) == (4, 3, 2, 1)
    assert s.response_rate == pytest.approx(50.0)
    assert s.valid_rate == pytest.approx(75.0)
    assert report.method.channels == ("Public link",)
    assert "2026-03-01" in report.method.text and "67 %" in report.method.text
    # Gap of product quality: expected 5, experienced 4 (one respondent).
    (gap,) = report.gaps
    assert (gap.code, gap.gap) == ("product_quality", pytest.approx(-1.0))
    # Findings name the lowest item and the items below target.
    assert any("Price (60.0 %)" in f for f in report.findings)
    assert any("1 of 8 items are below the target of 80 %: Price." in f for f in report.findings)
    assert any("largest shortfall" in f and "Product quality" in f for f in report.findings)
    # Comments of valid responses, most recent first.
    assert [c.text for c in report.comments] == ["ok", "快递很快", "Too expensive for what it is"]


def test_an_agent_sees_the_report_of_their_team_only(data, agent):
    report = build(data, agent)

    # Only response a (east): S_price = 60, S_pq = 100, ...
    assert report.headline.csat.n == 1
    assert [c.text for c in report.comments] == ["Too expensive for what it is"]
    assert report.sample.submitted == 1
    assert report.sample.delivered == 1 and report.sample.answered == 0


def test_numbers_stay_the_same_once_the_count_tables_are_filled(data, analyst):
    before = build(data, analyst)

    counts.fill(now=dt.datetime(2026, 4, 2, tzinfo=dt.UTC))
    after = build(data, analyst)

    assert after.headline.csi == before.headline.csi
    assert after.items.rows == before.items.rows
    assert after.sample == before.sample


def test_a_significant_change_against_the_previous_period_is_a_finding(survey, analyst):
    # given: February all overall 1-2, March all 5 (n = 12 each)
    feb = dt.datetime(2026, 2, 20, 12, tzinfo=SHANGHAI)
    mar = dt.datetime(2026, 3, 20, 12, tzinfo=SHANGHAI)
    for i in range(12):
        answer(survey, overall=1 + i % 2, items=[3] * 8, nps=5, when=feb)
        answer(survey, overall=5, items=[4] * 8, nps=10, when=mar)

    report = build(survey, analyst)

    assert report.change.csat.significant
    assert any(
        f.startswith("CSAT rose from 0.0 to 100.0 against the previous period")
        for f in report.findings
    )


def test_recommendations_are_saved_and_shown(client, data, analyst, viewer):
    url = reverse("reports:report", args=[data.pk]) + "?since=2026-03-01&until=2026-03-31"
    client.force_login(analyst)

    response = client.post(url, {"recommendations": "Review the price list before Q2."})

    assert response.status_code == 302
    note = ReportNote.objects.get(survey=data, since=SINCE, until=UNTIL)
    assert note.recommendations == "Review the price list before Q2."
    assert note.updated_by == analyst
    client.force_login(viewer)
    page = client.get(url)
    assert "Review the price list before Q2." in page.content.decode()
    assert build(data, viewer).recommendations == "Review the price list before Q2."
    # A viewer may read but not write them.
    assert client.post(url, {"recommendations": "x"}).status_code == 403
    assert ReportNote.objects.get().recommendations == "Review the price list before Q2."


def test_report_page_shows_figures_with_interval_and_n(client, data, analyst):
    client.force_login(analyst)

    page = client.get(
        reverse("reports:report", args=[data.pk]), {"since": "2026-03-01", "until": "2026-03-31"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "79.0 %" in html and "n = 3" in html
    assert "few answers" in html  # n = 3 < 30: greyed out with a note
    assert 'data-item="price"' in html


def test_excel_export_has_the_sheets_and_the_numbers(client, data, analyst):
    client.force_login(analyst)
    url = reverse("reports:report_xlsx", args=[data.pk])

    response = client.get(url, {"since": "2026-03-01", "until": "2026-03-31"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Summary", "Items", "Gaps", "Trend", "Comments", "Data"]
    items = list(wb["Items"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in items][:2] == ["price", "after_sales"]
    assert items[0][4] == pytest.approx(60.0)
    assert wb["Items"]["E2"].number_format == "0.0"
    summary = {row[0]: row for row in wb["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Satisfaction index CSI (%)"][1] == pytest.approx(79.0)
    assert summary["Responses submitted"][1] == 4
    assert summary["Response rate (%)"][1] == pytest.approx(50.0)
    gaps = list(wb["Gaps"].iter_rows(min_row=2, values_only=True))
    assert gaps == [("product_quality", "Product quality", 5, 4, pytest.approx(-1.0), 1)]
    assert len(list(wb["Comments"].iter_rows(min_row=2))) == 3
    data_rows = list(wb["Data"].iter_rows(values_only=True))
    assert data_rows[0][0] == "response_id" and len(data_rows) == 1 + 4


def test_pdf_export_has_pages_and_the_text(client, data, analyst):
    client.force_login(analyst)

    response = client.get(reverse("reports:report_pdf", args=[data.pk]), {"since": "2026-03-01"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Satisfaction report" in text and "79.0" in text


def test_chinese_pdf_and_excel_render(data, analyst):
    with translation.override("zh-hans"):
        report = report_build(
            survey=data, since=SINCE, until=UNTIL, user=analyst, language="zh-hans"
        )
        content = report_pdf(report)
        workbook = load_workbook(io.BytesIO(report_xlsx(report, None)))

    assert report.title == "客户满意度调查"
    assert content.startswith(b"%PDF") and len(PdfReader(io.BytesIO(content)).pages) >= 1
    assert "Data" not in workbook.sheetnames and len(workbook.sheetnames) == 5


@pytest.mark.parametrize(
    ("role", "page", "export", "schedules"),
    [
        ("admin", 200, 200, 200),
        ("analyst", 200, 200, 200),
        ("agent", 200, 403, 403),
        ("viewer", 200, 403, 403),
    ],
)
def test_access_by_role(client, survey, users_by_role, role, page, export, schedules):
    client.force_login(users_by_role[role])

    assert client.get(reverse("reports:report", args=[survey.pk])).status_code == page
    assert client.get(reverse("reports:report_xlsx", args=[survey.pk])).status_code == export
    assert client.get(reverse("reports:report_pdf", args=[survey.pk])).status_code == export
    assert client.get(reverse("reports:schedules")).status_code == schedules
    assert client.get(reverse("reports:schedule_create")).status_code == schedules


def test_anonymous_is_sent_to_login(client, survey):
    response = client.get(reverse("reports:report_pdf", args=[survey.pk]))

    assert response.status_code == 302 and "login" in response["Location"]


def test_schedules_are_created_edited_and_deleted(client, survey, analyst, viewer):
    client.force_login(analyst)

    response = client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Weekly CSI",
            "survey": survey.pk,
            "frequency": "weekly",
            "format": "both",
            "language": "en",
            "recipients": [analyst.pk, viewer.pk],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    schedule = ScheduledReport.objects.get()
    assert set(schedule.recipients.all()) == {analyst, viewer}
    assert schedule.created_by == analyst
    assert "Weekly CSI" in client.get(reverse("reports:schedules")).content.decode()
    client.post(
        reverse("reports:schedule_edit", args=[schedule.pk]),
        {"name": "Monthly", "survey": survey.pk, "frequency": "monthly", "format": "pdf",
         "language": "zh-hans", "recipients": [viewer.pk]},
    )  # fmt: skip
    schedule.refresh_from_db()
    assert (schedule.frequency, schedule.format, schedule.is_active) == ("monthly", "pdf", False)
    client.post(reverse("reports:schedule_delete", args=[schedule.pk]))
    assert not ScheduledReport.objects.exists()


@pytest.fixture
def weekly(data, analyst, viewer, agent):
    schedule = ScheduledReport.objects.create(
        name="Weekly", survey=data, frequency="weekly", format="both", language="en"
    )
    schedule.recipients.set([analyst, viewer, agent])
    return schedule


def test_last_full_period():
    monday = dt.datetime(2026, 3, 16, 1, tzinfo=SHANGHAI)

    assert last_full_period("weekly", monday) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert last_full_period("monthly", monday) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_weekly_report_is_sent_on_monday_for_last_week_once(weekly, analyst, agent):
    monday = dt.datetime(2026, 3, 16, 1, tzinfo=SHANGHAI)

    assert scheduled_reports_send(monday) == 1
    assert scheduled_reports_send(monday + dt.timedelta(hours=1)) == 0  # sent once

    assert len(mail.outbox) == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    message = by_to[analyst.email]
    assert "2026-03-09 – 2026-03-15" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == [
        f"satisfaction-report-{weekly.survey_id}-2026-03-09-2026-03-15.xlsx",
        f"satisfaction-report-{weekly.survey_id}-2026-03-09-2026-03-15.pdf",
    ]
    # Last week (9-15 March) holds responses of the 10th-12th: all 4 for the analyst ...
    wb = load_workbook(io.BytesIO(message.attachments[0][1]))
    assert len(list(wb["Data"].iter_rows())) == 1 + 4
    # ... and the agent's copy is scoped to their team, without the Data sheet.
    agent_wb = load_workbook(io.BytesIO(by_to[agent.email].attachments[0][1]))
    assert "Data" not in agent_wb.sheetnames
    summary = {r[0]: r for r in agent_wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Responses submitted"][1] == 1
    weekly.refresh_from_db()
    assert weekly.last_sent_at == monday
    # The next Monday the next week goes out.
    assert scheduled_reports_send(monday + dt.timedelta(days=7)) == 1
    assert len(mail.outbox) == 6


def test_inactive_schedules_send_nothing(weekly):
    weekly.is_active = False
    weekly.save()

    assert scheduled_reports_send(dt.datetime(2026, 3, 16, 1, tzinfo=SHANGHAI)) == 0
    assert mail.outbox == []


def test_monthly_report_waits_for_the_month_to_end(data, analyst):
    schedule = ScheduledReport.objects.create(
        name="Monthly", survey=data, frequency="monthly", format="pdf", language="zh-hans",
        last_sent_at=dt.datetime(2026, 3, 1, 2, tzinfo=SHANGHAI),
    )  # fmt: skip
    schedule.recipients.set([analyst])

    assert scheduled_reports_send(dt.datetime(2026, 3, 20, tzinfo=SHANGHAI)) == 0
    assert scheduled_reports_send(dt.datetime(2026, 4, 1, 3, tzinfo=SHANGHAI)) == 1

    (message,) = mail.outbox
    assert "满意度报告" in message.subject or "2026-03-01" in message.subject
    assert message.attachments[0][0].endswith("2026-03-01-2026-03-31.pdf")

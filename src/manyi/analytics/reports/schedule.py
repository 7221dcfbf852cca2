"""Scheduled reports: after each full week (on Monday) or month (on the 1st) the report of that
period is mailed to the chosen users. Idempotent: a schedule whose `last_sent_at` falls after
the end of the last full period has already sent it, so hourly runs send each period once."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.surveys.exporting import response_rows

from ..models import ReportFormat, ReportFrequency, ScheduledReport
from .build import estimate_text, report_build, report_responses
from .excel import report_xlsx
from .pdf import report_pdf

log = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def last_full_period(frequency: str, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The last full week (Monday-Sunday) or calendar month before `now`, in local dates."""
    today = timezone.localdate(now)
    if frequency == ReportFrequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    return last_day.replace(day=1), last_day


def is_due(schedule: ScheduledReport, now: dt.datetime) -> bool:
    _since, until = last_full_period(schedule.frequency, now)
    sent = schedule.last_sent_at
    return schedule.is_active and (sent is None or timezone.localdate(sent) <= until)


def report_filename(survey_id: int, since: dt.date, until: dt.date, ext: str) -> str:
    return f"satisfaction-report-{survey_id}-{since.isoformat()}-{until.isoformat()}.{ext}"


def _attachments(schedule: ScheduledReport, report, user) -> list[tuple[str, bytes, str]]:
    name = report_filename(report.survey_id, report.since, report.until, "{ext}")
    files = []
    if schedule.format in (ReportFormat.XLSX, ReportFormat.BOTH):
        rows = None
        if access.can(user, access.Action.EXPORT_DATA):
            responses = report_responses(
                survey=schedule.survey, since=report.since, until=report.until, user=user
            )
            rows = response_rows(survey=schedule.survey, queryset=responses)
        files.append((name.format(ext="xlsx"), report_xlsx(report, rows), XLSX_TYPE))
    if schedule.format in (ReportFormat.PDF, ReportFormat.BOTH):
        files.append((name.format(ext="pdf"), report_pdf(report), "application/pdf"))
    return files


def _message(schedule: ScheduledReport, report, attachments, to: str) -> EmailMessage:
    url = settings.MANYI_BASE_URL + reverse("reports:report", args=[schedule.survey_id])
    url += "?" + urlencode({"since": report.since, "until": report.until})
    subject = _("Satisfaction report: %(title)s, %(since)s – %(until)s") % {
        "title": report.title,
        "since": report.since,
        "until": report.until,
    }
    lines = [
        _("Overall satisfaction index (CSI): %(figure)s")
        % {"figure": estimate_text(report.headline.csi, unit=" %")},
        _("Valid responses: %(n)d") % {"n": report.sample.valid},
        "",
        *report.findings,
        "",
        _("The full report: %(url)s") % {"url": url},
        _("You receive this because you are a recipient of “%(name)s”.") % {"name": schedule.name},
    ]
    message = EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [to])
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def scheduled_report_send(schedule: ScheduledReport, now: dt.datetime) -> int:
    """Mail the last full period's report to each recipient, as that recipient may see it
    (numbers scoped to an agent's team; the Data sheet only for those who may export).
    One report is built per distinct view. Returns the number of messages sent."""
    since, until = last_full_period(schedule.frequency, now)
    recipients = schedule.recipients.filter(is_active=True).exclude(email="").order_by("pk")
    built: dict[tuple, list] = {}
    messages = []
    with translation.override(schedule.language):
        for user in recipients:
            if not access.can(user, access.Action.VIEW_RECORDS):
                continue
            view = (access.read_scope(user), access.can(user, access.Action.EXPORT_DATA))
            if view not in built:
                report = report_build(
                    survey=schedule.survey,
                    since=since,
                    until=until,
                    user=user,
                    language=schedule.language,
                )
                built[view] = [report, _attachments(schedule, report, user)]
            report, attachments = built[view]
            messages.append(_message(schedule, report, attachments, user.email))
    return get_connection().send_messages(messages) if messages else 0


def scheduled_reports_send(now: dt.datetime | None = None) -> int:
    """Send every active schedule whose last full period has not gone out yet. Each schedule
    is locked while it is sent, so two runs at once send it once; a failure leaves it due."""
    now = now or timezone.now()
    sent = 0
    for pk in ScheduledReport.objects.filter(is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            schedule = (
                ScheduledReport.objects.select_for_update().select_related("survey").get(pk=pk)
            )
            if not is_due(schedule, now):
                continue
            count = scheduled_report_send(schedule, now)
            schedule.last_sent_at = now
            schedule.save(update_fields=["last_sent_at"])
            log.info("scheduled report %s sent to %d recipients", schedule.pk, count)
            sent += 1
    return sent

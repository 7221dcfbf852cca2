"""The default business calendar (Monday to Friday 09:00-12:00 and 13:00-18:00 in the site's
zone, with mainland China's holidays and make-up working days of the current year), SLA
policies per type and severity, and the free case categories."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import migrations

# (type, severity): (first response, resolution), in working hours
POLICIES = {
    ("complaint", "critical"): (1, 8),
    ("complaint", "high"): (2, 16),
    ("complaint", "normal"): (4, 24),
    ("complaint", "low"): (8, 40),
    ("suggestion", "normal"): (8, 80),
    ("inquiry", "normal"): (4, 16),
    ("praise", "normal"): (8, 40),
}
FREE_CATEGORIES = [("账单与付款", "Billing and payment"), ("其他", "Other")]


def create(apps, schema_editor):
    from zoneinfo import ZoneInfo

    from manyi.worktime import china_defaults

    calendar_model = apps.get_model("cases", "BusinessCalendar")
    hours = apps.get_model("cases", "WorkingHours")
    days = apps.get_model("cases", "CalendarDay")
    policy = apps.get_model("cases", "SlaPolicy")
    category = apps.get_model("cases", "Category")
    calendar = calendar_model.objects.create(
        name="中国大陆工作日 / Mainland China", time_zone=settings.TIME_ZONE, is_default=True
    )
    hours.objects.bulk_create(
        hours(calendar=calendar, weekday=weekday, start=start, end=end)
        for weekday in range(5)
        for start, end in ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))
    )
    year = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).year
    days.objects.bulk_create(
        days(calendar=calendar, day=d.day, working=d.working, name=d.name_zh)
        for d in china_defaults(year)
    )
    policy.objects.bulk_create(
        policy(
            case_type=case_type,
            severity=severity,
            first_response_hours=Decimal(first),
            resolution_hours=Decimal(resolve),
        )
        for (case_type, severity), (first, resolve) in POLICIES.items()
    )
    category.objects.bulk_create(
        category(name_zh=zh, name_en=en, position=100 + i)
        for i, (zh, en) in enumerate(FREE_CATEGORIES)
    )


def remove(apps, schema_editor):
    for name in ("SlaPolicy", "Category", "BusinessCalendar"):
        apps.get_model("cases", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]

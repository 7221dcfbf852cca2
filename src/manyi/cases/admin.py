"""Configuration that administrators change rarely: business calendars, SLA policies, case
categories and rules (the Django admin reaches administrators only)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models
from .calendars import add_china_holidays


class WorkingHoursInline(admin.TabularInline):
    model = models.WorkingHours
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = models.CalendarDay
    extra = 0


@admin.register(models.BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_default"]
    inlines = [WorkingHoursInline, CalendarDayInline]
    actions = ["add_next_year", "add_this_year"]

    def _add(self, request, queryset, year: int):
        for calendar in queryset:
            added = add_china_holidays(calendar, year)
            if added:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d day of %(year)d added to %(calendar)s.",
                        "%(count)d days of %(year)d added to %(calendar)s.",
                        added,
                    )
                    % {"count": added, "year": year, "calendar": calendar},
                )
            else:
                self.message_user(
                    request,
                    _("No schedule of %(year)d is known yet: add its days by hand.")
                    % {"year": year},
                    messages.WARNING,
                )

    @admin.action(description=_("Add mainland China's holidays of this year"))
    def add_this_year(self, request, queryset):
        self._add(request, queryset, timezone.localdate().year)

    @admin.action(description=_("Add mainland China's holidays of next year"))
    def add_next_year(self, request, queryset):
        self._add(request, queryset, timezone.localdate().year + 1)


@admin.register(models.SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["case_type", "severity", "first_response_hours", "resolution_hours", "calendar"]
    list_filter = ["case_type", "severity"]


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "dimension", "position", "is_active"]


@admin.register(models.CaseRule)
class CaseRuleAdmin(admin.ModelAdmin):
    list_display = ["survey", "kind", "severity", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(models.CaseTag)
class CaseTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]

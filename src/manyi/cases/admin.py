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


@admin.register(models.MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Templates are checked when saved (an unknown placeholder is an error) and previewed
    with the customer of the most recent case."""

    list_display = ["name", "purpose", "language", "is_active"]
    list_filter = ["purpose", "language", "is_active"]
    readonly_fields = ["placeholders", "preview"]

    @admin.display(description=_("Placeholders"))
    def placeholders(self, obj):
        from .placeholders import PLACEHOLDERS

        return "\n".join(f"{{{name}}}: {label}" for name, label in PLACEHOLDERS.items())

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        from .messaging import filled
        from .placeholders import PlaceholderError

        case = models.Case.objects.select_related("customer").order_by("-pk").first()
        if obj is None or not obj.pk or case is None:
            return "—"
        try:
            subject, body = filled(obj, case, None)
        except PlaceholderError as error:
            return str(error)
        # Plain text: the admin escapes it, so a customer's name is never markup.
        return f"{case.customer.name} · {case.number}\n\n{subject}\n\n{body}"


@admin.register(models.CaseMessage)
class CaseMessageAdmin(admin.ModelAdmin):
    list_display = ["entry", "channel", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in models.CaseMessage._meta.fields]

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from .models import ReportNote, ScheduledReport


@admin.register(ReportNote)
class ReportNoteAdmin(admin.ModelAdmin):
    list_display = ["survey", "since", "until", "updated_by", "updated_at"]
    list_filter = ["survey"]
    raw_id_fields = ["survey", "updated_by"]


@admin.register(ScheduledReport)
class ScheduledReportAdmin(admin.ModelAdmin):
    list_display = ["name", "survey", "frequency", "format", "is_active", "last_sent_at"]
    list_filter = ["frequency", "format", "is_active"]
    filter_horizontal = ["recipients"]
    raw_id_fields = ["survey", "created_by"]

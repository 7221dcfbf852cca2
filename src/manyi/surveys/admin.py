"""Django admin for the survey models, for administrators: a way to inspect and repair data.
Collected answers are shown read-only: they are evidence, not settings."""

from django.contrib import admin

from . import models


class SurveyVersionInline(admin.TabularInline):
    model = models.SurveyVersion
    extra = 0
    fields = ["number", "created_at", "locked_at"]
    readonly_fields = ["created_at"]
    show_change_link = True


class QuestionItemInline(admin.TabularInline):
    model = models.QuestionItem
    extra = 0


class AnswerInline(admin.TabularInline):
    model = models.Answer
    extra = 0
    fields = ["question", "dimension", "role", "number", "text", "choices"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "default_weight", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(models.Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "title_en", "status", "current_version", "created_at"]
    list_filter = ["status", "anonymous", "public_link_enabled", "blueprint"]
    search_fields = ["title_zh", "title_en"]
    readonly_fields = ["public_token", "created_at", "opened_at", "closed_at", "created_by"]
    raw_id_fields = ["current_version"]
    inlines = [SurveyVersionInline]


@admin.register(models.SurveyVersion)
class SurveyVersionAdmin(admin.ModelAdmin):
    list_display = ["survey", "number", "created_at", "locked_at"]
    search_fields = ["survey__title_zh", "survey__title_en"]
    raw_id_fields = ["survey"]


@admin.register(models.Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "page", "position", "type", "required"]
    list_filter = ["type", "required"]
    search_fields = ["code", "text_zh", "text_en", "version__survey__title_zh"]
    raw_id_fields = ["version", "dimension"]
    list_select_related = ["version__survey"]
    inlines = [QuestionItemInline]


@admin.register(models.Distribution)
class DistributionAdmin(admin.ModelAdmin):
    list_display = ["survey", "channel", "created_at", "created_by", "sample_size"]
    list_filter = ["channel"]
    raw_id_fields = ["survey", "created_by"]
    readonly_fields = ["created_at", "summary"]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["survey", "customer", "channel", "status", "sent_at", "opened_at"]
    list_filter = ["channel", "status"]
    search_fields = ["customer__name", "customer__external_id", "address"]
    raw_id_fields = ["survey", "customer", "distribution", "trigger"]
    readonly_fields = ["token", "created_at"]
    list_select_related = ["survey", "customer"]
    show_full_result_count = False


@admin.register(models.Trigger)
class TriggerAdmin(admin.ModelAdmin):
    list_display = ["survey", "event", "delay_hours", "channel", "is_active"]
    list_filter = ["event", "channel", "is_active"]
    raw_id_fields = ["survey"]


@admin.register(models.TriggerFiring)
class TriggerFiringAdmin(admin.ModelAdmin):
    list_display = ["trigger", "source_id", "customer", "fired_at", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["trigger", "customer", "invitation"]
    show_full_result_count = False


@admin.register(models.Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "version", "customer", "channel", "status", "is_valid", "started_at"]
    list_filter = ["status", "channel", "is_valid"]
    search_fields = ["customer__name", "customer__external_id"]
    raw_id_fields = ["survey", "version", "invitation", "customer", "entered_by"]
    readonly_fields = ["resume_key", "started_at", "last_saved_at", "submitted_at"]
    list_select_related = ["survey", "version", "customer"]
    date_hierarchy = "started_at"
    inlines = [AnswerInline]
    show_full_result_count = False

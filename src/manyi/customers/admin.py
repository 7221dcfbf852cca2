from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from manyi.privacy.choices import AuditAction
from manyi.privacy.services import audit_record

from . import models
from .forms import ContactPointForm


class ContactPointInline(admin.TabularInline):
    model = models.ContactPoint
    form = ContactPointForm  # the same checks and canonical form as the customer pages
    extra = 0


class PurchaseItemInline(admin.TabularInline):
    model = models.PurchaseItem
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(models.Segment)
class SegmentAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "gender", "birth_year", "region", "segment", "team"]
    list_filter = ["gender", "segment", "team", "language"]
    search_fields = ["name", "external_id", "contacts__value"]
    autocomplete_fields = ["segment", "tags"]
    list_select_related = ["segment", "team"]
    inlines = [ContactPointInline]
    show_full_result_count = False

    # Views and changes of a customer here are audited like on the profile (privacy).
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and str(object_id).isdigit():
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                customer=int(object_id),
                object_type="customer",
                object_id=object_id,
                detail={"via": "admin"},
                request=request,
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE,
            customer=obj,
            obj=obj,
            detail={"via": "admin", "fields": sorted(form.changed_data)}
            if change
            else {"via": "admin", "created": True},
            request=request,
        )


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "price", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["sku", "name"]


@admin.register(models.Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = ["external_id", "customer", "purchased_at", "channel", "amount", "returned"]
    list_filter = ["channel", "returned"]
    search_fields = ["external_id", "customer__name", "customer__external_id"]
    raw_id_fields = ["customer"]
    date_hierarchy = "purchased_at"
    inlines = [PurchaseItemInline]
    show_full_result_count = False


@admin.register(models.Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "customer", "kind", "channel", "outcome", "team", "handled_by"]
    list_filter = ["kind", "channel", "outcome", "team"]
    search_fields = ["subject", "content", "customer__name", "external_id"]
    raw_id_fields = ["customer", "handled_by"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(models.ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "original_name",
        "status",
        "created_count",
        "updated_count",
        "failed_count",
        "created_by",
    ]
    list_filter = ["kind", "status"]
    # The file has no URL of its own (private storage): link to the view that checks access.
    readonly_fields = [
        "uploaded_file" if f.name == "file" else f.name for f in models.ImportJob._meta.fields
    ]
    exclude = ["file"]

    @admin.display(description=_("file"))
    def uploaded_file(self, job):
        if not job.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("customers:import_file", args=[job.pk]),
            job.original_name,
        )

from django.contrib import admin

from . import models


class ContactPointInline(admin.TabularInline):
    model = models.ContactPoint
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
    readonly_fields = [f.name for f in models.ImportJob._meta.fields]

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the audit log is append-only (the page /privacy/audit/ searches it)."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "customer_id", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

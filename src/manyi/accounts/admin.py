from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from manyi.privacy.choices import AuditAction
from manyi.privacy.services import audit_record

from .models import Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "manager"]
    search_fields = ["name"]
    autocomplete_fields = ["lead", "manager"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    # Staff and superuser flags follow the role (User.save), so they are not edited here.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("role", "team", "is_active")}),
        (_("Notifications"), {"fields": ("case_digest",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Access"), {"fields": ("role", "team")}),
    )

    def save_model(self, request, obj, form, change):
        # Who gave whom which role or team goes to the audit log (explicitly, not a signal).
        watched = ("role", "team", "is_active")
        before = {}
        if change and any(name in form.changed_data for name in watched):
            saved = type(obj).objects.get(pk=obj.pk)
            before = {name: _access_value(saved, name) for name in watched}
        super().save_model(request, obj, form, change)
        after = {name: _access_value(obj, name) for name in watched}
        if not change or (before and before != after):
            audit_record(
                actor=request.user,
                action=AuditAction.ACCESS,
                obj=obj,
                detail={"user": obj.get_username(), "before": before, "after": after},
                request=request,
            )


def _access_value(user, name: str):
    if name == "team":
        return user.team.name if user.team_id else None
    return getattr(user, name)

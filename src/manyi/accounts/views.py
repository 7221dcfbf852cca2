"""Account pages beyond Django's own auth views: the lockout page and the password reset."""

import math

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import QueuedPasswordResetForm


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers (429) to a login refused because of too many failures, in the
    site's layout for the project's login page and the admin's alike."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else 0,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, with the e-mail sent by a background task: known and unknown
    addresses answer in the same time, so the page does not reveal who has an account."""

    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

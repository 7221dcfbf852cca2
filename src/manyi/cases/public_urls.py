"""The public feedback page: no login, no script, rate-limited like the respondent pages."""

from django.urls import path

from manyi.surveys.respondent import public_page

from .views_feedback import feedback

app_name = "feedback"
urlpatterns = [path("feedback/", public_page(feedback), name="form")]

"""Respondent pages: short public paths, no login."""

from django.urls import path

from .views import respond

app_name = "respond"
urlpatterns: list = [
    # respond
    path("s/<str:token>/", respond.invitation, name="invitation"),
    path("s/<str:token>/opt-out/", respond.opt_out, name="opt_out"),
    path("p/<str:public_token>/", respond.public, name="public"),
]

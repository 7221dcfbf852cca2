"""Respondent pages: short public paths, no login."""

from django.urls import path

from .respondent import public_page
from .views import respond

app_name = "respond"
urlpatterns: list = [
    # respond
    path("s/<str:token>/", public_page(respond.invitation), name="invitation"),
    path("s/<str:token>/opt-out/", public_page(respond.opt_out), name="opt_out"),
    path("p/<str:public_token>/", public_page(respond.public), name="public"),
]

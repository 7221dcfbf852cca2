from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever a page links; send them to the static icon.
    path("favicon.ico", views.favicon, name="favicon"),
]

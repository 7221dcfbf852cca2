from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("items/", views.items, name="items"),
    path("segments/", views.segments, name="segments"),
    path("teams/", views.teams, name="teams"),
    path("by/<slug:by>/", views.breakdown, name="breakdown"),
]

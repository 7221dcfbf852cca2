from django.urls import path

from . import views

app_name = "benchmarks"
urlpatterns = [
    path("", views.benchmark_list, name="list"),
    path("competitors/new/", views.competitor_create, name="competitor_create"),
    path("scores/new/", views.score_create, name="score_create"),
    path("scores/<int:pk>/edit/", views.score_edit, name="score_edit"),
]

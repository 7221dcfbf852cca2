from django.urls import path

from . import views

app_name = "improvement"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("new/", views.action_create, name="create"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/stage/", views.action_stage, name="stage"),
    path("<int:pk>/check/", views.action_check, name="check"),
]

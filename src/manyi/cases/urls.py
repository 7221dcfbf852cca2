from django.urls import path

from . import views, views_followup

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("figures/", views.case_figures, name="figures"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/entry/", views.case_entry, name="entry"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/assign/", views.case_assign, name="assign"),
    path("new/for/<int:pk>/", views.case_create, name="create"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("follow-ups/new/", views_followup.followup_new, name="followup_new"),
    path("follow-ups/<int:pk>/", views_followup.followup_detail, name="followup_detail"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]

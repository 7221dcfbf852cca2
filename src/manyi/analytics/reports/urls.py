from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("surveys/<int:pk>/", views.report, name="report"),
    path("surveys/<int:pk>/report.xlsx", views.report_xlsx_download, name="report_xlsx"),
    path("surveys/<int:pk>/report.pdf", views.report_pdf_download, name="report_pdf"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/new/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
]

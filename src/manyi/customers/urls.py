from django.urls import path

from .views import exports, imports, records

app_name = "customers"
urlpatterns = [
    path("", records.customer_list, name="list"),
    path("new/", records.customer_create, name="create"),
    path("<int:pk>/", records.customer_detail, name="detail"),
    path("<int:pk>/edit/", records.customer_edit, name="edit"),
    path("<int:pk>/interactions/new/", records.interaction_create, name="interaction_create"),
    path("interactions/", records.interaction_list, name="interactions"),
    path("interactions/<int:pk>/edit/", records.interaction_edit, name="interaction_edit"),
    # imports and exports
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", imports.import_errors, name="import_errors"),
    path("imports/<int:pk>/status.json", imports.import_status, name="import_status"),
    path("imports/<int:pk>/cancel/", imports.import_cancel_view, name="import_cancel"),
    path("imports/<int:pk>/resume/", imports.import_resume_view, name="import_resume"),
    path("imports/<int:pk>/file/", imports.import_file, name="import_file"),
    path("imports/template/<str:kind>.csv", imports.import_template, name="import_template"),
    path("export/<str:kind>.<str:fmt>", exports.export, name="export"),
]

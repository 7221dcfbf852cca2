from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("audit/", views.audit_list, name="audit"),
    path("contacts/<int:pk>/reveal/", views.contact_reveal, name="contact_reveal"),
    path("customers/<int:pk>/export.<str:fmt>", views.customer_export, name="customer_export"),
    path("customers/<int:pk>/erase/", views.customer_erase, name="customer_erase"),
]

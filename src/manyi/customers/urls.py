from django.urls import path

from .views import records

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
]

from django.urls import path

from . import views_behaviour

app_name = "behaviour"
urlpatterns = [
    path("", views_behaviour.indicators, name="indicators"),
    path("loyalty/", views_behaviour.satisfaction_loyalty, name="loyalty"),
]

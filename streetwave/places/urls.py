from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("places/cities.json", views.cities, name="cities"),
]

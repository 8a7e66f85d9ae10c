from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "streetwave.places"
    label = "places"

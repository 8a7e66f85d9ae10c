from django.urls import path

from .views import public

app_name = "core"

urlpatterns = [
    path("about/", public.about, name="about"),
]

from django.urls import path

from .views import public

app_name = "campaigns"

urlpatterns = [
    path("", public.home, name="home"),
    path("c/<slug:slug>/", public.detail, name="detail"),
    path("c/<slug:slug>/calendar.ics", public.calendar, name="calendar"),
]

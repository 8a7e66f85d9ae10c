from django.urls import path

from .views import public

app_name = "hubs"

urlpatterns = [
    path("h/<str:public_id>/", public.detail, name="detail"),
    path("h/<str:public_id>/calendar.ics", public.calendar, name="calendar"),
]

from django.urls import path

from .views import public

app_name = "actions"

urlpatterns = [
    path("a/<str:public_id>/", public.detail, name="detail"),
    path("a/<str:public_id>/rsvp/", public.rsvp, name="rsvp"),
    path("a/<str:public_id>/calendar.ics", public.calendar, name="calendar"),
    path("rsvp/<str:token>/", public.manage, name="manage"),
]

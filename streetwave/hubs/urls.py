from django.urls import path

from .views import manage, public

app_name = "hubs"

urlpatterns = [
    path("h/<str:public_id>/", public.detail, name="detail"),
    path("h/<str:public_id>/calendar.ics", public.calendar, name="calendar"),
    path("hubs/start/", public.start, name="start"),
    path("hubs/start/verify/<str:token>/", public.verify, name="verify"),
    path("manage/", manage.dashboard, name="dashboard"),
    path("manage/hubs/<str:public_id>/", manage.hub, name="manage_hub"),
    path("manage/hubs/<str:public_id>/invite/", manage.invite, name="invite"),
    path(
        "manage/hubs/<str:public_id>/members/<str:user_public_id>/remove/",
        manage.remove_member,
        name="remove_member",
    ),
    path("manage/proposals/<str:public_id>/", manage.proposal, name="proposal"),
    path("manage/campaigns/<slug:slug>/hubs/", manage.tree, name="tree"),
    path(
        "manage/campaigns/<slug:slug>/hubs/<str:public_id>/approve/",
        manage.approve,
        name="approve",
    ),
]

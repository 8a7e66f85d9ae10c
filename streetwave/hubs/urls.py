from django.urls import path

from .views import manage, public

app_name = "hubs"

urlpatterns = [
    path("h/<str:public_id>/", public.detail, name="detail"),
    path("h/<str:public_id>/calendar.ics", public.calendar, name="calendar"),
    path("hubs/start/", public.start, name="start"),
    path("hubs/start/verify/<str:token>/", public.verify, name="verify"),
    path("manage/", manage.dashboard, name="dashboard"),
    path("manage/account/close/", manage.close_account, name="close_account"),
    path("manage/hubs/<str:public_id>/", manage.hub, name="manage_hub"),
    path("manage/hubs/<str:public_id>/invite/", manage.invite, name="invite"),
    path(
        "manage/hubs/<str:public_id>/members/<str:user_public_id>/remove/",
        manage.remove_member,
        name="remove_member",
    ),
    path("manage/hubs/<str:public_id>/answer/<slug:slug>/", manage.answer_call, name="answer_call"),
    path("manage/proposals/<str:public_id>/", manage.proposal, name="proposal"),
    path("manage/campaigns/<slug:slug>/hubs/", manage.tree, name="tree"),
    path("manage/campaigns/<slug:slug>/hubs/new/", manage.founding_hub, name="manage_founding_hub"),
    path("manage/campaigns/<slug:slug>/answers/", manage.answers, name="manage_answers"),
    path(
        "manage/campaigns/<slug:slug>/answers/<str:public_id>/accept/",
        manage.accept_answer,
        name="accept_answer",
    ),
    path(
        "manage/campaigns/<slug:slug>/coordinators/",
        manage.coordinators,
        name="manage_coordinators",
    ),
    path(
        "manage/campaigns/<slug:slug>/coordinators/<str:user_public_id>/remove/",
        manage.remove_coordinator,
        name="remove_coordinator",
    ),
    path(
        "manage/campaigns/<slug:slug>/hubs/<str:public_id>/approve/",
        manage.approve,
        name="approve",
    ),
]

from django.urls import path

from .views import manage, public

app_name = "moderation"

urlpatterns = [
    # Anyone: report an action
    path("a/<str:public_id>/report/", public.report, name="report"),
    path("a/<str:public_id>/report/sent/", public.report_sent, name="report_sent"),
    # A hub lead: flag another hub
    path("h/<str:public_id>/flag/", manage.flag, name="flag"),
    # Coordinators of the campaign
    path("manage/campaigns/<slug:slug>/moderation/", manage.queue, name="queue"),
    path(
        "manage/campaigns/<slug:slug>/moderation/reports/<str:report_id>/handled/",
        manage.report_handled,
        name="report_handled",
    ),
    path(
        "manage/campaigns/<slug:slug>/moderation/actions/<str:action_id>/take-down/",
        manage.take_down,
        name="take_down",
    ),
    path(
        "manage/campaigns/<slug:slug>/moderation/hubs/<str:hub_id>/suspend/",
        manage.suspend,
        name="suspend",
    ),
    path(
        "manage/campaigns/<slug:slug>/moderation/hubs/<str:hub_id>/reinstate/",
        manage.reinstate,
        name="reinstate",
    ),
    path(
        "manage/campaigns/<slug:slug>/moderation/takedowns/<str:takedown_id>/approve/",
        manage.takedown_approve,
        name="takedown_approve",
    ),
    path(
        "manage/campaigns/<slug:slug>/moderation/takedowns/<str:takedown_id>/withdraw/",
        manage.takedown_withdraw,
        name="takedown_withdraw",
    ),
    path(
        "manage/campaigns/<slug:slug>/moderation/flags/<str:flag_id>/handled/",
        manage.flag_handled,
        name="flag_handled",
    ),
]

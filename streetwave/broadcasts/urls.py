from django.urls import path

from .views import manage, public

app_name = "broadcasts"

urlpatterns = [
    # Whoever holds the link in a broadcast's mail
    path("news/unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("news/confirm/<str:token>/", public.confirm_news, name="confirm_news"),
    # Coordinators of the campaign
    path(
        "manage/campaigns/<slug:slug>/broadcasts/",
        manage.campaign_broadcasts,
        name="manage_list",
    ),
    path("manage/campaigns/<slug:slug>/broadcasts/new/", manage.compose, name="manage_compose"),
    path(
        "manage/campaigns/<slug:slug>/broadcasts/<str:broadcast_id>/",
        manage.detail,
        name="manage_detail",
    ),
    path(
        "manage/campaigns/<slug:slug>/broadcasts/<str:broadcast_id>/approve/",
        manage.approve,
        name="manage_approve",
    ),
    path(
        "manage/campaigns/<slug:slug>/broadcasts/<str:broadcast_id>/cancel/",
        manage.cancel,
        name="manage_cancel",
    ),
    path("manage/campaigns/<slug:slug>/links/", manage.link_allowlist, name="manage_links"),
    # Leads and organizers of a hub that received them
    path("manage/hubs/<str:hub_id>/broadcasts/", manage.hub_broadcasts, name="hub_list"),
    path(
        "manage/hubs/<str:hub_id>/broadcasts/<str:broadcast_id>/",
        manage.hub_detail,
        name="hub_detail",
    ),
    path(
        "manage/hubs/<str:hub_id>/broadcasts/<str:broadcast_id>/acknowledge/",
        manage.acknowledge,
        name="acknowledge",
    ),
]

from django.urls import path

from streetwave.core.selfcontained import save_page

from .views import manage, public

app_name = "actions"

urlpatterns = [
    path("a/<str:public_id>/", public.detail, name="detail"),
    # The page as one file that loads nothing, to pass on where the site is blocked; offered on
    # the pages of actions inside high-risk countries.
    path("a/<str:public_id>/save/", save_page(public.detail), name="save"),
    path("a/<str:public_id>/rsvp/", public.rsvp, name="rsvp"),
    path("a/<str:public_id>/calendar.ics", public.calendar, name="calendar"),
    path("a/<str:public_id>/rsvp/sent/", public.rsvp_sent, name="rsvp_sent"),
    path("rsvp/<str:token>/", public.manage, name="manage"),
    path("rsvp/<str:token>/cancel/", public.cancel_rsvp, name="rsvp_cancel"),
    path("rsvp/<str:token>/erase/", public.erase_rsvp, name="rsvp_erase"),
    path("rsvp/<str:token>/data/", public.rsvp_data, name="rsvp_data"),
    path("rsvp/<str:token>/data.json", public.rsvp_data_json, name="rsvp_data_json"),
    path("rsvps/find/", public.find_rsvps, name="find_rsvps"),
    path("rsvps/erased/", public.rsvp_erased, name="rsvp_erased"),
    # Organizers of the action's hub
    path("manage/hubs/<str:hub_id>/actions/", manage.hub_actions, name="manage_hub_actions"),
    path("manage/hubs/<str:hub_id>/actions/new/", manage.create, name="manage_create"),
    path("manage/actions/<str:action_id>/", manage.overview, name="manage_overview"),
    path("manage/actions/<str:action_id>/edit/", manage.edit, name="manage_edit"),
    path("manage/actions/<str:action_id>/publish/", manage.publish, name="manage_publish"),
    path("manage/actions/<str:action_id>/preview/", manage.preview, name="manage_preview"),
    path("manage/actions/<str:action_id>/duplicate/", manage.duplicate, name="manage_duplicate"),
    path("manage/actions/<str:action_id>/cancel/", manage.cancel, name="manage_cancel"),
    path(
        "manage/changes/<str:change_id>/confirm/",
        manage.confirm_change,
        name="manage_change_confirm",
    ),
    path(
        "manage/changes/<str:change_id>/withdraw/",
        manage.withdraw_change,
        name="manage_change_withdraw",
    ),
    path("manage/actions/<str:action_id>/attendees/", manage.attendees, name="manage_attendees"),
    path("manage/actions/<str:action_id>/messages/", manage.relay, name="manage_messages"),
    path("manage/actions/<str:action_id>/emergency/", manage.emergency, name="manage_emergency"),
    path(
        "manage/messages/<str:message_id>/approve/",
        manage.approve_message,
        name="manage_message_approve",
    ),
    path(
        "manage/actions/<str:action_id>/exports/",
        manage.request_export,
        name="manage_export_request",
    ),
    path(
        "manage/exports/<str:export_id>/approve/",
        manage.approve_export,
        name="manage_export_approve",
    ),
    path(
        "manage/exports/<str:export_id>/download/",
        manage.download_export,
        name="manage_export_download",
    ),
    # Coordinators of the action's campaign
    path("manage/campaigns/<slug:slug>/approvals/", manage.approvals, name="manage_approvals"),
    path(
        "manage/campaigns/<slug:slug>/approvals/<str:action_id>/approve/",
        manage.approve,
        name="manage_approve",
    ),
    path(
        "manage/campaigns/<slug:slug>/approvals/<str:action_id>/reject/",
        manage.reject,
        name="manage_reject",
    ),
    path("manage/campaigns/<slug:slug>/counts/", manage.counts, name="manage_counts"),
]

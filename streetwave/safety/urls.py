from django.urls import path

from .views import manage, public, roles

app_name = "safety"

urlpatterns = [
    # Safety roles, offered by a supporter from their manage link (a secret link: `token`)
    path("rsvp/<str:token>/safety-roles/", roles.offer_roles, name="offer_roles"),
    # The action's organizers: its safety roles and their briefing
    path("manage/actions/<str:action_id>/safety/", roles.manage_roles, name="manage_roles"),
    path("manage/actions/<str:action_id>/safety/take/", roles.take_role, name="take_role"),
    path("manage/safety-roles/<str:role_id>/confirm/", roles.confirm_role, name="confirm_role"),
    path("manage/safety-roles/<str:role_id>/decline/", roles.decline_role, name="decline_role"),
    # The campaign's coordinators: the know-your-rights cards
    path("manage/campaigns/<slug:slug>/rights/", roles.manage_rights, name="manage_rights"),
    # Anyone at the action: report an incident, without an account
    path("a/<str:public_id>/incident/", public.report, name="report"),
    path("a/<str:public_id>/incident/sent/", public.report_sent, name="report_sent"),
    # A supporter, from their manage link (a secret link: the argument is `token`)
    path("rsvp/<str:token>/incident/", public.report_from_rsvp, name="rsvp_incident"),
    # The action's organizers: its incidents
    path(
        "manage/actions/<str:action_id>/incidents/",
        manage.action_incidents,
        name="action_incidents",
    ),
    path("manage/incidents/<str:incident_id>/", manage.incident, name="incident"),
    path(
        "manage/incidents/<str:incident_id>/photo.jpg",
        manage.incident_photo,
        name="incident_photo",
    ),
    path("manage/incidents/<str:incident_id>/notes/", manage.add_note, name="add_note"),
    path(
        "manage/incidents/<str:incident_id>/acknowledge/",
        manage.acknowledge,
        name="acknowledge",
    ),
    path("manage/incidents/<str:incident_id>/resolve/", manage.resolve, name="resolve"),
    # The campaign's safety desk
    path("manage/campaigns/<slug:slug>/safety/", manage.desk, name="desk"),
    path("manage/campaigns/<slug:slug>/safety/live/", manage.desk_live, name="desk_live"),
]

from django.urls import include, path

from .views import manage, public

app_name = "safety"

urlpatterns = [
    # Safety roles, briefings and know-your-rights cards
    path("", include("streetwave.safety.role_urls")),
    # Anyone at the action: report an incident, without an account
    path("a/<str:public_id>/incident/", public.report, name="report"),
    path("a/<str:public_id>/incident/sent/", public.report_sent, name="report_sent"),
    # A supporter, from their manage link (a secret link: the argument is `token`)
    path("rsvp/<str:token>/incident/", public.report_from_rsvp, name="rsvp_incident"),
    # The action's organizers
    path(
        "manage/actions/<str:action_id>/incidents/",
        manage.action_incidents,
        name="action_incidents",
    ),
    path("manage/incidents/<str:incident_id>/", manage.incident, name="incident"),
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

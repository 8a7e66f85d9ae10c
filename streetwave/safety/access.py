"""Fetch what a user may see, or answer 404: a missing incident and one the user may not touch
look exactly the same, as do a missing safety role and one of another hub. Every rule comes
from hubs.permissions."""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from streetwave.accounts.models import User
from streetwave.actions.access import get_public_action, get_rsvp_for_token
from streetwave.actions.models import RSVP, Action
from streetwave.campaigns.access import get_campaign_for
from streetwave.campaigns.models import Campaign
from streetwave.hubs.permissions import permissions_for, require

from .models import Incident, IncidentPhoto, SafetyRole

Asker = User | AnonymousUser


def get_action_to_report(public_id: str) -> Action:
    """A public action anyone may report an incident at (the service says whether it is open)."""
    return get_public_action(public_id)


def get_rsvp_to_report(token: str) -> RSVP:
    """The RSVP of a manage link, whose supporter reports an incident at its action."""
    return get_rsvp_for_token(token)


def get_action_incidents_for(user: Asker, public_id: str) -> tuple[Action, frozenset[str]]:
    """An action whose incidents the user may report or handle, with every permission they hold
    over it (the page shows the form, the list, or both)."""
    action = get_object_or_404(Action.objects.with_place(), public_id=public_id)
    permissions = permissions_for(user, action)
    if not {"can_report_incident", "can_handle_incident"} & permissions:
        raise Http404
    return action, permissions


def get_incident_for(user: Asker, public_id: str) -> Incident:
    """An incident, for whoever handles the incidents of its action."""
    incident: Incident = get_object_or_404(
        Incident.objects.select_related(
            "action",
            "action__hub",
            "action__campaign",
            "action__city",
            "action__city__country",
            "acknowledged_by",
            "resolved_by",
        ),
        public_id=public_id,
    )
    require(user, "can_handle_incident", incident.action)
    return incident


def get_incident_photo_for(user: Asker, incident_public_id: str) -> IncidentPhoto:
    """An incident's processed photo, for whoever handles the incidents of its action; 404
    for anyone else, and while it is processing or failed."""
    photo: IncidentPhoto = get_object_or_404(
        IncidentPhoto.objects.select_related("incident__action__hub", "incident__action__campaign"),
        incident__public_id=incident_public_id,
        state=IncidentPhoto.State.READY,
    )
    require(user, "can_handle_incident", photo.incident.action)
    return photo


def get_desk_for(user: Asker, slug: str) -> Campaign:
    """The campaign whose safety desk the user watches."""
    return get_campaign_for(user, slug, "can_view_safety_desk")


def get_safety_role_for(user: Asker, public_id: str) -> SafetyRole:
    """A role at an action of a hub where `user` may manage safety roles."""
    role: SafetyRole = get_object_or_404(
        SafetyRole.objects.select_related("action", "action__hub", "action__campaign"),
        public_id=public_id,
    )
    require(user, "can_manage_safety_roles", role.action)
    return role

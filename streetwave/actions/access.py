"""Fetch what a user may see, or answer 404: a missing object and one the user may not touch
look exactly the same. Every rule comes from hubs.permissions."""

import functools
from typing import Any, TypeVar

from django.http import Http404
from django.shortcuts import get_object_or_404

from streetwave.approvals.models import Approval
from streetwave.campaigns.access import get_campaign_for
from streetwave.core.access import get_for_link
from streetwave.hubs.permissions import (
    Asker,
    Permission,
    SecondPersonPermission,
    can,
    may_approve_as_second_person,
    may_handle_late_change,
    permissions_for,
    require,
)

from .models import RSVP, Action, ActionChange, ActionQuerySet, AttendeeExport, RelayMessage

# The rows about an action that a second person approves.
_Held = TypeVar("_Held", RelayMessage, AttendeeExport)


def get_public_action(public_id: str) -> Action:
    action: Action = get_object_or_404(
        Action.objects.public().with_place().with_risk(), public_id=public_id
    )
    return action


def get_removed_action(public_id: str) -> Action:
    """An action taken down by moderation: its page says so and shows nothing else of it."""
    action: Action = get_object_or_404(
        Action.objects.removed().select_related("campaign"), public_id=public_id
    )
    return action


def get_action_to_rsvp(public_id: str) -> Action:
    """A public action with only what an RSVP needs (its state, its counters' owners, its hub's
    id for the audit, its campaign's status and retention for the form): the API's RSVP path
    reads one narrow row, not the campaign's texts. An action that takes no RSVP now is still
    found when it is public, so that the RSVP is refused with the reason (over, cancelled,
    inside a high-risk country) rather than a 404."""
    try:
        return _taking_rsvps().get(public_id=public_id)
    except Action.DoesNotExist:
        action: Action = get_object_or_404(
            _narrow(Action.objects.public().with_risk()), public_id=public_id
        )
        return action


def _narrow(actions: "ActionQuerySet[Action]") -> "ActionQuerySet[Action]":
    return actions.select_related("hub", "campaign").only(
        "public_id",
        "status",
        "ends_at",
        "after_the_fact",
        "hub__public_id",
        "campaign__status",
        "campaign__rsvp_retention_days",
    )


@functools.cache
def _taking_rsvps() -> "ActionQuerySet[Action]":
    """Built once per process: building the filters of the rules cost the RSVP as much as
    compiling and running its query. It holds no time (`taking_rsvps` reads the database's
    clock), and each lookup filters a copy of it."""
    return _narrow(Action.objects.taking_rsvps())


def get_rsvp_for_token(token: str) -> RSVP:
    """The RSVP a manage link points to, whatever its status: a cancelled RSVP's link still
    says so and offers to RSVP again. A wrong or replaced link is a plain 404."""
    return get_for_link(
        RSVP.objects.select_related("action", "action__city__country", "action__hub"),
        token,
        field="manage_token_hash",
    )


def get_action_for(user: Asker, public_id: str, permission: Permission) -> Action:
    action: Action = get_object_or_404(Action.objects.with_place(), public_id=public_id)
    require(user, permission, action)
    return action


def get_action_with_permissions_for(
    user: Asker, public_id: str, permission: Permission
) -> tuple[Action, frozenset[str]]:
    """The action and every permission the user holds over it, for a page that shows parts by
    permission: one lookup of the user's roles instead of one per question."""
    action = get_object_or_404(Action.objects.with_place(), public_id=public_id)
    permissions = permissions_for(user, action)
    if permission not in permissions:
        raise Http404
    return action, permissions


def get_campaign_action_for(
    user: Asker, slug: str, public_id: str, permission: Permission
) -> Action:
    """An action of a campaign, for a coordinator whose authority comes from that campaign."""
    campaign = get_campaign_for(user, slug, permission)
    action: Action = get_object_or_404(
        Action.objects.with_place(), campaign=campaign, public_id=public_id
    )
    action.campaign = campaign
    return action


def _get_about_action_for(
    model: type[_Held], user: Asker, public_id: str, permission: Permission, **filters: Any
) -> _Held:
    """A row that belongs to an action (a change, a relay message, an export), 404 unless the
    user holds `permission` over that action."""
    row = get_object_or_404(
        model.objects.select_related("action", "action__hub", "action__campaign"),
        public_id=public_id,
        **filters,
    )
    require(user, permission, row.action)
    return row


def get_pending_change_for(user: Asker, public_id: str) -> ActionChange:
    """A held change, 404 unless `user` may see it: the hub's editors of the action, or its
    second person (a coordinator standing in for a missing second organizer)."""
    change = get_object_or_404(
        ActionChange.objects.select_related("action", "action__hub", "action__campaign"),
        public_id=public_id,
        approval=Approval.HELD,
    )
    if not may_handle_late_change(user, change.action, requester_id=change.requested_by_id):
        raise Http404
    return change


def _get_for_second_person(
    model: type[_Held],
    user: Asker,
    public_id: str,
    permission: SecondPersonPermission,
    **filters: Any,
) -> _Held:
    """A row about an action that a second person approves (a relay message, an export), 404
    unless `user` holds `permission` in the action's hub or is its second person (a coordinator
    standing in for a missing second organizer)."""
    row = get_object_or_404(
        model.objects.select_related("action", "action__hub", "action__campaign"),
        public_id=public_id,
        **filters,
    )
    if not (
        can(user, permission, row.action)
        or may_approve_as_second_person(
            user, permission, row.action, requester_id=row.requested_by_id
        )
    ):
        raise Http404
    return row


def get_held_message_for(user: Asker, public_id: str) -> RelayMessage:
    return _get_for_second_person(
        RelayMessage, user, public_id, "can_approve_relay_message", approval=Approval.HELD
    )


def get_export_to_approve_for(user: Asker, public_id: str) -> AttendeeExport:
    return _get_for_second_person(AttendeeExport, user, public_id, "can_approve_export")


def get_export_for(user: Asker, public_id: str, permission: Permission) -> AttendeeExport:
    return _get_about_action_for(AttendeeExport, user, public_id, permission)


def get_download_for(user: Asker, public_id: str) -> AttendeeExport:
    """An export only its requester may download, approved, unused and in time; anything else,
    including another organizer of the same hub, gets 404."""
    export = get_export_for(user, public_id, "can_request_export")
    if export.requested_by_id != user.pk or not export.is_downloadable():
        raise Http404
    return export

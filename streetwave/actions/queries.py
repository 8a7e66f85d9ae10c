"""The lists of actions that pages and the API show. One object for a user, or 404, is
`access.py`'s.

On the organizer dashboard: the items waiting for someone, and labels for the audit verbs of
actions. Registered with hubs.queries (imported at start-up by the hubs app); each source is one
query and shows only what the user may act on."""

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from streetwave.accounts.models import User
from streetwave.approvals.models import Approval
from streetwave.campaigns.models import Campaign
from streetwave.core.i18n import localize_digits
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import (
    Asker,
    SecondPersonPermission,
    held_to_approve,
    where,
)
from streetwave.hubs.queries import AUDIT_LABELS, PENDING_LIMIT, PendingItem, pending_source
from streetwave.places.search import EARTH_RADIUS_KM

from .models import (
    EXPORT_LINK_LIFETIME,
    RSVP,
    Action,
    ActionChange,
    ActionQuerySet,
    AttendeeExport,
    EmergencyNotice,
    RelayMessage,
)

# -- the public pages and the API ----------------------------------------------------------------


def public_changes(action: Action) -> list[ActionChange]:
    """The applied changes of time or place of a public action, newest first, for its page.
    An action that never moved (changed_at unset) costs no query."""
    if action.changed_at is None:
        return []
    changes = list(
        ActionChange.objects.filter(action=action, approval=Approval.APPROVED)
        .public()
        .only(
            "created_at",
            "approved_at",
            "action_id",
            "old_starts_at",
            "old_ends_at",
            "old_place",
            "new_starts_at",
            "new_ends_at",
            "new_place",
            "old_latitude",
            "old_longitude",
            "new_latitude",
            "new_longitude",
        )
    )
    for change in changes:
        change.action = action
    return changes


def latest_emergency_notice(action: Action) -> EmergencyNotice | None:
    """The newest emergency notice of a public action, for its page until the action ends;
    after the end, nothing (and no query)."""
    if timezone.now() >= action.ends_at:
        return None
    notice = (
        EmergencyNotice.objects.filter(action=action)
        .only("created_at", "body", "action_id")
        .order_by("-created_at", "-id")
        .first()
    )
    if notice is not None:
        notice.action = action
    return notice


def public_actions(
    *,
    campaign: str | None = None,
    country: str | None = None,
    city: int | None = None,
    phases: list[str] | None = None,
    near: tuple[float, float] | None = None,
) -> QuerySet[Action]:
    """Published, cancelled and completed actions for the API's list, filtered in the database
    (so that pages stay full and a cursor works as without filters): by campaign slug, country
    code, GeoNames id of the city and phase. With `near`, each row carries its `distance` in km
    from that point."""
    actions = Action.objects.public().with_place()
    if campaign:
        actions = actions.filter(campaign__slug=campaign)
    if country:
        actions = actions.filter(city__country__code=country.upper())
    if city is not None:
        actions = actions.filter(city__geonameid=city)
    if phases:
        actions = actions.in_phases(phases, timezone.now())
    if near is not None:
        actions = actions.annotate(distance=distance_km_from(*near))
    return actions


def distance_km_from(latitude: float, longitude: float) -> CombinedExpression:
    """The haversine of places.search.distance_km, in SQL (SQLite and PostgreSQL alike), so the
    database sorts and pages by distance and only one page of rows leaves it."""
    phi = math.radians(latitude)
    half_dphi = (Radians("latitude") - phi) / 2
    half_dlambda = (Radians("longitude") - math.radians(longitude)) / 2
    h = Power(Sin(half_dphi), 2) + math.cos(phi) * Cos(Radians("latitude")) * Power(
        Sin(half_dlambda), 2
    )
    return 2 * EARTH_RADIUS_KM * ASin(Least(Sqrt(h), Value(1.0)))


# -- the organizer pages ------------------------------------------------------------------------

# The latest exports, relay messages and emergency notices an action's pages list.
RECENT_ROWS = 20


def hub_actions(hub: Hub) -> QuerySet[Action]:
    """All of a hub's actions, in any status, the latest start first."""
    return (
        Action.objects.filter(hub=hub)
        .select_related("city", "campaign")
        .order_by("-starts_at", "-id")
    )


def held_change(action: Action) -> ActionChange | None:
    """The change of time or place of `action` that waits for a second person, if any."""
    change = (
        ActionChange.objects.filter(action=action, approval=Approval.HELD)
        .select_related("requested_by")
        .first()
    )
    if change is not None:
        change.action = action
    return change


def attendee_rows(action: Action) -> QuerySet[RSVP]:
    """The RSVPs of an action as its attendee list shows them: pseudonyms, never contacts."""
    return (
        RSVP.objects.filter(action=action)
        .only("public_id", "pseudonym", "status", "language", "created_at", "action_id")
        .order_by("created_at", "id")
    )


def recent_exports(action: Action) -> list[AttendeeExport]:
    return list(
        AttendeeExport.objects.filter(action=action).select_related("requested_by", "approved_by")[
            :RECENT_ROWS
        ]
    )


def recent_relay_messages(action: Action) -> QuerySet[RelayMessage]:
    return RelayMessage.objects.filter(action=action).select_related("requested_by", "approved_by")[
        :RECENT_ROWS
    ]


def recent_emergency_notices(action: Action) -> list[EmergencyNotice]:
    notices = list(
        EmergencyNotice.objects.filter(action=action).select_related("author")[:RECENT_ROWS]
    )
    for notice in notices:
        notice.action = action
    return notices


def counted_actions(campaign: Campaign) -> "ActionQuerySet[Action]":
    """The actions a campaign's counts add up: drafts are their hub's business; everything
    submitted or public is counted."""
    return Action.objects.filter(campaign=campaign).submitted()


@dataclass(frozen=True)
class ApprovalQueue:
    """What waits for a coordinator of a campaign: actions to approve, and the changes, relay
    messages and exports of hubs with no second organizer, which the coordinator approves."""

    actions: list[Action]
    changes: list[ActionChange]
    messages: list[RelayMessage]
    exports: list[AttendeeExport]


def approval_queue(user: Asker, campaign: Campaign) -> ApprovalQueue:
    def held(permission: SecondPersonPermission, model: Any, *related: str) -> list[Any]:
        rows = model.objects.filter(approval=Approval.HELD, action__campaign=campaign)
        return list(
            held_to_approve(user, permission, rows)
            .filter(by_coordinator=True)
            .select_related("action", "action__hub", "action__city", *related)
            .order_by("created_at", "id")
        )

    return ApprovalQueue(
        changes=held("can_confirm_late_change", ActionChange, "requested_by"),
        messages=held("can_approve_relay_message", RelayMessage),
        exports=held("can_approve_export", AttendeeExport),
        actions=list(
            Action.objects.pending_approval()
            .filter(campaign=campaign)
            .with_place()
            .with_hub_track_record()
            .order_by("updated_at", "id")
        ),
    )


# -- the organizer dashboard -------------------------------------------------------------------

AUDIT_LABELS.update(
    {
        "action.created": gettext_lazy("Action drafted"),
        "action.duplicated": gettext_lazy("Action drafted as a copy of another"),
        "action.updated": gettext_lazy("Action edited"),
        "action.submitted": gettext_lazy("Action submitted for approval"),
        "action.published": gettext_lazy("Action published"),
        "action.approved": gettext_lazy("Action approved by a coordinator"),
        "action.rejected": gettext_lazy("Action sent back by a coordinator"),
        "action.cancelled": gettext_lazy("Action cancelled"),
        "action.change_held": gettext_lazy("Change of time or place held for confirmation"),
        "action.change_applied": gettext_lazy("Time or place changed"),
        "action.change_confirmed": gettext_lazy("Change of time or place confirmed"),
        "action.change_withdrawn": gettext_lazy("Change of time or place withdrawn"),
        "action.emergency_notice_sent": gettext_lazy("Emergency notice sent"),
        "action.reminder_queued": gettext_lazy("Reminders sent to attendees"),
        "relay_message.sent": gettext_lazy("Message sent to attendees"),
        "relay_message.held": gettext_lazy("Message to attendees held for approval"),
        "relay_message.approved": gettext_lazy("Message to attendees approved and sent"),
        "attendee_export.requested": gettext_lazy("Attendee export requested"),
        "attendee_export.approved": gettext_lazy("Attendee export approved"),
        "attendee_export.downloaded": gettext_lazy("Attendee export downloaded"),
    }
)


@pending_source
def actions_to_approve(user: User) -> list[PendingItem]:
    """For coordinators: actions of their campaigns waiting for approval, except their own."""
    actions = (
        Action.objects.pending_approval()
        .filter(campaign__in=where(user, "can_approve_action").campaigns())
        .exclude(requested_by=user)
        .select_related("hub", "campaign")
        .order_by("updated_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_("%(hub)s asks to publish “%(title)s” in the campaign %(campaign)s.")
            % {"hub": action.hub.name, "title": action.title, "campaign": action.campaign.title},
            url=reverse("actions:manage_approvals", args=[action.campaign.slug])
            + f"#action-{action.public_id}",
            since=action.updated_at,
        )
        for action in actions
    ]


@pending_source
def changes_to_confirm(user: User) -> list[PendingItem]:
    """Late changes of time or place that someone else asked for and the user may confirm: as
    another organizer of the hub, or as a coordinator standing in where the hub has none."""
    return [
        PendingItem(
            text=_("A change of time or place of “%(title)s” waits for your confirmation.")
            % {"title": change.action.title},
            url=_second_person_url(change, "change")
            or reverse("actions:manage_overview", args=[change.action.public_id]),
            since=change.created_at,
        )
        for change in _held_for(user, "can_confirm_late_change", ActionChange)
    ]


def _held_for(user: User, permission: SecondPersonPermission, model: Any) -> list[Any]:
    """The oldest rows of `model` held for a second person that `user` may approve as one
    (see `held_to_approve`), with their action and its campaign."""
    rows = model.objects.filter(approval=Approval.HELD)
    return list(
        held_to_approve(user, permission, rows)
        .select_related("action", "action__campaign")
        .order_by("created_at", "id")[:PENDING_LIMIT]
    )


def _second_person_url(row: Any, anchor: str) -> str | None:
    """Where a coordinator standing in as the second person approves `row` (a held row from
    `held_to_approve`): the campaign's approval page; None for the hub's own organizers."""
    campaign = row.action.campaign
    if not row.by_coordinator or campaign is None:
        return None
    return reverse("actions:manage_approvals", args=[campaign.slug]) + f"#{anchor}-{row.public_id}"


@pending_source
def exports_to_approve(user: User) -> list[PendingItem]:
    """Attendee exports that someone else asked for and the user may approve: as another
    organizer of the hub, or as a coordinator standing in where the hub has none."""
    return [
        PendingItem(
            text=_("An export of the attendee list of “%(title)s” waits for your approval.")
            % {"title": export.action.title},
            url=_second_person_url(export, "export")
            or reverse("actions:manage_attendees", args=[export.action.public_id]) + "#exports",
            since=export.created_at,
        )
        for export in _held_for(user, "can_approve_export", AttendeeExport)
    ]


@pending_source
def exports_ready(user: User) -> list[PendingItem]:
    """For the organizer who asked: an approved export, while its download still works."""
    now = timezone.now()
    exports = (
        AttendeeExport.objects.filter(
            requested_by=user, used_at__isnull=True, approved_at__gt=now - EXPORT_LINK_LIFETIME
        )
        .select_related("action")
        .order_by("approved_at", "id")[:PENDING_LIMIT]
    )
    items = []
    for export in exports:
        minutes = export.minutes_left(now)
        items.append(
            PendingItem(
                text=ngettext(
                    "Your export of the attendee list of “%(title)s” is approved. Download it "
                    "within %(minutes)s minute.",
                    "Your export of the attendee list of “%(title)s” is approved. Download it "
                    "within %(minutes)s minutes.",
                    minutes,
                )
                % {"title": export.action.title, "minutes": localize_digits(minutes)},
                url=reverse("actions:manage_export_download", args=[export.public_id]),
                since=export.approved_at,
            )
        )
    return items


@pending_source
def messages_to_approve(user: User) -> list[PendingItem]:
    """Relay messages to many people that someone else wrote and the user may approve: as
    another organizer of the hub, or as a coordinator standing in where the hub has none."""
    return [
        PendingItem(
            text=_("A message to the attendees of “%(title)s” waits for your approval.")
            % {"title": message.action.title},
            url=_second_person_url(message, "message")
            or reverse("actions:manage_messages", args=[message.action.public_id]),
            since=message.created_at,
        )
        for message in _held_for(user, "can_approve_relay_message", RelayMessage)
    ]

"""Actions as their hub's organizers make them (create, edit, publish, cancel), and the approval
of actions by the coordinators of their campaign.

Publishing follows the campaign's approval policy: the action becomes public at once, or waits,
not public, for a coordinator. A hub is on probation until one of its actions has taken place,
so a newly vouched hub (or one run by an infiltrator) cannot put a fake action on the map
unseen.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from streetwave.accounts.models import User
from streetwave.approvals.models import APPROVAL_FIELDS, Approval
from streetwave.approvals.services import Decision, decide_held
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import is_high_risk_city
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.i18n import localize_digits
from streetwave.core.locking import lock
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import can
from streetwave.hubs.services import answer_call_before_planning
from streetwave.places.models import City
from streetwave.places.search import distance_km

from ..models import DEFAULT_REMINDER_LEAD, Action, ActionChange, hub_is_on_probation
from ..schedule import check_schedule
from .changes import (
    PUBLIC_FIELDS,
    apply_or_hold_change,
    is_late_meeting_point_change,
    withdraw_pending_changes,
)
from .notices import check_links, message_rsvps
from .reminders import schedule_messages
from .rsvps import promote_waitlisted

# A public point farther than this from the hub's city is almost surely a typing error.
MAX_POINT_DISTANCE_KM = 100

# What an edit may set besides the public time and place (those go through changes.py).
DETAIL_FIELDS = ["campaign", "kind", "title", "description", "meeting_point", "capacity"]
# When supporters are written to before the start (services/reminders.py).
LEAD_FIELDS = ["reveal_lead", "reminder_lead"]


class CampaignNotLive(DomainError):
    default_message = gettext_lazy("Only a live campaign takes new actions.")


class CampaignFixed(DomainError):
    default_message = gettext_lazy(
        "The campaign can be changed only while the action is a draft: its RSVPs count towards "
        "the campaign."
    )


class HubNotActive(DomainError):
    default_message = gettext_lazy(
        "Your hub is not active yet. Its actions can be published once it has been vouched for."
    )


class ProbationNeedsCampaign(DomainError):
    default_message = gettext_lazy(
        "Your hub is new: until one of its actions has taken place, its actions must belong to a "
        "campaign, whose coordinators approve them before they are published."
    )


class CityFixed(DomainError):
    default_message = gettext_lazy(
        "The city can be changed only while the action is a draft. Move the point within the "
        "city instead."
    )


class ActionClosed(Conflict):
    default_message = gettext_lazy("A cancelled or completed action can no longer be changed.")


class AnnouncedInside(DomainError):
    default_message = gettext_lazy(
        "Actions in this country are never announced in advance: it is high-risk for this "
        "campaign. Once an action has taken place, file it with “Report an action that happened” "
        "on your hub's list of actions."
    )


class FiledAfterTheFact(Conflict):
    default_message = gettext_lazy(
        "This action was reported after it happened: correct its report-back instead."
    )


def _check_not_inside(city: City, campaign: Campaign | None) -> None:
    """Nothing is announced in a high-risk country (campaigns.risk): its actions are filed only
    after they happened (reportbacks.services.afterwards)."""
    if is_high_risk_city(city, campaign):
        raise AnnouncedInside()


class NotADraft(Conflict):
    default_message = gettext_lazy("Only a draft can be published.")


class NotPublished(Conflict):
    default_message = gettext_lazy("Only a published action can be cancelled.")


@dataclass(frozen=True)
class ActionDetails:
    """Everything an organizer sets on an action. Times are aware datetimes."""

    campaign: Campaign | None
    kind: str
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    latitude: float
    longitude: float
    meeting_point: str
    capacity: int | None
    # How long before the start the meeting point is revealed and the second reminder sent;
    # None keeps what the action has (the model's default for a new one).
    reveal_lead: dt.timedelta | None = None
    reminder_lead: dt.timedelta | None = None
    # The city the action is counted in (a town near the hub's city, say); None: the hub's city
    # for a new action, the one it has for an edit.
    city: City | None = None

    @classmethod
    def of(cls, action: Action, **changes: Any) -> "ActionDetails":
        """What `action` has now, with `changes` on top."""
        fields = {
            "campaign": action.campaign,
            "kind": action.kind,
            "title": action.title,
            "description": action.description,
            "starts_at": action.starts_at,
            "ends_at": action.ends_at,
            "place": action.place,
            "latitude": action.latitude,
            "longitude": action.longitude,
            "meeting_point": action.meeting_point,
            "capacity": action.capacity,
            "reveal_lead": action.reveal_lead,
            "reminder_lead": action.reminder_lead,
            "city": action.city,
        }
        return cls(**{**fields, **changes})


def _same_minute(typed: dt.datetime, stored: dt.datetime) -> dt.datetime:
    """Forms work to the minute; an untouched time keeps its stored seconds, so that editing
    the title of an action stored with seconds is not a change of time."""
    return stored if typed == stored.replace(second=0, microsecond=0) else typed


def _check_point(details: ActionDetails, hub: Hub) -> None:
    city = hub.city
    distance = distance_km(city.latitude, city.longitude, details.latitude, details.longitude)
    if distance > MAX_POINT_DISTANCE_KM:
        raise DomainError(
            _("This point is %(distance)s km from %(city)s. Check the latitude and longitude.")
            % {"distance": localize_digits(round(distance)), "city": city.display_name()},
            field="latitude",
        )


def _check_links(details: ActionDetails) -> None:
    """What organizers type here reaches every supporter (the page, each mail, the calendar
    file): links only to the site and the campaign's allowed hosts, as in any message. A title
    changed to carry a phishing link would otherwise go to everyone going, from one person."""
    for field in ("title", "place", "description", "meeting_point"):
        check_links(getattr(details, field), details.campaign, field=field)


def _check_campaign_is_live(campaign: Campaign | None) -> None:
    if campaign is not None and campaign.status != Campaign.Status.LIVE:
        raise CampaignNotLive(field="campaign")


def _with_places(action: Action) -> QuerySet[Action]:
    return Action.objects.filter(pk=action.pk).select_related("hub", "city", "campaign")


def _locked(action: Action) -> Action:
    return lock(_with_places(action)).get()


def create_action(hub: Hub, details: ActionDetails, *, actor: User) -> Action:
    """A draft action of `hub`, in the hub's city or the one given. Nobody else sees it until it
    is published."""
    if not can(actor, "can_create_action", hub):
        raise NotAllowed()
    city = details.city or hub.city
    _check_not_inside(city, details.campaign)
    _check_campaign_is_live(details.campaign)
    check_schedule(
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        zone=city.zone,
        campaign=details.campaign,
    )
    _check_point(details, hub)
    _check_links(details)
    with transaction.atomic():
        answer_call_before_planning(hub, details.campaign, actor=actor)
        action = Action.objects.create(
            hub=hub,
            city=city,
            status=Action.Status.DRAFT,
            campaign=details.campaign,
            kind=details.kind,
            title=details.title,
            description=details.description,
            starts_at=details.starts_at,
            ends_at=details.ends_at,
            place=details.place,
            latitude=details.latitude,
            longitude=details.longitude,
            meeting_point=details.meeting_point,
            capacity=details.capacity,
            reveal_lead=details.reveal_lead or DEFAULT_REMINDER_LEAD,
            reminder_lead=details.reminder_lead or DEFAULT_REMINDER_LEAD,
        )
        record(
            "action.created",
            actor=actor,
            target=action,
            hub=hub,
            data={"campaign": details.campaign.public_id if details.campaign else None},
        )
    return action


def update_action(action: Action, details: ActionDetails, *, actor: User) -> ActionChange | None:
    """Apply an organizer's edit. Returns the change of public time or place it made on a
    published action, if any: pending (held for a second organizer) or already applied."""
    if not can(actor, "can_edit_action", action):
        raise NotAllowed()
    _check_point(details, action.hub)
    _check_links(details)
    with transaction.atomic():
        current = _locked(action)
        if current.after_the_fact:
            raise FiledAfterTheFact()
        _check_not_inside(details.city or current.city, details.campaign)
        if current.status in (
            Action.Status.CANCELLED,
            Action.Status.COMPLETED,
            Action.Status.NOT_HELD,
        ):
            raise ActionClosed()
        if details.campaign != current.campaign:
            if current.status != Action.Status.DRAFT:
                raise CampaignFixed(field="campaign")
            _check_campaign_is_live(details.campaign)
            answer_call_before_planning(current.hub, details.campaign, actor=actor)
        # A public action's city is in its RSVPs' mails and the campaign's counts of cities.
        new_city = details.city if details.city not in (None, current.city) else None
        if new_city is not None and current.status != Action.Status.DRAFT:
            raise CityFixed(field="city_name")
        starts_at = _same_minute(details.starts_at, current.starts_at)
        ends_at = _same_minute(details.ends_at, current.ends_at)
        moved = (starts_at, ends_at, details.place, details.latitude, details.longitude) != (
            current.starts_at,
            current.ends_at,
            current.place,
            current.latitude,
            current.longitude,
        )
        if moved or details.campaign != current.campaign:
            check_schedule(
                starts_at=starts_at,
                ends_at=ends_at,
                zone=current.zone,
                campaign=details.campaign,
                require_future=starts_at != current.starts_at,
            )
        if details.capacity is not None and details.capacity < current.going_count:
            raise DomainError(
                ngettext(
                    "%(going)s person is already going, so the capacity cannot be lower. "
                    "Ask them to cancel, or keep the capacity.",
                    "%(going)s people are already going, so the capacity cannot be lower. "
                    "Ask some of them to cancel, or keep the capacity.",
                    current.going_count,
                )
                % {"going": localize_digits(current.going_count)},
                field="capacity",
            )
        frees_seats = current.capacity is not None and (
            details.capacity is None or details.capacity > current.capacity
        )

        change = None
        update_fields: list[str] = []
        detail_fields = DETAIL_FIELDS
        # A new meeting point close to the start or after its reveal moves people as a new
        # place does: it waits for a second person with the change (services/changes.py).
        published = current.status == Action.Status.PUBLISHED
        late_meeting_point = (
            published
            and details.meeting_point != current.meeting_point
            and is_late_meeting_point_change(current, starts_at)
        )
        if published and (moved or late_meeting_point):
            change = apply_or_hold_change(
                current,
                starts_at=starts_at,
                ends_at=ends_at,
                place=details.place,
                latitude=details.latitude,
                longitude=details.longitude,
                meeting_point=details.meeting_point,
                actor=actor,
            )
            detail_fields = [name for name in DETAIL_FIELDS if name != "meeting_point"]
        elif moved:
            # Not public yet: nobody has RSVPed, nobody needs telling.
            current.starts_at, current.ends_at = starts_at, ends_at
            current.place = details.place
            current.latitude, current.longitude = details.latitude, details.longitude
            update_fields += PUBLIC_FIELDS
        update_fields = [*detail_fields, "updated_at", *update_fields]
        for name in detail_fields:
            setattr(current, name, getattr(details, name))
        if new_city is not None:
            current.city = new_city
            update_fields.append("city")
        for name in LEAD_FIELDS:
            if getattr(details, name) is not None:
                setattr(current, name, getattr(details, name))
                update_fields.append(name)
        current.save(update_fields=update_fields)
        # The leads may have changed: a reveal time moved into the past is mailed at once.
        schedule_messages(current)
        promoted = promote_waitlisted(current) if frees_seats else []
        record(
            "action.updated",
            actor=actor,
            target=current,
            hub=current.hub,
            data={
                "change": change.public_id if change else None,
                "promoted": len(promoted),
            },
        )
    return change


def _check_publishable(action: Action) -> None:
    """What must still hold when an action becomes public, whoever makes it so."""
    if not action.hub.is_active:
        raise HubNotActive()
    if action.after_the_fact:
        raise FiledAfterTheFact()
    _check_not_inside(action.city, action.campaign)
    _check_campaign_is_live(action.campaign)
    check_schedule(
        starts_at=action.starts_at,
        ends_at=action.ends_at,
        zone=action.zone,
        campaign=action.campaign,
    )


def publish_action(action: Action, *, actor: User) -> Action:
    """Make a draft public, or hold it for a second person, a coordinator of the campaign, when
    the campaign's approval policy says so (the one two-person rule, decided by
    `approve_action` or `reject_action`)."""
    if not can(actor, "can_publish_action", action):
        raise NotAllowed()
    with transaction.atomic():
        current = _locked(action)
        if current.status != Action.Status.DRAFT:
            raise NotADraft()
        _check_publishable(current)
        on_probation = hub_is_on_probation(current.hub)
        campaign = current.campaign
        if campaign is None and on_probation:
            raise ProbationNeedsCampaign()
        policy = campaign.approval_policy if campaign else Campaign.ApprovalPolicy.NONE
        needs_approval = policy == Campaign.ApprovalPolicy.ALL or (
            policy == Campaign.ApprovalPolicy.PROBATION and on_probation
        )
        current.status = Action.Status.PENDING if needs_approval else Action.Status.PUBLISHED
        current.approval = Approval.HELD if needs_approval else Approval.APPROVED
        current.requested_by = actor
        current.approved_by = current.approved_at = None
        current.withdrawn_by = current.withdrawn_at = None
        current.rejection_reason = ""
        current.save(update_fields=["status", "rejection_reason", *APPROVAL_FIELDS, "updated_at"])
        schedule_messages(current)
        record(
            "action.submitted" if needs_approval else "action.published",
            actor=actor,
            target=current,
            hub=current.hub,
            data={"policy": policy, "probation": on_probation},
        )
    return current


def _decide(
    action: Action, *, decision: Decision, actor: User, then: Callable[[Action], None]
) -> Action:
    return decide_held(
        _with_places(action),
        decision=decision,
        actor=actor,
        may=lambda row: row.campaign is not None and can(actor, "can_approve_action", row.campaign),
        verb="action.approved" if decision == "approve" else "action.rejected",
        # The reason is the coordinator's prose: it stays on the action, not in the log.
        audit=lambda row: {"target": row, "hub": row.hub},
        then=then,
    )


def approve_action(action: Action, *, actor: User) -> Action:
    """A coordinator of the campaign, not the one who submitted it, publishes a held action."""

    def publish(current: Action) -> None:
        _check_publishable(current)
        current.status = Action.Status.PUBLISHED
        current.save(update_fields=["status", *APPROVAL_FIELDS])
        schedule_messages(current)

    return _decide(action, decision="approve", actor=actor, then=publish)


def reject_action(action: Action, *, reason: str, actor: User) -> Action:
    """A coordinator sends a held action back to its hub as a draft, saying why."""

    def send_back(current: Action) -> None:
        current.status = Action.Status.DRAFT
        current.rejection_reason = reason
        current.save(update_fields=["status", "rejection_reason", *APPROVAL_FIELDS])

    return _decide(action, decision="withdraw", actor=actor, then=send_back)


def cancel_action(action: Action, *, actor: User) -> Action:
    """Call a published action off: the page says so and every live RSVP with a contact is
    told. RSVPs keep their status, so the counts still say how many had planned to come."""
    if not can(actor, "can_cancel_action", action):
        raise NotAllowed()
    with transaction.atomic():
        current = _locked(action)
        if current.status != Action.Status.PUBLISHED:
            raise NotPublished()
        withdrawn = withdraw_pending_changes(current, actor=actor)
        current.status = Action.Status.CANCELLED
        current.save(update_fields=["status", "updated_at"])
        schedule_messages(current)
        notified = message_rsvps(current, "action.cancelled")
        record(
            "action.cancelled",
            actor=actor,
            target=current,
            hub=current.hub,
            data={"notified": notified, "changes_withdrawn": withdrawn},
        )
    return current

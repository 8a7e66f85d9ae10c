"""Duplicate an action: a hub that holds a vigil every week plans the next one from the last."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import NotAllowed
from streetwave.hubs.permissions import can

from ..models import Action

# The copy starts a whole number of weeks after the original, the same weekday and local time,
# the first such start in the future: the organizer then picks the real date in the form.
COPY_STEP = dt.timedelta(weeks=1)


def _next_start(action: Action, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = action.zone
    local_start = timezone.localtime(action.starts_at, zone)
    duration = action.ends_at - action.starts_at
    day = local_start.date() + COPY_STEP
    while True:
        # The wall-clock time of the original in the city, across daylight saving time.
        start = dt.datetime.combine(day, local_start.time().replace(tzinfo=None), tzinfo=zone)
        if start > now:
            return start.astimezone(dt.UTC), start.astimezone(dt.UTC) + duration
        day += COPY_STEP


def duplicate_action(action: Action, *, actor) -> Action:
    """A new draft of the same hub with the original's texts, place and settings, a week (or
    more) later; no RSVPs, no counters, no changes, nothing sent. It stays in the original's
    campaign while that campaign is live."""
    if not can(actor, "can_create_action", action.hub):
        raise NotAllowed()
    starts_at, ends_at = _next_start(action, timezone.now())
    campaign = action.campaign
    if campaign is not None and campaign.status != Campaign.Status.LIVE:
        campaign = None
    with transaction.atomic():
        copy = Action.objects.create(
            hub=action.hub,
            campaign=campaign,
            city=action.city,
            status=Action.Status.DRAFT,
            kind=action.kind,
            title=action.title,
            description=action.description,
            starts_at=starts_at,
            ends_at=ends_at,
            place=action.place,
            latitude=action.latitude,
            longitude=action.longitude,
            meeting_point=action.meeting_point,
            capacity=action.capacity,
            reveal_lead=action.reveal_lead,
            reminder_lead=action.reminder_lead,
        )
        record(
            "action.duplicated",
            actor=actor,
            target=copy,
            hub=action.hub,
            data={"from": action.public_id},
        )
    return copy

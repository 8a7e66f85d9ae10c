"""Duplicate an action: a hub that holds a vigil every week plans the next one from the last."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from streetwave.accounts.models import User
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign

from ..models import Action
from .actions import ActionDetails, create_action

# The copy starts a whole number of weeks after the original (none while it is still ahead), the
# same weekday and local time, the first such start in the future: the organizer then picks the
# real date in the form.
COPY_STEP = dt.timedelta(weeks=1)


def _next_start(action: Action, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = action.zone
    local_start = timezone.localtime(action.starts_at, zone)
    duration = action.ends_at - action.starts_at
    day = local_start.date()
    while True:
        # The wall-clock time of the original in the city, across daylight saving time.
        start = dt.datetime.combine(day, local_start.time().replace(tzinfo=None), tzinfo=zone)
        if start > now:
            return start.astimezone(dt.UTC), start.astimezone(dt.UTC) + duration
        day += COPY_STEP


def _campaign_for_copy(
    action: Action, starts_at: dt.datetime, ends_at: dt.datetime
) -> Campaign | None:
    """The original's campaign, while it is live and its window holds the copy's time."""
    campaign = action.campaign
    if campaign is None or campaign.status != Campaign.Status.LIVE:
        return None
    return campaign if campaign.starts_at <= starts_at and ends_at <= campaign.ends_at else None


def duplicate_action(action: Action, *, actor: User) -> Action:
    """A new draft of the same hub with the original's texts, place and settings, at its local
    time on the first day ahead, whole weeks from the original (the same day when it is still
    ahead); no RSVPs, no counters, no changes, nothing sent. It stays in the original's campaign
    while that campaign is live and its window holds the copy. The draft is made as any other,
    by create_action, with its checks."""
    starts_at, ends_at = _next_start(action, timezone.now())
    details = ActionDetails.of(
        action,
        starts_at=starts_at,
        ends_at=ends_at,
        campaign=_campaign_for_copy(action, starts_at, ends_at),
    )
    with transaction.atomic():
        copy = create_action(action.hub, details, actor=actor)
        record(
            "action.duplicated",
            actor=actor,
            target=copy,
            hub=action.hub,
            data={"from": action.public_id},
        )
    return copy

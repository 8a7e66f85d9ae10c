"""What actions and RSVPs keep about people (the data map: streetwave/core/datamap.py)."""

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from streetwave.campaigns.models import Campaign
from streetwave.core.datamap import ModelMap, Owned, Personal, register

from .models import RSVP, Action, ActionChange, EmergencyNotice, RelayMessage


def _rsvps_past_their_time(now: dt.datetime) -> QuerySet[RSVP]:
    """RSVPs whose action ended its campaign's `rsvp_retention_days` ago or more
    (RSVP_RETENTION_DAYS outside any campaign) and that still hold something personal."""
    # One cutoff per retention period in use: campaigns are few, so this is a short filter.
    periods = set(
        Campaign.objects.filter(actions__isnull=False)
        .values_list("rsvp_retention_days", flat=True)
        .distinct()
    )
    due = Q(action__campaign__isnull=True) & Q(
        action__ends_at__lt=now - dt.timedelta(days=settings.RSVP_RETENTION_DAYS)
    )
    for days in periods:
        due |= Q(
            action__campaign__rsvp_retention_days=days,
            action__ends_at__lt=now - dt.timedelta(days=days),
        )
    return RSVP.objects.filter(due).exclude(pseudonym="", contact_index="")


_PUBLIC_PLACE = _("the public place of a public action")

register(
    ModelMap(
        RSVP,
        fields=[
            Personal(
                "pseudonym",
                _("name or nickname"),
                _("the organizers of the action's own hub"),
            ),
            Personal("contact", _("email address"), _("nobody: encrypted, used only to mail")),
            Personal(
                "contact_index",
                _("keyed hash of the email address"),
                _("nobody: finds duplicates without decrypting"),
                exported=False,
            ),
        ],
        not_personal={
            "consent_version": _("which consent text was agreed to, the same for everyone"),
        },
        lives=_(
            "the campaign's RSVP retention days after the action ends (RSVP_RETENTION_DAYS, "
            "30, outside a campaign); status and counts stay"
        ),
        expires=_rsvps_past_their_time,
        owners={"rsvp": Owned("pk")},
    ),
    ModelMap(
        Action,
        not_personal={
            "title": _("public: an action's title"),
            "description": _("public: an action's description"),
            "place": _PUBLIC_PLACE,
            "meeting_point": _("the meeting point of an action, revealed to those going"),
            "rejection_reason": _("a coordinator's reason about the action, not a person"),
        },
    ),
    ModelMap(
        ActionChange,
        not_personal={
            "old_place": _PUBLIC_PLACE,
            "new_place": _PUBLIC_PLACE,
            "old_meeting_point": _("an action's meeting point before a change"),
            "new_meeting_point": _("an action's meeting point after a change"),
        },
    ),
    ModelMap(
        RelayMessage,
        not_personal={
            "body": _("an organizer's message to all the action's supporters; names nobody"),
        },
    ),
    ModelMap(
        EmergencyNotice,
        not_personal={"body": _("public: an urgent notice on the action's page")},
    ),
)

"""What the outbox keeps about people: who got which message, never an address (the data map:
streetwave/core/datamap.py)."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, Owned, Personal, register

from .models import Delivery, Message


def _finished_messages_past_their_time(now: dt.datetime) -> QuerySet[Message]:
    """Messages older than OUTBOX_RETENTION_DAYS whose deliveries are all done: which RSVP got
    which message is not kept longer than the RSVP's own personal data."""
    cutoff = now - dt.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    unfinished = Delivery.objects.filter(
        message=OuterRef("pk"), status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    return Message.objects.filter(created_at__lt=cutoff).exclude(Exists(unfinished))


def _deliveries_to_rsvp(pk: int) -> Q:
    return Q(recipient=f"rsvp:{pk}")


register(
    ModelMap(
        Message,
        not_personal={
            "kind": _("which mail it is"),
            "key": _("ids that keep a message from being queued twice"),
            "data": _("the ids its renderer needs, never an address"),
        },
        lives=_("deleted with its deliveries OUTBOX_RETENTION_DAYS (30) after it was queued"),
        expires=_finished_messages_past_their_time,
        erase="delete",
    ),
    ModelMap(
        Delivery,
        fields=[
            Personal(
                "secret",
                _("the manage link of a mail on its way"),
                _("nobody: encrypted, read only to render the mail"),
                exported=False,
                lives=_("erased as soon as the delivery is sent, skipped or failed"),
            ),
        ],
        not_personal={
            "recipient": _('which row it goes to ("rsvp:<id>"), never an address'),
            "channel": _("how it is sent"),
            "last_error": _("an error's kind and SMTP code, never the server's text"),
            "claim": _("which worker is sending it"),
        },
        lives=_("deleted with its message"),
        erase="delete",
        owners={"rsvp": Owned(_deliveries_to_rsvp)},
    ),
)

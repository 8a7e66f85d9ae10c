"""What supporters do with their own data: find their RSVPs by their address, download
everything kept about an RSVP, erase it at once.

Supporters have no account: an RSVP is reached by its manage link only, and the links of all
the RSVPs of one address are mailed to that address only, so nobody learns from the answer
whether an address has RSVPed (DESIGN privacy rule 3).
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from streetwave.audit.services import record
from streetwave.core import ratelimit
from streetwave.core.crypto import blind_index
from streetwave.core.ids import hash_token, new_token
from streetwave.core.locking import lock
from streetwave.outbox.services import queue_message, recipient

from ..models import RSVP
from .rsvps import Supporter, cancel_rsvp

# Mails of links to one address: a few per hour, whoever asks. Past it, nothing is sent and the
# page says the same as always, so a stranger cannot flood an address nor rotate its links often.
LINKS_PER_ADDRESS = 3
LINKS_WINDOW_SECONDS = 3600
# Requests of the page per client network per minute, whatever the address.
LINKS_PER_CLIENT = 5


def rsvps_of_address(index: str) -> list[int]:
    """The ids of every RSVP that still holds the address with this blind index, newest first:
    live, cancelled or attended, since each holds data its owner may download or erase."""
    if not index:
        return []
    return list(
        RSVP.objects.filter(contact_index=index)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )


def mail_rsvp_links(email: str, *, language: str) -> bool:
    """Queue one mail to `email` listing the manage links of its RSVPs, in `language`. Returns
    whether a mail was queued; the caller must not tell anyone (the page's answer is the same).
    The links are made when the mail is rendered (`mails.render_links`): only token hashes are
    kept, so each RSVP gets a new token then and its earlier link stops working."""
    index = blind_index(email)
    if not ratelimit.allow_key(
        "rsvp-links", index, limit=LINKS_PER_ADDRESS, window=LINKS_WINDOW_SECONDS
    ):
        return False
    with transaction.atomic():
        rsvps = rsvps_of_address(index)
        if not rsvps:
            return False
        # To the newest RSVP's address (the same for all); the renderer reads the list again.
        queue_message(
            "rsvp.links",
            [recipient("rsvp", rsvps[0])],
            data={"rsvps": rsvps, "language": language},
        )
        record("rsvp.links_mailed", data={"count": len(rsvps)})
    return True


def mint_manage_tokens(rsvp_ids: list[int]) -> str:
    """New manage tokens for these RSVPs, their hashes stored; returns {id: token} as JSON (the
    secret an outbox delivery keeps until it is sent)."""
    tokens: dict[str, str] = {}
    for pk in rsvp_ids:
        token = new_token()
        RSVP.objects.filter(pk=pk).update(manage_token_hash=hash_token(token))
        tokens[str(pk)] = token
    return json.dumps(tokens)


@dataclass(frozen=True)
class Item:
    """One thing kept about an RSVP: its key in the JSON download, its label on the page."""

    key: str
    label: str
    value: Any


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


def rsvp_data(rsvp: RSVP) -> list[Item]:
    """Everything kept about this RSVP, as its owner may download it. Whether they reported an
    incident is not told (docs/privacy.md: the reporter's RSVP is in no page, mail or export)."""
    action = rsvp.action
    safety_role: Any = apps.get_model("safety", "SafetyRole")
    roles = [
        {"kind": role.kind, "label": str(role.get_kind_display()), "state": role.state}
        for role in safety_role.objects.filter(rsvp=rsvp).order_by("kind")
    ]
    return [
        Item("action", str(_("action")), action.public_id),
        Item("action_title", str(_("action's title")), action.title),
        Item("pseudonym", str(RSVP._meta.get_field("pseudonym").verbose_name), rsvp.pseudonym),
        Item("email", str(RSVP._meta.get_field("contact").verbose_name), rsvp.contact),
        Item("language", str(RSVP._meta.get_field("language").verbose_name), rsvp.language),
        Item("status", str(RSVP._meta.get_field("status").verbose_name), rsvp.status),
        Item(
            "campaign_news",
            str(RSVP._meta.get_field("campaign_news").verbose_name),
            rsvp.campaign_news,
        ),
        Item("consent_version", str(_("version of the consent text")), rsvp.consent_version),
        Item("created_at", str(_("RSVPed at")), _iso(rsvp.created_at)),
        Item("updated_at", str(_("last changed at")), _iso(rsvp.updated_at)),
        Item("safety_roles", str(_("safety roles offered")), roles),
    ]


def rsvp_data_json(rsvp: RSVP) -> dict[str, Any]:
    return {item.key: item.value for item in rsvp_data(rsvp)}


def erase_rsvp(rsvp: RSVP, *, actor: Supporter = None) -> RSVP:
    """Erase a supporter's RSVP at once, at their request: a live one is cancelled first (its
    seat freed, the counters moved as for any cancel), then its personal fields are blanked and
    its manage link replaced by one nobody has, so the link is dead. The row stays, nameless,
    so that the counts stay right; an incident it reported is left without a reporter."""
    with transaction.atomic():
        current = lock(RSVP.objects.filter(pk=rsvp.pk)).select_related("action__hub").get()
        was = current.status
        if current.is_live:
            current = cancel_rsvp(current, actor=actor)
        current.pseudonym = ""
        current.contact = ""
        current.contact_index = ""
        current.campaign_news = False
        current.manage_token_hash = hash_token(new_token())
        current.save(
            update_fields=[
                "pseudonym",
                "contact",
                "contact_index",
                "campaign_news",
                "manage_token_hash",
                "updated_at",
            ]
        )
        # Safety sits above actions: named, not imported.
        apps.get_model("safety", "Incident").objects.filter(reporter_rsvp=current).update(
            reporter_rsvp=None
        )
        action = current.action
        record("rsvp.erased", actor=actor, target=action, hub=action.hub, data={"was": was})
    return current

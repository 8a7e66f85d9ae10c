"""What supporters do with their own data: find their RSVPs by their address, download
everything kept about an RSVP, erase it at once.

Supporters have no account: an RSVP is reached by its manage link only, and the links of all
the RSVPs of one address are mailed to that address only, so nobody learns from the answer
whether an address has RSVPed (DESIGN privacy rule 3).
"""

import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from streetwave.audit.services import record
from streetwave.core import datamap, ratelimit
from streetwave.core.crypto import blind_index
from streetwave.core.ids import hash_token, new_token
from streetwave.core.locking import lock
from streetwave.outbox.services import queue_message, recipient

from ..models import RSVP
from .rsvps import Supporter, cancel_rsvp, replay_key

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
class RSVPData:
    """Everything kept about one RSVP, as its owner downloads it: the RSVP's own row (which
    action, in what state) and, from the data map, every personal field held about it, in
    whichever model (`core.datamap.collect`: the map says what is personal and its label)."""

    rsvp: RSVP
    sections: list[datamap.Section]

    def as_json(self) -> dict[str, Any]:
        rsvp = self.rsvp
        return {
            "rsvp": {
                "action": rsvp.action.public_id,
                "action_title": rsvp.action.title,
                "status": rsvp.status,
                "language": rsvp.language,
                "campaign_news": rsvp.campaign_news,
                "consent_version": rsvp.consent_version,
                "created_at": rsvp.created_at.isoformat(),
                "updated_at": rsvp.updated_at.isoformat(),
            },
            "personal_data": [
                {
                    "model": section.model_map.label,
                    "title": section.title,
                    "rows": [{str(label): value for label, value in row} for row in section.rows],
                }
                for section in self.sections
            ],
        }


def rsvp_data(rsvp: RSVP) -> RSVPData:
    """Everything kept about this RSVP, its labels in the supporter's language. Whether they
    reported an incident is not told: the map exports no reporter (docs/privacy.md)."""
    with translation.override(rsvp.language):
        sections = datamap.collect("rsvp", rsvp.pk)
        # The labels are lazy: made into text while the supporter's language is on.
        for section in sections:
            section.rows[:] = [
                [(str(label), value) for label, value in row] for row in section.rows
            ]
    return RSVPData(rsvp=rsvp, sections=sections)


def erase_rsvp(rsvp: RSVP, *, actor: Supporter = None) -> RSVP:
    """Erase a supporter's RSVP at once, at their request: a live one is cancelled first (its
    seat freed, the counters moved as for any cancel), then everything the data map holds about
    it is erased (`core.datamap.erase_owned`: its own personal fields blanked, its safety role
    offers and mails deleted, an incident it reported left without a reporter) and its manage
    link replaced by one nobody has, so the link is dead. The row stays, nameless, so that the
    counts stay right."""
    with transaction.atomic():
        current = lock(RSVP.objects.filter(pk=rsvp.pk)).select_related("action__hub").get()
        was = current.status
        if current.is_live:
            current = cancel_rsvp(current, actor=actor)
        if current.contact_index:
            # A resend within a few seconds is known by the address's blind index, in the cache.
            cache.delete(replay_key(current.action_id, current.contact_index))
        erased = datamap.erase_owned("rsvp", current.pk, now=timezone.now())
        # Not personal data, but what the address agreed to and the way back to the row.
        RSVP.objects.filter(pk=current.pk).update(
            campaign_news=False, manage_token_hash=hash_token(new_token())
        )
        action = current.action
        record(
            "rsvp.erased",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"was": was, "erased": erased},
        )
    current.refresh_from_db()
    return current

"""Emergency notices: an organizer tells everyone going, at once, that something on the street
changed ("the police closed the square: stay together, wait for the marshals"). A notice cannot
send people to another place: moving them is a held change (services/changes.py)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetwave.accounts.models import User
from streetwave.audit.services import record
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.i18n import localize_digits
from streetwave.core.locking import lock
from streetwave.hubs.permissions import can

from ..models import RSVP, Action, EmergencyNotice
from ..notice_places import names_a_new_place
from .notices import check_links, message_rsvps

# Short enough to read on a phone in a crowd.
MAX_NOTICE_LENGTH = 1000


class NoticeClosed(Conflict):
    default_message = gettext_lazy(
        "An emergency notice can be sent only for a published action that has not ended."
    )


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise DomainError(_("Write the notice."), field="body")
    if len(body) > MAX_NOTICE_LENGTH:
        raise DomainError(
            _(
                "The notice can be at most %(limit)s characters long; this one has %(length)s. "
                "Keep it short: people read it on a phone in the street."
            )
            % {"limit": localize_digits(MAX_NOTICE_LENGTH), "length": localize_digits(len(body))},
            field="body",
        )
    return body


def _check_moves_nobody(body: str) -> None:
    """A notice may say what happens where people are, never send them elsewhere: that is a
    change of place or meeting point, which waits for a second person. Without this, one stolen
    account could send a whole crowd somewhere else in a minute."""
    found = names_a_new_place(body)
    if found is not None:
        raise DomainError(
            _(
                "An emergency notice cannot send people to another place, and this one seems to "
                "(“%(found)s”: a link, coordinates or words that move people). To move the place "
                "or the meeting point, change it on the action's edit page: a second person "
                "confirms it, then the people going are told. A notice can still say what is "
                "happening where people are."
            )
            % {"found": found},
            field="body",
        )


def send_emergency_notice(action: Action, *, body: str, actor: User) -> EmergencyNotice:
    """Mail `body` to everyone going who left an address and show it on the action's public page
    until the action ends.

    Unlike a relay message to many people, a notice is never held for a second organizer: it is
    sent when the street changes, and minutes matter more than a second opinion. A forged notice
    (a phished or infiltrated account) cannot hide: the public page shows the latest notice to
    everyone, the mail tells people to check the page, and the audit log names the sender.
    Links are limited to the site and the campaign's allowlist as in every message to many.
    What sends people elsewhere is refused (`_check_moves_nobody`): a notice cannot move people.
    """
    if not can(actor, "can_send_emergency_notice", action):
        raise NotAllowed()
    body = _check_body(body)
    check_links(body, action.campaign)
    _check_moves_nobody(body)
    with transaction.atomic():
        current = (
            lock(Action.objects.filter(pk=action.pk))
            .select_related("hub", "city", "campaign")
            .get()
        )
        if current.status != Action.Status.PUBLISHED or timezone.now() >= current.ends_at:
            raise NoticeClosed()
        notice = EmergencyNotice.objects.create(action=current, author=actor, body=body)
        notice.recipient_count = message_rsvps(
            current, "action.emergency", statuses=[RSVP.Status.GOING], notice=notice.pk
        )
        notice.save(update_fields=["recipient_count", "updated_at"])
        # Counts only: the text is on the public page, but the log keeps no prose.
        record(
            "action.emergency_notice_sent",
            actor=actor,
            target=current,
            hub=current.hub,
            data={"notice": notice.public_id, "recipients": notice.recipient_count},
        )
    return notice

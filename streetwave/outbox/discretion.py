"""Mail to people at risk says nothing but a link (docs/privacy.md, "High-risk countries").

The mailbox of a member of a hub in a high-risk country may be read: by a provider that answers
to their state, or on a phone taken from them. Whatever a renderer wrote for such a recipient,
the outbox sends in its place one discreet mail in their language, "Something needs you on
Streetwave", carrying the mail's own link (the last one Streetwave built in it: every mail ends
with the page it is about) and nothing else: no hub, city, action or person, in the subject or
the text, and no attachment. One mechanism for every mail kind, applied after rendering
(`services._render`): a renderer cannot forget it.

Apps above the outbox say who those recipients are, per kind of recipient row
(`@discreet_recipients("user")`): a function taking row ids and returning the language of each
row whose mail must be discreet. A mail kind that names no hub, place, action or person by
construction (the new sign-in notice, which names a browser and a time) is registered with
`renderer(kind, discreet=True)` and sent as rendered; a test renders every kind to such a
recipient and looks for the hub in it.
"""

from collections.abc import Callable, Iterable

from streetwave.core.mail import own_links, render_mail

from .channels import Envelope
from .models import Delivery

# Row ids -> {row id: language} of the rows whose mail must be discreet.
DiscretionCheck = Callable[[list[int]], dict[int, str]]
CHECKS: dict[str, DiscretionCheck] = {}
# Mail kinds that name no hub, place, action or person by construction.
DISCREET_KINDS: set[str] = set()


def discreet_recipients(kind: str) -> Callable[[DiscretionCheck], DiscretionCheck]:
    """Register the check for recipients named "<kind>:<row id>" (use as a decorator)."""

    def register(check: DiscretionCheck) -> DiscretionCheck:
        CHECKS[kind] = check
        return check

    return register


def _languages(deliveries: Iterable[Delivery]) -> dict[int, str]:
    """{delivery id: language} for the deliveries whose recipient must get a discreet mail."""
    by_kind: dict[str, dict[int, int]] = {}
    for delivery in deliveries:
        kind, _, row = delivery.recipient.partition(":")
        if kind in CHECKS and row.isdigit():
            by_kind.setdefault(kind, {})[delivery.pk] = int(row)
    languages: dict[int, str] = {}
    for kind, rows in by_kind.items():
        found = CHECKS[kind](sorted(set(rows.values())))
        languages |= {pk: found[row] for pk, row in rows.items() if row in found}
    return languages


def discreet_mail(envelope: Envelope, *, language: str) -> Envelope:
    """The mail sent in place of `envelope`: the same address, its last link, nothing more."""
    links = own_links(envelope.mail.text)
    mail = render_mail(
        "outbox/mail/discreet", {"link": links[-1] if links else ""}, language=language
    )
    return Envelope(to=envelope.to, mail=mail)


def make_discreet(
    kind: str, deliveries: list[Delivery], envelopes: dict[int, Envelope]
) -> dict[int, Envelope]:
    """`envelopes` (by delivery id) of one message of `kind`, the discreet mail in place of
    each one to a recipient at risk."""
    if kind in DISCREET_KINDS or not envelopes:
        return envelopes
    languages = _languages(delivery for delivery in deliveries if delivery.pk in envelopes)
    return {
        pk: discreet_mail(envelope, language=languages[pk]) if pk in languages else envelope
        for pk, envelope in envelopes.items()
    }

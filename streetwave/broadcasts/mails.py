"""How the outbox renders a broadcast (kind "broadcast") for each recipient.

The text is the recipient's language if the broadcast has it, else the campaign's first
language that has one, else any; the mail around it (greeting, footer, links) is always in the
recipient's language. Recipients are looked up again when the mail is rendered: a supporter who
withdrew from the campaign's news, cancelled or was erased meanwhile, and an organizer no longer
in a hub of the campaign (removed, perhaps for a reason) get nothing.

No mail carries a link that signs anyone in. Hubs' mail ends with the address of the organizer
page where they confirm reading it (behind sign-in and the second factor, like every organizer
page); supporters' mail with a signed link that stops the campaign's news, also given in the
List-Unsubscribe header for one-click unsubscribing (RFC 8058).
"""

from django.conf import settings

from streetwave.actions.news_links import unsubscribe_url
from streetwave.core.mail import absolute_url, render_mail
from streetwave.hubs.models import Membership
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import recipient_ids, renderer

from . import audiences
from .models import Broadcast


def text_language(broadcast: Broadcast, language: str) -> str | None:
    """The language of the text a reader of `language` gets (None if there is no text)."""
    written = [code for code, text in broadcast.texts.items() if text.get("body")]
    if language in written:
        return language
    for code in broadcast.campaign.languages:
        if code in written:
            return code
    # Sorted: the database may not keep the order of a JSON object's keys.
    return sorted(written)[0] if written else None


def _mail(broadcast: Broadcast, template: str, language: str, context: dict):
    chosen = text_language(broadcast, language)
    if chosen is None:
        return None
    campaign = broadcast.campaign
    return render_mail(
        f"broadcasts/mail/{template}",
        {
            "campaign_title": campaign.text(language)["title"],
            "subject": broadcast.texts[chosen]["subject"],
            "body": broadcast.texts[chosen]["body"],
            "text_language": chosen,
            "site_url": settings.SITE_URL,
            **context,
        },
        language=language,
    )


def _to_hubs(broadcast: Broadcast, deliveries) -> dict[int, Envelope]:
    wanted = recipient_ids(deliveries, "user")
    # A person in several hubs of the campaign confirms once: the link names the first hub.
    hub_of: dict[int, Membership] = {}
    for membership in (
        audiences.hub_memberships(broadcast.campaign)
        .filter(user_id__in=wanted.values())
        .select_related("user", "hub")
        .order_by("hub__name", "hub_id")
    ):
        hub_of.setdefault(membership.user_id, membership)
    envelopes = {}
    for pk, user_id in wanted.items():
        found = hub_of.get(user_id)
        if found is None:
            continue
        user, language = found.user, found.user.language
        mail = _mail(
            broadcast,
            "hubs",
            language,
            {
                "hub_name": found.hub.name,
                "acknowledge_url": absolute_url(
                    "broadcasts:hub_detail",
                    found.hub.public_id,
                    broadcast.public_id,
                    language=language,
                ),
            },
        )
        if mail is not None:
            envelopes[pk] = Envelope(to=user.email, mail=mail)
    return envelopes


def _to_supporters(broadcast: Broadcast, deliveries) -> dict[int, Envelope]:
    wanted = recipient_ids(deliveries, "rsvp")
    rsvps = audiences.supporter_rsvps(broadcast.campaign).filter(pk__in=wanted.values()).in_bulk()
    campaign = broadcast.campaign
    envelopes = {}
    for pk, rsvp_id in wanted.items():
        rsvp = rsvps.get(rsvp_id)
        if rsvp is None:
            continue
        link = unsubscribe_url(rsvp)
        mail = _mail(
            broadcast,
            "supporters",
            rsvp.language,
            {
                "unsubscribe_url": link,
                "campaign_url": absolute_url(
                    "campaigns:detail", campaign.slug, language=rsvp.language
                )
                if campaign.status != campaign.Status.DRAFT
                else "",
            },
        )
        if mail is not None:
            envelopes[pk] = Envelope(to=rsvp.contact, mail=mail, unsubscribe_url=link)
    return envelopes


@renderer("broadcast")
def render_broadcast(message, deliveries):
    broadcast = (
        Broadcast.objects.filter(pk=message.data["broadcast"], status=Broadcast.Status.SENT)
        .select_related("campaign")
        .first()
    )
    if broadcast is None:
        return {}
    if broadcast.audience == Broadcast.Audience.HUBS:
        return _to_hubs(broadcast, deliveries)
    return _to_supporters(broadcast, deliveries)

"""How the outbox renders what is said to supporters about an action (kinds "rsvp.*" and
"action.*"). Each renderer looks the RSVPs up again: one that is no longer live, or whose
address was erased, gets nothing (its delivery is skipped)."""

import datetime as dt
import json
from functools import partial

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from streetwave.approvals.models import Approval
from streetwave.core.mail import absolute_url, render_mail
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import delivery_secret, recipient_ids, renderer

from .calendars import build_calendar
from .models import RSVP, Action, ActionChange, EmergencyNotice, RelayMessage
from .news_links import news_confirmation_url
from .services import manage_url, mint_manage_tokens, rotate_manage_token


def rsvps_to_mail(deliveries, statuses=RSVP.LIVE, **action) -> dict[int, RSVP]:
    """{delivery id: RSVP} for the deliveries whose RSVP is in `statuses`, has an address and
    whose action matches `action` (field lookups). Any app that mails supporters about their
    action looks them up again here."""
    wanted = recipient_ids(deliveries, "rsvp")
    rsvps = (
        RSVP.objects.select_related(
            "action", "action__city", "action__city__country", "action__campaign"
        )
        .filter(
            pk__in=wanted.values(),
            status__in=statuses,
            **{f"action__{k}": v for k, v in action.items()},
        )
        .exclude(contact_index="")
        .in_bulk()
    )
    return {pk: rsvps[rsvp_id] for pk, rsvp_id in wanted.items() if rsvp_id in rsvps}


def _approved(model, pk):
    """The row `pk` of `model` (held for approval) once approved; None while it is held, once it
    is withdrawn, or when it is gone: then there is nothing to tell."""
    return model.objects.filter(pk=pk, approval=Approval.APPROVED).first()


def envelope(rsvp: RSVP, template: str, context: dict, **extra) -> Envelope:
    """One mail to one supporter about their action, from `template` ("<app>/mail/<what>"), in
    their language. The only recipient is their own address and there is no Reply-To, so no
    mail shows anyone else's address."""
    action = rsvp.action
    mail = render_mail(
        template,
        {
            "rsvp": rsvp,
            "action": action,
            "site_url": settings.SITE_URL,
            "action_url": absolute_url("actions:detail", action.public_id, language=rsvp.language),
            # Whoever is going once the meeting point is revealed learns it from any mail: one
            # who RSVPs or moves up from the waitlist after the reveal gets no reminder.
            "meeting_point": rsvp.visible_meeting_point(),
            **context,
        },
        language=rsvp.language,
    )
    return Envelope(to=rsvp.contact, mail=mail, **extra)


@renderer("rsvp.confirmation")
def render_confirmation(message, deliveries):
    by_id = {delivery.pk: delivery for delivery in deliveries}
    envelopes = {}
    for pk, rsvp in rsvps_to_mail(deliveries).items():
        # The token exists only in this mail (and, encrypted, on its delivery until it is sent):
        # the RSVP keeps its hash. Made once per delivery, so that a mail sent again carries the
        # same working link.
        token = delivery_secret(by_id[pk], partial(rotate_manage_token, rsvp))
        # Mail is read outside Tor Browser: its calendar links to the clear-web name.
        calendar = build_calendar([rsvp.action], name=rsvp.action.title, site=settings.SITE_URL)
        # Asked for on the form, the campaign's news start only from the link in this mail,
        # which only the owner of the address gets.
        wants_news = message.data.get("news") and rsvp.action.campaign_id and not rsvp.campaign_news
        envelopes[pk] = envelope(
            rsvp,
            "actions/mail/manage_link",
            {
                "manage_url": manage_url(token, rsvp.language),
                "news_url": news_confirmation_url(rsvp) if wants_news else "",
            },
            attachments=(("action.ics", calendar, "text/calendar"),),
        )
    return envelopes


@renderer("rsvp.promoted")
def render_promotion(message, deliveries):
    return {
        pk: envelope(rsvp, "actions/mail/promoted", {})
        for pk, rsvp in rsvps_to_mail(deliveries, statuses=[RSVP.Status.GOING]).items()
    }


@renderer("action.changed")
def render_change(message, deliveries):
    change = _approved(ActionChange, message.data["change"])
    if change is None:
        return {}
    # A change of an action cancelled since is not worth a mail: the cancellation notice says it.
    # A new meeting point alone concerns only the people going.
    public = change.moves_time or change.moves_place
    rsvps = rsvps_to_mail(
        deliveries,
        statuses=RSVP.LIVE if public else [RSVP.Status.GOING],
        id=change.action_id,
        status=Action.Status.PUBLISHED,
    )
    now = timezone.now()
    envelopes = {}
    for pk, rsvp in rsvps.items():
        change.action = rsvp.action
        # Told only to whom the meeting point is shown, and only once the old one had been.
        tell_meeting_point = (
            change.moves_meeting_point
            and rsvp.status == RSVP.Status.GOING
            and now >= rsvp.action.reveal_at
        )
        envelopes[pk] = envelope(
            rsvp,
            "actions/mail/changed",
            {"change": change, "moves_public": public, "tell_meeting_point": tell_meeting_point},
        )
    return envelopes


@renderer("action.cancelled")
def render_cancellation(message, deliveries):
    return {
        pk: envelope(rsvp, "actions/mail/cancelled", {})
        for pk, rsvp in rsvps_to_mail(deliveries, status=Action.Status.CANCELLED).items()
    }


@renderer("action.relay")
def render_relay(message, deliveries):
    relay = _approved(RelayMessage, message.data["relay"])
    if relay is None:
        return {}
    return {
        pk: envelope(rsvp, "actions/mail/relay", {"message": relay})
        for pk, rsvp in rsvps_to_mail(deliveries, id=relay.action_id).items()
    }


def _rights_card(action: Action):
    """The know-your-rights card of the action's campaign for the action's country, if any.
    Safety sits above actions (streetwave.safety): its cards are named, not imported."""
    if action.campaign_id is None:
        return None
    return (
        apps.get_model("safety", "RightsCard")
        .objects.select_related("campaign")
        .filter(campaign_id=action.campaign_id, country_id=action.city.country_id)
        .first()
    )


@renderer("action.reminder")
def render_reminder(message, deliveries):
    """A reminder, the reveal of the meeting point, or both in one mail. The meeting point goes
    only to people going, and only in a mail sent at or after the reveal time."""
    queued_for = dt.datetime.fromisoformat(message.data["starts_at"])
    now = timezone.now()
    envelopes = {}
    rsvps = rsvps_to_mail(
        deliveries,
        statuses=[RSVP.Status.GOING],
        id=message.data["action"],
        status=Action.Status.PUBLISHED,
    )
    card = _rights_card(next(iter(rsvps.values())).action) if rsvps else None
    for pk, rsvp in rsvps.items():
        action = rsvp.action
        # Moved since: the change notice tells the new time, and the moments of the new start
        # follow. Started since (a retry that came too late): a reminder helps no one.
        if action.starts_at != queued_for or now >= action.starts_at:
            continue
        revealed = action.is_meeting_point_revealed(now)
        envelopes[pk] = envelope(
            rsvp,
            "actions/mail/reminder",
            {
                "meeting_point": action.meeting_point if revealed else "",
                "reveal_at": (
                    action.local_reveal_at if action.meeting_point and not revealed else None
                ),
                "rights_card": (
                    card.text_for(rsvp.language, card.campaign.languages) if card else ""
                ),
            },
        )
    return envelopes


@renderer("action.emergency")
def render_emergency(message, deliveries):
    notice = EmergencyNotice.objects.filter(pk=message.data["notice"]).first()
    if notice is None:
        return {}
    envelopes = {}
    rsvps = rsvps_to_mail(deliveries, statuses=[RSVP.Status.GOING], id=notice.action_id)
    for pk, rsvp in rsvps.items():
        notice.action = rsvp.action
        envelopes[pk] = envelope(
            rsvp, "actions/mail/emergency", {"notice": notice, "sent_at": notice.local_created_at}
        )
    return envelopes


@renderer("rsvp.links")
def render_links(message, deliveries):
    """The manage links of every RSVP of one address, asked for on the "find my RSVPs" page: to
    that address only, in the language the page was read in. RSVPs erased since are left out."""
    envelopes = {}
    language = message.data["language"]
    anchors = recipient_ids(deliveries, "rsvp")
    for delivery in deliveries:
        anchor = RSVP.objects.filter(pk=anchors.get(delivery.pk, 0)).first()
        if anchor is None or not anchor.contact_index:
            continue
        rsvps = list(
            RSVP.objects.select_related("action", "action__city")
            .filter(pk__in=message.data["rsvps"], contact_index=anchor.contact_index)
            .order_by("action__starts_at", "id")
        )
        if not rsvps:
            continue
        # Made once per delivery, like a confirmation's token: a mail sent again carries the
        # same working links.
        tokens = json.loads(
            delivery_secret(delivery, partial(mint_manage_tokens, [rsvp.pk for rsvp in rsvps]))
        )
        links = [
            {"rsvp": rsvp, "action": rsvp.action, "url": manage_url(tokens[str(rsvp.pk)], language)}
            for rsvp in rsvps
            if str(rsvp.pk) in tokens
        ]
        mail = render_mail(
            "actions/mail/links",
            {"links": links, "site_url": settings.SITE_URL},
            language=language,
        )
        envelopes[delivery.pk] = Envelope(to=anchor.contact, mail=mail)
    return envelopes

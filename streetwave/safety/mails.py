"""How the outbox renders the mails of safety.

- "safety.incident_alert", when a high-severity incident is reported: to whoever holds
  `can_receive_incident_alerts` over its action (the hub's safety leads, the campaign's safety
  coordinators), each in their language: its kind, its severity, the action and the page of
  the incident. Never its text, its contact or its reporter: the mail may be read on a seized
  phone. Nothing to anyone who no longer holds the permission.
- "safety.briefing", the safety briefing: to each holder of a confirmed safety role at the
  action, once, in their language. A supporter through the address of their RSVP, if they gave
  one; an organizer through their account. Nobody who no longer holds a confirmed role there,
  and nothing while the briefing is empty.
"""

from django.conf import settings
from django.utils import translation

from streetwave.accounts.models import User
from streetwave.actions.models import RSVP, Action
from streetwave.core.i18n import join_words
from streetwave.core.mail import absolute_url, render_mail
from streetwave.hubs.permissions import holders
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import recipient_ids, renderer

from .models import Incident, SafetyBriefing, SafetyRole
from .services import BRIEFING_MAIL


@renderer("safety.incident_alert")
def render_incident_alert(message, deliveries):
    incident = (
        Incident.objects.select_related("action", "action__hub")
        .filter(pk=message.data.get("incident"))
        .first()
    )
    if incident is None:
        return {}
    action = incident.action
    told = holders("can_receive_incident_alerts", action).in_bulk()
    envelopes = {}
    for pk, user_id in recipient_ids(deliveries, "user").items():
        user = told.get(user_id)
        if user is None:
            continue
        mail = render_mail(
            "safety/mail/incident_alert",
            {
                "action": action,
                # Lazy: in each recipient's language.
                "kind": Incident.Kind(incident.kind).label,
                "severity": Incident.Severity(incident.severity).label,
                "incident_url": absolute_url(
                    "safety:incident", incident.public_id, language=user.language
                ),
            },
            language=user.language,
        )
        envelopes[pk] = Envelope(to=user.email, mail=mail)
    return envelopes


def _mail(action: Action, briefing: SafetyBriefing, kinds: list[str], language: str, **extra):
    languages = list(action.campaign.languages) if action.campaign is not None else []
    text = briefing.text_for(language, languages)
    labels = dict(SafetyRole.Kind.choices)
    with translation.override(language):
        roles = join_words(str(labels[kind]) for kind in sorted(kinds))
    return render_mail(
        "safety/mail/briefing",
        {
            "action": action,
            "briefing": text,
            "roles": roles,
            "site_url": settings.SITE_URL,
            **extra,
        },
        language=language,
    )


@renderer(BRIEFING_MAIL)
def render_briefing(message, deliveries):
    action = (
        Action.objects.select_related("city", "city__country", "campaign")
        .filter(pk=message.data.get("action"))
        .first()
    )
    briefing = SafetyBriefing.objects.filter(action=action).first() if action else None
    if action is None or briefing is None or not any(briefing.texts.values()):
        return {}
    confirmed = SafetyRole.objects.confirmed().standing().filter(action=action)
    kinds_of_rsvp: dict[int, list[str]] = {}
    kinds_of_user: dict[int, list[str]] = {}
    for role in confirmed:
        if role.rsvp_id is not None:
            kinds_of_rsvp.setdefault(role.rsvp_id, []).append(role.kind)
        elif role.user_id is not None:
            kinds_of_user.setdefault(role.user_id, []).append(role.kind)
    envelopes = {}
    rsvps = (
        RSVP.objects.filter(pk__in=kinds_of_rsvp, status__in=RSVP.LIVE)
        .exclude(contact_index="")
        .in_bulk()
    )
    for pk, rsvp_id in recipient_ids(deliveries, "rsvp").items():
        rsvp = rsvps.get(rsvp_id)
        if rsvp is None:
            continue
        mail = _mail(action, briefing, kinds_of_rsvp[rsvp_id], rsvp.language, page_url="")
        envelopes[pk] = Envelope(to=rsvp.contact, mail=mail)
    users = User.objects.filter(pk__in=kinds_of_user, is_active=True).in_bulk()
    for pk, user_id in recipient_ids(deliveries, "user").items():
        user = users.get(user_id)
        if user is None:
            continue
        page_url = absolute_url("safety:manage_roles", action.public_id, language=user.language)
        mail = _mail(action, briefing, kinds_of_user[user_id], user.language, page_url=page_url)
        envelopes[pk] = Envelope(to=user.email, mail=mail)
    return envelopes

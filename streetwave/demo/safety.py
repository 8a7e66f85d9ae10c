"""Safety on the demo's day: supporters confirmed in safety roles at some actions, a few
incidents at actions happening now (else those that ended last), and a know-your-rights card
for the first country, so that the safety pages and the coordinators' safety desk have
something to show under `make run`."""

import random

from django.utils import timezone

from streetwave.actions.models import RSVP, Action
from streetwave.campaigns.models import Campaign
from streetwave.places.models import Country
from streetwave.safety.models import Incident, RightsCard, SafetyRole
from streetwave.safety.services import is_reporting_open, report_incident

# Of the published actions, how many have a marshal and a medic among their supporters.
SHARE_WITH_ROLES = 0.6
# Incidents reported at actions happening now; a few of them high, which mails the safety leads.
INCIDENTS = [
    (Incident.Kind.SURVEILLANCE, Incident.Severity.MEDIUM, "Two men filming faces from a car."),
    (Incident.Kind.MEDICAL, Incident.Severity.LOW, "An elderly woman felt faint; she is resting."),
    (Incident.Kind.POLICE, Incident.Severity.MEDIUM, "Police ask to see the permit at the corner."),
    (Incident.Kind.COUNTER_PROTEST, Incident.Severity.HIGH, "A group shouting threats nearby."),
    (Incident.Kind.INFILTRATOR, Incident.Severity.MEDIUM, "Someone asks everyone for names."),
    (Incident.Kind.HARASSMENT, Incident.Severity.LOW, "Insults from a passer-by, now gone."),
]
RIGHTS_CARD = {
    "en": (
        "Legal observers: 030 1234 5678. If you are detained, give your name and address only, "
        "ask for a lawyer, sign nothing. Leave at home what you would not want read: your "
        "phone's contacts, lists, notebooks."
    ),
    "fa": (
        "ناظران حقوقی: ۰۳۰ ۱۲۳۴ ۵۶۷۸. اگر بازداشت شدید، فقط نام و نشانی خود را بگویید، وکیل "
        "بخواهید و چیزی را امضا نکنید. آنچه نمی‌خواهید خوانده شود در خانه بگذارید: مخاطبان "
        "تلفن، فهرست‌ها، دفترچه‌ها."
    ),
}


def stage_safety(rng: random.Random, campaign: Campaign, actions: list[Action]) -> None:
    published = [action for action in actions if action.status == Action.Status.PUBLISHED]
    _confirm_roles(rng, [action for action in published if rng.random() < SHARE_WITH_ROLES])
    now = timezone.now()
    # At actions happening now; at an hour with none, at those that ended last (an incident is
    # reported for a day after); before the day's first start, at none.
    happening = [action for action in published if action.starts_at <= now < action.ends_at]
    ended = sorted(
        (action for action in published if is_reporting_open(action, now=now)),
        key=lambda action: action.ends_at,
        reverse=True,
    )
    pool = happening or ended[: len(INCIDENTS)]
    chosen = rng.sample(pool, min(len(INCIDENTS), len(pool)))
    for action, (kind, severity, text) in zip(chosen, INCIDENTS, strict=False):
        report_incident(
            action, kind=kind, severity=severity, text=text, source=Incident.Source.PUBLIC
        )
    country = (
        Country.objects.filter(
            cities__actions__campaign=campaign, cities__actions__status=Action.Status.PUBLISHED
        )
        .order_by("code")
        .first()
    )
    if country is not None:
        # Written in English and Persian only: readers of the other languages get the first.
        texts = {
            language: text
            for language, text in RIGHTS_CARD.items()
            if language in campaign.languages
        }
        RightsCard.objects.create(campaign=campaign, country=country, texts=texts)


def _confirm_roles(rng: random.Random, actions: list[Action]) -> None:
    """A marshal and a medic among the people going to each of `actions`, as if they had
    offered when they RSVPed and an organizer had confirmed them."""
    going = RSVP.objects.filter(action__in=actions, status=RSVP.Status.GOING).order_by("id")
    by_action: dict[int, list[RSVP]] = {}
    for rsvp in going.only("id", "action_id"):
        by_action.setdefault(rsvp.action_id, []).append(rsvp)
    now = timezone.now()
    SafetyRole.objects.bulk_create(
        SafetyRole(
            action_id=action_id,
            kind=kind,
            rsvp=rsvp,
            state=SafetyRole.State.CONFIRMED,
            confirmed_at=now,
        )
        for action_id, rsvps in by_action.items()
        for kind, rsvp in zip(
            (SafetyRole.Kind.MARSHAL, SafetyRole.Kind.MEDIC),
            rng.sample(rsvps, min(2, len(rsvps))),
            strict=False,
        )
    )

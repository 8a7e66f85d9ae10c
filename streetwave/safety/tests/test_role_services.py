"""Safety roles, the briefing and know-your-rights cards, through their services."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streetwave.actions import services as actions
from streetwave.actions.models import RSVP, Action
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed
from streetwave.outbox.models import Message
from streetwave.places.models import Country
from streetwave.safety import services
from streetwave.safety.models import RightsCard, SafetyBriefing, SafetyRole
from streetwave.safety.queries import campaign_role_coverage, role_coverage

pytestmark = pytest.mark.django_db

Kind = SafetyRole.Kind


def _rsvp(action, *, email="medic@example.org", pseudonym="Nurse", offers=(), language="en"):
    actions.create_rsvp(
        action,
        pseudonym=pseudonym,
        email=email,
        language=language,
        consent=True,
        safety_offers=list(offers),
    )
    return RSVP.objects.filter(action=action).latest("pk")


# Counted on the RSVP path before safety roles existed (see the test below).
RSVP_WITH_EMAIL_QUERIES = 8


def _briefing_mails():
    return Message.objects.filter(kind=services.BRIEFING_MAIL)


# Offers at RSVP time


def test_an_rsvp_with_offers_stores_them_as_offered_roles(upcoming):
    # when a supporter RSVPs and offers to be a medic and a marshal
    rsvp = _rsvp(upcoming, offers=["medic", "marshal"])
    # then both are offered, held by the RSVP, confirmed by nobody yet
    roles = SafetyRole.objects.filter(rsvp=rsvp).order_by("kind")
    assert [(role.kind, role.state, role.user_id) for role in roles] == [
        ("marshal", "offered", None),
        ("medic", "offered", None),
    ]
    assert all(role.action_id == upcoming.pk for role in roles)


def test_an_rsvp_without_offers_costs_no_query_more_and_one_with_offers_one_insert(
    upcoming, make_action, hub, campaign
):
    # given two identical actions
    other = make_action(hub=hub, campaign=campaign, title="Second rally")

    def queries_of(action, offers):
        # fetched as the RSVP page and the API fetch it: saying whether it is high-risk
        action = Action.objects.with_risk().select_related("hub", "campaign").get(pk=action.pk)
        with CaptureQueriesContext(connection) as captured:
            actions.create_rsvp(
                action, email="x@example.org", language="en", consent=True, safety_offers=offers
            )
        return [query["sql"] for query in captured.captured_queries]

    # when one supporter offers nothing, and another offers two roles
    plain = queries_of(upcoming, [])
    offering = queries_of(other, ["medic", "marshal"])
    # then nothing offered costs what an RSVP cost before this feature (the claim of a seat, the
    # insert, the counter shard, the audit row, the outbox's message and delivery, the savepoints
    # around them), and two offers one insert more
    assert len(plain) == RSVP_WITH_EMAIL_QUERIES
    assert not any("safety_saf" in sql for sql in plain)
    inserts = [sql for sql in offering if sql.startswith("INSERT") and "safety_safetyrole" in sql]
    assert len(inserts) == 1
    assert len(offering) == len(plain) + 1


def test_the_rsvp_form_offers_every_kind_of_role(upcoming):
    from streetwave.actions.forms import RSVPForm

    # when the form is filled with an offer
    form = RSVPForm(
        {"language": "en", "consent": "on", "safety_offers": ["legal_observer"]}, action=upcoming
    )
    # then it is valid, and every kind is a choice
    assert form.is_valid(), form.errors
    assert form.cleaned_data["safety_offers"] == ["legal_observer"]
    assert {value for value, _label in form.fields["safety_offers"].choices} == set(Kind.values)


def test_the_rsvp_form_refuses_an_unknown_role(upcoming):
    from streetwave.actions.forms import RSVPForm

    form = RSVPForm(
        {"language": "en", "consent": "on", "safety_offers": ["sniper"]}, action=upcoming
    )
    assert not form.is_valid()
    assert "safety_offers" in form.errors


# Offers from the manage link


def test_a_supporter_changes_their_offers_from_their_link(upcoming):
    # given a supporter who offered to be a medic
    rsvp = _rsvp(upcoming, offers=["medic"])
    # when they offer marshal instead
    services.offer_safety_roles(rsvp, kinds=["marshal"])
    # then the medic offer is withdrawn and the marshal one made
    assert list(SafetyRole.objects.filter(rsvp=rsvp).values_list("kind", flat=True)) == ["marshal"]
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"safety_role.offered", "safety_role.withdrawn"} <= verbs


def test_a_cancelled_rsvp_cannot_offer(upcoming):
    rsvp = _rsvp(upcoming)
    actions.cancel_rsvp(rsvp)
    with pytest.raises(services.OfferUnavailable):
        services.offer_safety_roles(rsvp, kinds=["medic"])


def test_nobody_offers_once_the_action_ended(upcoming):
    rsvp = _rsvp(upcoming)
    Action.objects.filter(pk=upcoming.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    with pytest.raises(services.SafetyRolesClosed):
        services.offer_safety_roles(rsvp, kinds=["medic"])


def test_a_cancelled_rsvps_role_no_longer_counts(upcoming, organizer):
    # given a confirmed medic
    rsvp = _rsvp(upcoming, offers=["medic"])
    services.confirm_safety_role(SafetyRole.objects.get(rsvp=rsvp), actor=organizer)
    # when the supporter cancels
    actions.cancel_rsvp(rsvp)
    # then the medic is missing again
    medic = next(row for row in role_coverage(upcoming) if row.kind == Kind.MEDIC)
    assert medic.confirmed == 0 and not medic.is_filled


# Organizers


def test_an_organizer_takes_a_role_themselves_confirmed_at_once(upcoming, organizer):
    before = timezone.now()
    role = services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    assert role.user == organizer and role.rsvp is None
    assert role.state == "confirmed"
    assert role.confirmed_by == organizer and role.confirmed_at >= before


def test_nobody_holds_the_same_role_twice(upcoming, organizer):
    services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    with pytest.raises(services.AlreadyHeld):
        services.take_safety_role(upcoming, kind="marshal", actor=organizer)


@pytest.mark.parametrize("holder", ["lead", "organizer", "safety_lead"])
def test_the_hubs_organizers_confirm_an_offer(upcoming, holder, request):
    # given a supporter's offer
    actor = request.getfixturevalue(holder)
    role = SafetyRole.objects.get(rsvp=_rsvp(upcoming, offers=["medic"]))
    # when an organizer of the hub confirms it
    confirmed = services.confirm_safety_role(role, actor=actor)
    # then it is confirmed, by them, now
    assert confirmed.state == "confirmed"
    assert confirmed.confirmed_by == actor and confirmed.confirmed_at is not None
    assert AuditEntry.objects.filter(verb="safety_role.confirmed").count() == 1


@pytest.mark.parametrize("who", ["member", "coordinator", "other_hubs_organizer"])
def test_nobody_else_confirms_or_takes_a_role(upcoming, who, request, make_hub, make_member):
    if who == "other_hubs_organizer":
        actor = make_member(make_hub("Paris hub"))
    else:
        actor = request.getfixturevalue(who)
    role = SafetyRole.objects.get(rsvp=_rsvp(upcoming, offers=["medic"]))
    with pytest.raises(NotAllowed):
        services.confirm_safety_role(role, actor=actor)
    with pytest.raises(NotAllowed):
        services.decline_safety_role(role, actor=actor)
    with pytest.raises(NotAllowed):
        services.take_safety_role(upcoming, kind="marshal", actor=actor)
    with pytest.raises(NotAllowed):
        services.write_safety_briefing(upcoming, texts={"en": "Meet at 1"}, actor=actor)
    assert SafetyRole.objects.get(pk=role.pk).state == "offered"


def test_declining_an_offer_removes_it(upcoming, organizer):
    role = SafetyRole.objects.get(rsvp=_rsvp(upcoming, offers=["medic"]))
    services.decline_safety_role(role, actor=organizer)
    assert not SafetyRole.objects.filter(pk=role.pk).exists()
    assert AuditEntry.objects.filter(verb="safety_role.declined").exists()


def test_coverage_counts_filled_and_missing_roles(upcoming, organizer, campaign):
    # given a marshal (an organizer), a medic's offer not yet confirmed
    services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    _rsvp(upcoming, offers=["medic"])
    # then the action has a marshal, and a medic offered but missing
    rows = {row.kind: row for row in role_coverage(upcoming)}
    assert rows[Kind.MARSHAL].is_filled and rows[Kind.MARSHAL].confirmed == 1
    assert not rows[Kind.MEDIC].is_filled and rows[Kind.MEDIC].offered == 1
    # and across the campaign: one action, one with a marshal, none with a medic
    campaign_rows = {row.kind: row for row in campaign_role_coverage(campaign)}
    assert (campaign_rows[Kind.MARSHAL].filled, campaign_rows[Kind.MARSHAL].missing) == (1, 0)
    assert (campaign_rows[Kind.MEDIC].filled, campaign_rows[Kind.MEDIC].missing) == (0, 1)


# The briefing


def test_the_briefing_is_mailed_once_per_confirmed_holder(
    upcoming, organizer, lead, django_capture_on_commit_callbacks, mailoutbox
):
    # given a supporter offering two roles, one offering one, and an organizer as marshal
    two = _rsvp(upcoming, email="two@example.org", offers=["medic", "de_escalation"])
    offered_only = _rsvp(upcoming, email="waiting@example.org", offers=["legal_observer"])
    services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    # when the briefing is written, then both roles of the first supporter are confirmed
    with django_capture_on_commit_callbacks(execute=True):
        services.write_safety_briefing(
            upcoming, texts={"en": "Medics meet at the fountain."}, actor=lead
        )
    with django_capture_on_commit_callbacks(execute=True):
        for role in SafetyRole.objects.filter(rsvp=two):
            services.confirm_safety_role(role, actor=lead)
    # and the briefing is saved again
    with django_capture_on_commit_callbacks(execute=True):
        services.write_safety_briefing(
            upcoming, texts={"en": "Medics meet at the fountain at 13:30."}, actor=lead
        )
    # then the organizer and the supporter each got exactly one mail; the offer alone none
    recipients = sorted(address for sent in mailoutbox for address in sent.to)
    assert recipients == sorted([organizer.email, "two@example.org"])
    assert "waiting@example.org" not in recipients
    assert offered_only.contact not in recipients
    supporter_mail = next(sent for sent in mailoutbox if sent.to == ["two@example.org"])
    assert "Medics meet at the fountain" in supporter_mail.body
    assert "Medic" in supporter_mail.body and "De-escalation" in supporter_mail.body
    assert upcoming.title in supporter_mail.subject
    assert _briefing_mails().count() == 2


def test_no_briefing_no_mail(upcoming, organizer, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    assert mailoutbox == []


def test_the_briefing_goes_in_the_holders_language(
    upcoming, lead, django_capture_on_commit_callbacks, mailoutbox
):
    # given a Persian-speaking medic and a briefing in English and Persian
    services.write_safety_briefing(
        upcoming, texts={"en": "Meet at one.", "fa": "ساعت یک"}, actor=lead
    )
    rsvp = _rsvp(upcoming, email="fa@example.org", offers=["medic"], language="fa")
    # when they are confirmed
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_safety_role(SafetyRole.objects.get(rsvp=rsvp), actor=lead)
    # then they read the Persian text
    [sent] = mailoutbox
    assert "ساعت یک" in sent.body and "Meet at one." not in sent.body


def test_the_briefing_keeps_only_the_campaigns_languages(upcoming, lead):
    briefing = services.write_safety_briefing(
        upcoming, texts={"en": "  Hello  ", "fa": "", "de": "Hallo"}, actor=lead
    )
    assert briefing.texts == {"en": "Hello"}
    assert SafetyBriefing.objects.get(action=upcoming).written_by == lead


# Know-your-rights cards


def test_a_coordinator_writes_and_removes_a_card(campaign, coordinator, upcoming):
    country = upcoming.city.country
    card = services.write_rights_card(
        campaign, country=country, texts={"en": "Call 030 1234", "fa": "۰۳۰"}, actor=coordinator
    )
    assert card.texts == {"en": "Call 030 1234", "fa": "۰۳۰"}
    # writing again replaces it
    services.write_rights_card(campaign, country=country, texts={"en": "Call 2"}, actor=coordinator)
    assert RightsCard.objects.get(campaign=campaign, country=country).texts == {"en": "Call 2"}
    # and with nothing written it goes
    assert (
        services.write_rights_card(campaign, country=country, texts={}, actor=coordinator) is None
    )
    assert not RightsCard.objects.exists()


@pytest.mark.parametrize("who", ["lead", "organizer", "safety_lead"])
def test_only_coordinators_write_cards(campaign, who, request):
    actor = request.getfixturevalue(who)
    country = Country.objects.create(code="FR", name="France")
    with pytest.raises(NotAllowed):
        services.write_rights_card(campaign, country=country, texts={"en": "x"}, actor=actor)


def test_the_reminder_carries_the_card_of_the_actions_country(
    upcoming, campaign, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    from streetwave.actions.services.reminders import queue_due_reminders

    # given a card for the action's country and one for another country
    services.write_rights_card(
        campaign,
        country=upcoming.city.country,
        texts={"en": "Legal observers: 030 1234.", "fa": "ناظران حقوقی: ۰۳۰"},
        actor=coordinator,
    )
    other = Country.objects.create(code="FR", name="France")
    services.write_rights_card(campaign, country=other, texts={"en": "Paris 01"}, actor=coordinator)
    _rsvp(upcoming, email="fa-reader@example.org", language="fa")
    # when the day-before reminder goes out
    Action.objects.filter(pk=upcoming.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=20),
        ends_at=timezone.now() + dt.timedelta(hours=22),
        next_message_at=timezone.now() - dt.timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()
    # then it carries the card of the action's country, in the reader's language
    [sent] = [sent for sent in mailoutbox if sent.to == ["fa-reader@example.org"]]
    assert "ناظران حقوقی" in sent.body
    assert "Paris 01" not in sent.body

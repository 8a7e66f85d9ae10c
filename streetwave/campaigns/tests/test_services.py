"""The campaign's services: creating one, its settings, and its life from draft to archived."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone, translation

from streetwave.actions import services as actions
from streetwave.actions.models import RSVP, Action
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import erase_expired_personal_data
from streetwave.campaigns import services
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import Conflict, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user("operator@example.org", is_operator=True)


def details_of(campaign: Campaign, **changes) -> services.CampaignDetails:
    return dataclasses.replace(
        services.CampaignDetails(
            languages=list(campaign.languages),
            texts=campaign.texts,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            zone=campaign.zone,
            goal=campaign.goal,
            approval_policy=campaign.approval_policy,
            hub_policy=campaign.hub_policy,
            rsvp_retention_days=campaign.rsvp_retention_days,
        ),
        **changes,
    )


def verbs(campaign: Campaign) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=campaign.public_id)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def new_campaign(actor, **changes):
    now = timezone.now()
    values = {
        "slug": "streets-2027",
        "texts": {"fa": {"title": "خیابان‌ها", "statement": "", "demands": []}},
        "languages": ["fa", "en"],
        "starts_at": now + dt.timedelta(days=10),
        "ends_at": now + dt.timedelta(days=11),
        "goal": 500,
        "zone": "Asia/Tehran",
        "actor": actor,
    }
    return services.create_campaign(**(values | changes))


def test_an_operator_creates_a_draft_with_its_counters_and_an_audit_row(operator, settings):
    campaign = new_campaign(operator)

    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.zone == "Asia/Tehran"
    assert campaign.hub_policy == Campaign.HubPolicy.OPEN
    assert campaign.rsvp_retention_days == settings.RSVP_RETENTION_DAYS
    assert campaign.counters.count() == 16
    assert verbs(campaign) == ["campaign.created"]


def test_only_an_operator_creates_a_campaign(make_user, make_campaign, make_coordinator):
    coordinator = make_coordinator(make_campaign())

    with pytest.raises(NotAllowed):
        new_campaign(coordinator)
    with pytest.raises(NotAllowed):
        new_campaign(make_user())
    assert not Campaign.objects.filter(slug="streets-2027").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"zone": "Mars/Olympus"}, "zone"),
        ({"languages": ["xx"]}, "languages"),
        ({"texts": {}}, "languages"),
        ({"ends_at": timezone.now()}, "end_date"),
        ({"slug": "streets"}, "slug"),
    ],
)
def test_a_campaign_that_cannot_be_is_refused_on_its_field(operator, make_campaign, changes, field):
    make_campaign("streets")

    with pytest.raises(services.InvalidCampaign) as refused:
        new_campaign(operator, **changes)

    assert refused.value.field == field


def test_the_settings_are_saved_with_an_audit_row(make_campaign, make_coordinator):
    campaign = make_campaign(status=Campaign.Status.DRAFT)
    coordinator = make_coordinator(campaign)
    texts = {**campaign.texts, "en": {**campaign.texts["en"], "statement": "Come *all*."}}

    saved = services.update_campaign(
        campaign,
        details=details_of(
            campaign,
            texts=texts,
            goal=2000,
            hub_policy=Campaign.HubPolicy.APPROVAL,
            rsvp_retention_days=14,
            zone="Europe/Berlin",
        ),
        actor=coordinator,
    )

    saved.refresh_from_db()
    assert (saved.goal, saved.hub_policy, saved.rsvp_retention_days, saved.zone) == (
        2000,
        "approval",
        14,
        "Europe/Berlin",
    )
    assert saved.texts["en"]["statement"] == "Come *all*."
    # a draft is not "edited": nobody has read it yet
    assert saved.texts_edited_at is None
    entry = AuditEntry.objects.get(verb="campaign.updated")
    assert entry.data["fields"] == ["goal", "hub_policy", "rsvp_retention_days", "texts", "zone"]


def test_someone_without_the_permission_cannot_change_the_settings(make_campaign, make_user):
    campaign = make_campaign()

    with pytest.raises(NotAllowed):
        services.update_campaign(campaign, details=details_of(campaign, goal=1), actor=make_user())
    campaign.refresh_from_db()
    assert campaign.goal == 1000


@pytest.mark.parametrize("days", [6, 91])
def test_the_retention_stays_within_the_operators_bounds(make_campaign, operator, days):
    campaign = make_campaign()

    with pytest.raises(services.InvalidCampaign) as refused:
        services.update_campaign(
            campaign, details=details_of(campaign, rsvp_retention_days=days), actor=operator
        )

    assert refused.value.field == "rsvp_retention_days"


def test_the_bounds_come_from_the_settings(make_campaign, operator, settings):
    settings.RSVP_RETENTION_DAYS_MAX = 120
    campaign = make_campaign()

    services.update_campaign(
        campaign, details=details_of(campaign, rsvp_retention_days=120), actor=operator
    )

    campaign.refresh_from_db()
    assert campaign.rsvp_retention_days == 120


@pytest.mark.parametrize(
    ("part", "value"),
    [("statement", "A new call."), ("demands", ["Free all political prisoners", "More"])],
)
def test_editing_the_call_of_an_open_campaign_says_when(make_campaign, operator, part, value):
    campaign = make_campaign()
    texts = {**campaign.texts, "fa": {**campaign.texts["fa"], part: value}}

    services.update_campaign(campaign, details=details_of(campaign, texts=texts), actor=operator)

    campaign.refresh_from_db()
    assert campaign.texts_edited_at is not None
    assert AuditEntry.objects.get(verb="campaign.updated").data["texts_edited"] is True


def test_a_new_title_or_goal_is_no_edit_of_the_call(make_campaign, operator):
    campaign = make_campaign()
    texts = {**campaign.texts, "en": {**campaign.texts["en"], "title": "Streets!"}}

    services.update_campaign(
        campaign, details=details_of(campaign, texts=texts, goal=5), actor=operator
    )

    campaign.refresh_from_db()
    assert campaign.texts_edited_at is None


def test_a_window_that_leaves_out_planned_actions_is_refused_with_their_list(
    make_campaign, make_action, operator
):
    # given an open campaign with a published action in two days, one waiting for approval in
    # three, and a draft in four
    campaign = make_campaign()
    published = make_action(campaign=campaign, title="Rally at the square")
    make_action(
        campaign=campaign,
        title="March to the river",
        status=Action.Status.PENDING,
        approval=Approval.HELD,
        starts_in=dt.timedelta(days=3),
    )
    make_action(
        campaign=campaign, title="Sketch", status=Action.Status.DRAFT, starts_in=dt.timedelta(4)
    )
    old_window = (campaign.starts_at, campaign.ends_at)

    # when the window is made to end tomorrow
    with translation.override("en"), pytest.raises(services.WindowExcludesActions) as refused:
        services.update_campaign(
            campaign,
            details=details_of(campaign, ends_at=timezone.now() + dt.timedelta(days=1)),
            actor=operator,
        )

    # then the window stays, and the refusal names both planned actions, their hub and time,
    # never the draft
    assert [action.title for action in refused.value.actions] == [
        "Rally at the square",
        "March to the river",
    ]
    message = str(refused.value.message)
    assert "Rally at the square" in message and "March to the river" in message
    assert published.hub.name in message
    assert "Sketch" not in message
    campaign.refresh_from_db()
    assert (campaign.starts_at, campaign.ends_at) == old_window
    assert not AuditEntry.objects.filter(verb="campaign.updated").exists()


def test_a_window_that_keeps_every_planned_action_is_saved(make_campaign, make_action, operator):
    campaign = make_campaign()
    make_action(campaign=campaign)
    # a draft outside the new window does not hold it back
    make_action(campaign=campaign, status=Action.Status.DRAFT, starts_in=dt.timedelta(days=6))
    new_end = timezone.now() + dt.timedelta(days=5)

    services.update_campaign(
        campaign, details=details_of(campaign, ends_at=new_end), actor=operator
    )

    campaign.refresh_from_db()
    assert campaign.ends_at == new_end


def test_a_campaign_lives_from_draft_to_archived(make_campaign, make_coordinator):
    campaign = make_campaign(status=Campaign.Status.DRAFT)
    coordinator = make_coordinator(campaign)

    services.open_campaign(campaign, actor=coordinator)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LIVE

    services.end_campaign(campaign, actor=coordinator)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED

    services.archive_campaign(campaign, actor=coordinator)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ARCHIVED
    assert verbs(campaign) == [
        "campaign.created",
        "campaign.opened",
        "campaign.ended",
        "campaign.archived",
    ]


@pytest.mark.parametrize(
    ("status", "service"),
    [
        (Campaign.Status.LIVE, services.open_campaign),
        (Campaign.Status.ENDED, services.open_campaign),
        (Campaign.Status.DRAFT, services.end_campaign),
        (Campaign.Status.ARCHIVED, services.end_campaign),
        (Campaign.Status.DRAFT, services.archive_campaign),
        (Campaign.Status.LIVE, services.archive_campaign),
    ],
)
def test_a_wrong_change_of_state_is_a_conflict(make_campaign, operator, status, service):
    campaign = make_campaign(status=status)

    with pytest.raises(Conflict) as refused:
        service(campaign, actor=operator)

    assert "can be" in str(refused.value.message)
    campaign.refresh_from_db()
    assert campaign.status == status
    assert verbs(campaign) == ["campaign.created"]


def test_a_campaign_whose_window_is_over_is_not_opened(make_campaign, operator):
    campaign = make_campaign(status=Campaign.Status.DRAFT)
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=2),
    )

    with pytest.raises(Conflict):
        services.open_campaign(campaign, actor=operator)


def test_a_change_of_state_needs_the_permission(make_campaign, make_user, make_hub, make_member):
    campaign = make_campaign(status=Campaign.Status.DRAFT)
    lead = make_member(make_hub())

    for someone in (make_user(), lead):
        with pytest.raises(NotAllowed):
            services.open_campaign(campaign, actor=someone)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_an_ended_campaign_takes_no_new_rsvps_but_keeps_its_actions(
    make_campaign, make_action, operator
):
    campaign = make_campaign()
    action = make_action(campaign=campaign)
    actions.create_rsvp(action, language="en", consent=True)

    services.end_campaign(campaign, actor=operator)

    action = Action.objects.with_place().get(pk=action.pk)
    with pytest.raises(actions.RSVPClosed):
        actions.create_rsvp(action, language="en", consent=True)
    assert RSVP.objects.count() == 1
    assert Action.objects.public().filter(pk=action.pk).exists()


def test_the_retention_job_follows_each_campaigns_period(make_campaign, make_action, operator):
    # given two campaigns keeping RSVPs' personal data 7 and 60 days, an action in each that
    # ended ten days ago, and an RSVP with a pseudonym to each
    short = make_campaign("short")
    long = make_campaign("long")
    Campaign.objects.filter(pk=short.pk).update(rsvp_retention_days=7)
    Campaign.objects.filter(pk=long.pk).update(rsvp_retention_days=60)
    for campaign in (short, long):
        action = make_action(campaign=campaign)
        actions.create_rsvp(action, pseudonym=campaign.slug, language="en", consent=True)
        Action.objects.filter(pk=action.pk).update(
            starts_at=timezone.now() - dt.timedelta(days=10, hours=2),
            ends_at=timezone.now() - dt.timedelta(days=10),
        )

    # when the retention job runs
    erased = erase_expired_personal_data()

    # then only the short campaign's RSVP lost its pseudonym
    assert erased["actions.RSVP"] == 1
    assert sorted(RSVP.objects.values_list("pseudonym", flat=True)) == ["", "long"]


def test_an_ended_campaigns_action_page_offers_no_rsvp_and_nobody_rejoins(
    client, make_campaign, make_action, operator
):
    # given an action of an open campaign, and a supporter who cancelled their RSVP to it
    campaign = make_campaign()
    action = make_action(campaign=campaign)
    actions.create_rsvp(action, language="en", consent=True)
    rsvp = RSVP.objects.get()
    actions.cancel_rsvp(rsvp)

    # when the campaign ends
    services.end_campaign(campaign, actor=operator)

    # then the action's page has no RSVP form, and the cancelled RSVP cannot be taken up again
    page = client.get(f"/en/a/{action.public_id}/")
    assert page.status_code == 200
    assert f'action="/en/a/{action.public_id}/rsvp/"' not in page.content.decode()
    with pytest.raises(actions.RSVPClosed):
        actions.rejoin_rsvp(RSVP.objects.get(pk=rsvp.pk))

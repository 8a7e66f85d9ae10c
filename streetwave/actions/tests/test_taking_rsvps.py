"""`Action.objects.taking_rsvps()` is the database's form of `is_open_for_rsvp` and not
`is_high_risk`: the RSVP path finds an action with it, so the two must agree."""

import datetime as dt

import pytest

from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.services import set_high_risk_countries
from streetwave.hubs.models import Hub
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(make_action, make_campaign, make_hub, make_city):
    live = make_campaign()
    ended = make_campaign("ended", status=Campaign.Status.ENDED)
    draft = make_campaign("draft", status=Campaign.Status.DRAFT)
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    kabul = make_city("Kabul", country="AF", timezone="Asia/Kabul", lat=34.53, lon=69.17)
    set_high_risk_countries([Country.objects.get(code="IR")], actor=None)
    set_high_risk_countries([Country.objects.get(code="AF")], campaign=live, actor=None)
    return {
        "open, in a campaign": make_action(campaign=live),
        "open, of no campaign": make_action(),
        "draft": make_action(campaign=live, status=Action.Status.DRAFT),
        "cancelled": make_action(campaign=live, status=Action.Status.CANCELLED),
        "over": make_action(campaign=live, starts_in=-dt.timedelta(hours=3)),
        "under way": make_action(campaign=live, starts_in=-dt.timedelta(hours=1)),
        "filed after the fact": make_action(campaign=live, after_the_fact=True),
        "campaign ended": make_action(campaign=ended),
        "campaign in draft": make_action(campaign=draft),
        "hub suspended": make_action(
            campaign=live, hub=make_hub("Suspended hub", status=Hub.Status.SUSPENDED)
        ),
        "high-risk for the instance": make_action(
            campaign=live, hub=make_hub("Tehran hub", city=tehran)
        ),
        "high-risk for its campaign": make_action(
            campaign=live, hub=make_hub("Kabul hub", city=kabul)
        ),
        "high-risk campaign country, of no campaign": make_action(
            hub=make_hub("Kabul hub 2", city=kabul)
        ),
    }


def test_the_database_takes_rsvps_where_the_model_does(actions):
    # when the database is asked which actions take an RSVP now
    taking = set(Action.objects.taking_rsvps().values_list("pk", flat=True))

    # then they are exactly the actions the model says are open and not high-risk
    expected = {
        name
        for name, action in actions.items()
        if Action.objects.filter(pk=action.pk).exclude(hub__status=Hub.Status.SUSPENDED).exists()
        and action.is_open_for_rsvp
        and not action.is_high_risk()
    }
    assert {name for name, action in actions.items() if action.pk in taking} == expected
    assert expected == {"open, in a campaign", "open, of no campaign", "under way"}


def test_every_action_taking_rsvps_is_public(actions):
    taking = Action.objects.taking_rsvps()

    assert set(taking.values_list("pk", flat=True)) <= set(
        Action.objects.public().values_list("pk", flat=True)
    )

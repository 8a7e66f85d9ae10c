"""High-risk countries: operators mark them for the instance, a campaign's coordinators add
more, and `campaigns.risk` is the one answer to "is this hub, this action high-risk?"."""

import pytest

from streetwave.actions.models import Action
from streetwave.audit.models import AuditEntry
from streetwave.campaigns import services
from streetwave.campaigns.risk import (
    high_risk_action_q,
    high_risk_country_q,
    high_risk_hub_q,
    is_high_risk_city,
)
from streetwave.core.errors import NotAllowed
from streetwave.hubs.models import Hub, Membership
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user("operator@example.org", is_operator=True)


@pytest.fixture
def world(campaign, make_campaign, make_city, make_hub, make_action):
    """Two campaigns; hubs with an action each in Berlin (DE), Tehran (IR) and Herat (AF)."""
    streets, other = campaign, make_campaign("other")
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    herat = make_city("Herat", country="AF", timezone="Asia/Kabul", lat=34.35, lon=62.2)
    hubs = {"DE": make_hub("Berlin hub"), "IR": make_hub("Tehran hub", city=tehran)}
    hubs["AF"] = make_hub("Herat hub", city=herat)
    actions = {
        (code, campaign.slug): make_action(hub=hub, campaign=campaign, title=f"{code} action")
        for code, hub in hubs.items()
        for campaign in (streets, other)
    }
    return {"streets": streets, "other": other, "hubs": hubs, "actions": actions}


def codes(queryset, path):
    return sorted(set(queryset.values_list(path, flat=True)))


def test_an_operator_marks_countries_for_every_hub_and_action(operator, world):
    services.set_high_risk_countries([Country.objects.get(code="IR")], actor=operator)

    assert codes(Hub.objects.filter(high_risk_hub_q()), "city__country__code") == ["IR"]
    risky = Action.objects.filter(high_risk_action_q())
    assert sorted((a.city.country.code, a.campaign.slug) for a in risky) == [
        ("IR", "other"),
        ("IR", "streets"),
    ]
    assert codes(Action.objects.exclude(high_risk_action_q()), "city__country__code") == [
        "AF",
        "DE",
    ]
    entry = AuditEntry.objects.get(verb="instance.high_risk_changed")
    assert entry.actor == operator and entry.data == {"added": ["IR"], "removed": []}


def test_a_campaigns_own_country_hides_its_actions_and_every_hub_there(make_coordinator, world):
    streets = world["streets"]
    afghanistan = Country.objects.get(code="AF")
    services.set_high_risk_countries(
        [afghanistan], campaign=streets, actor=make_coordinator(streets)
    )

    risky = Action.objects.filter(high_risk_action_q())
    assert [(a.city.country.code, a.campaign.slug) for a in risky] == [("AF", "streets")]
    # A hub belongs to no campaign: one campaign's list hides it everywhere.
    assert codes(Hub.objects.filter(high_risk_hub_q()), "city__country__code") == ["AF"]
    herat = world["hubs"]["AF"].city
    assert is_high_risk_city(herat, streets) and not is_high_risk_city(herat, world["other"])
    assert is_high_risk_city(herat)
    assert codes(Country.objects.filter(high_risk_country_q(streets)), "code") == ["AF"]
    assert codes(Country.objects.filter(high_risk_country_q(world["other"])), "code") == []


def test_rows_reached_through_a_prefix_are_filtered_the_same_way(operator, world, make_member):
    services.set_high_risk_countries([Country.objects.get(code="IR")], actor=operator)
    tehran_hub = world["hubs"]["IR"]
    make_member(tehran_hub), make_member(world["hubs"]["DE"])
    assert tehran_hub.memberships.count() == 1
    assert Membership.objects.filter(high_risk_hub_q("hub__")).count() == (
        tehran_hub.memberships.count()
    )


def test_a_country_with_hubs_stays_high_risk(operator, world):
    iran = Country.objects.get(code="IR")
    services.set_high_risk_countries([iran], actor=operator)

    with pytest.raises(services.StaysHighRisk) as refused:
        services.set_high_risk_countries([], actor=operator)

    assert "Country IR" in refused.value.message
    assert Country.objects.get(code="IR").high_risk


def test_a_country_without_hubs_or_actions_can_be_taken_off(operator, world, make_city):
    make_city("Baghdad", country="IQ", timezone="Asia/Baghdad", lat=33.3, lon=44.4)
    iraq = Country.objects.get(code="IQ")
    services.set_high_risk_countries([iraq], actor=operator)

    services.set_high_risk_countries([], actor=operator)

    assert not Country.objects.filter(high_risk=True).exists()
    assert AuditEntry.objects.filter(verb="instance.high_risk_changed").count() == 2


def test_only_operators_mark_the_instance_and_only_coordinators_a_campaign(
    coordinator, organizer, world, campaign
):
    iran = Country.objects.get(code="IR")
    with pytest.raises(NotAllowed):
        services.set_high_risk_countries([iran], actor=coordinator)
    with pytest.raises(NotAllowed):
        services.set_high_risk_countries([iran], campaign=world["streets"], actor=organizer)
    with pytest.raises(NotAllowed):
        services.set_high_risk_countries([iran], campaign=world["other"], actor=coordinator)
    services.set_high_risk_countries([iran], campaign=campaign, actor=coordinator)
    assert list(campaign.high_risk_countries.values_list("code", flat=True)) == ["IR"]


def test_the_operator_page_saves_the_list_and_refuses_with_the_reason(
    client, login, operator, world
):
    login(client, operator)
    iran = Country.objects.get(code="IR")
    url = "/en/manage/instance/high-risk/"

    assert client.get(url).status_code == 200
    saved = client.post(url, {"countries": [iran.pk]}, follow=True)
    assert "The high-risk countries are saved." in saved.content.decode()
    assert Country.objects.get(code="IR").high_risk

    refused = client.post(url, {"countries": []})
    assert refused.status_code == 409
    assert "the country stays high-risk" in refused.content.decode()


def test_a_campaign_page_shows_the_instance_list_beside_its_own(
    client, login, coordinator, campaign, operator, world
):
    services.set_high_risk_countries([Country.objects.get(code="IR")], actor=operator)
    login(client, coordinator)
    url = f"/fa/manage/campaigns/{campaign.slug}/high-risk/"
    page = client.get(url).content.decode()
    assert "کشور IR" in page

    afghanistan = Country.objects.get(code="AF")
    assert client.post(url, {"countries": [afghanistan.pk]}).status_code == 302
    assert list(campaign.high_risk_countries.all()) == [afghanistan]

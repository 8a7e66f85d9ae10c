"""Hubs in high-risk countries show no people: hidden from every public list and page and from
the API, seen by coordinators as a count only (docs/privacy.md, "High-risk countries")."""

import pytest

from streetwave.campaigns.models import Campaign
from streetwave.hubs import services
from streetwave.hubs.forms import FoundingHubForm, StartHubForm
from streetwave.hubs.models import Membership, Participation
from streetwave.hubs.queries import answers_to, pending_items_for
from streetwave.hubs.tree import hub_tree_for
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran(make_city):
    return make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)


@pytest.fixture
def inside(make_hub, tehran):
    """A hub in Tehran, Iran being high-risk for the whole instance."""
    hub = make_hub("Tehran hub", city=tehran)
    Country.objects.filter(code="IR").update(high_risk=True)
    return hub


def test_a_high_risk_hubs_public_page_is_the_404_of_a_missing_hub(client, inside):
    unknown = "aaaaaaaaaaaaaaaa"
    hidden = client.get(f"/en/h/{inside.public_id}/")
    missing = client.get(f"/en/h/{unknown}/")

    assert hidden.status_code == missing.status_code == 404
    # The same page but for the address it was asked at (its language links carry it).
    assert hidden.content.decode().replace(inside.public_id, unknown) == missing.content.decode()
    assert client.get(f"/en/h/{inside.public_id}/calendar.ics").status_code == 404


def test_a_hub_high_risk_for_one_campaign_only_is_hidden_too(client, make_hub, tehran, campaign):
    hub = make_hub("Tehran hub", city=tehran)
    campaign.high_risk_countries.add(Country.objects.get(code="IR"))

    assert client.get(f"/en/h/{hub.public_id}/").status_code == 404


def test_no_public_page_links_a_high_risk_hub_to_its_sponsor_or_sponsored(client, make_hub, inside):
    # Given a hub abroad that vouched for the Tehran hub, and one the Tehran hub vouched for.
    abroad = make_hub("Berlin hub")
    inside.sponsor = abroad
    inside.save(update_fields=["sponsor"])
    sponsored = make_hub("Hamburg hub", sponsor=inside)

    # Then neither page names or links the Tehran hub.
    for hub in (abroad, sponsored):
        html = client.get(f"/en/h/{hub.public_id}/").content.decode()
        assert "Tehran" not in html and inside.public_id not in html
    assert "Sponsored by" not in client.get(f"/en/h/{sponsored.public_id}/").content.decode()


def test_the_api_lists_and_shows_no_high_risk_hub(client, make_hub, inside):
    abroad = make_hub("Berlin hub")
    inside.sponsor = abroad
    inside.save(update_fields=["sponsor"])
    sponsored = make_hub("Hamburg hub", sponsor=inside)

    listed = client.get("/api/v1/hubs", {"limit": 100}).json()["items"]
    hidden = client.get(f"/api/v1/hubs/{inside.public_id}")
    missing = client.get("/api/v1/hubs/aaaaaaaaaaaaaaaa")

    assert sorted(item["name"] for item in listed) == ["Berlin hub", "Hamburg hub"]
    assert next(item for item in listed if item["name"] == "Hamburg hub")["sponsor"] is None
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert client.get(f"/api/v1/hubs/{abroad.public_id}").json()["sponsored"] == []
    assert client.get(f"/api/v1/hubs/{sponsored.public_id}").json()["sponsor"] is None


def test_the_api_list_stays_one_query_with_the_sponsor_check(
    client, make_hub, inside, django_assert_max_num_queries
):
    for number in range(5):
        make_hub(f"Hub {number}", sponsor=inside if number % 2 else None)

    with django_assert_max_num_queries(1):
        assert len(client.get("/api/v1/hubs", {"limit": 100}).json()["items"]) == 5


def test_its_own_members_still_reach_their_hub(client, login, make_member, inside):
    member = make_member(inside, Membership.Role.LEAD)
    login(client, member)

    response = client.get(f"/en/manage/hubs/{inside.public_id}/")

    assert response.status_code == 200
    assert "Tehran hub" in response.content.decode()
    assert "This hub is in a high-risk country" in response.content.decode()
    # The link to a public page that does not exist is not offered.
    assert f'href="/en/h/{inside.public_id}/"' not in response.content.decode()


@pytest.fixture
def chain(make_campaign, make_hub, make_action, make_member, tehran):
    """Berlin hub > Tehran hub > Hamburg hub, each with an action in the campaign, and Paris hub
    sponsored by Berlin, with none; Iran is high-risk."""
    campaign = make_campaign()
    berlin = make_hub("Berlin hub")
    inside = make_hub("Tehran hub", city=tehran, sponsor=berlin)
    hamburg = make_hub("Hamburg hub", sponsor=inside)
    make_hub("Paris hub", sponsor=berlin)
    for hub in (berlin, inside, hamburg):
        make_action(hub=hub, campaign=campaign)
        make_member(hub, Membership.Role.LEAD)
    Country.objects.filter(code="IR").update(high_risk=True)
    return campaign, berlin, inside, hamburg


def test_the_hub_tree_counts_high_risk_hubs_and_draws_no_line_through_them(chain):
    campaign, *_ = chain

    tree = hub_tree_for(campaign)

    assert sorted(node.hub.name for node in tree.roots) == ["Berlin hub", "Hamburg hub"]
    assert all(not node.children for node in tree.roots)
    assert tree.inside == 1
    assert tree.levels == [(0, 1), (2, 1)]
    assert sum(week.added for week in tree.growth) == 2


def test_a_sponsor_shown_only_to_reach_a_high_risk_hub_is_not_shown(
    make_campaign, make_hub, make_action, tehran
):
    # Given a hub abroad that takes no part, whose only hub in the campaign is in Tehran.
    campaign = make_campaign()
    berlin = make_hub("Berlin hub")
    make_action(hub=make_hub("Tehran hub", city=tehran, sponsor=berlin), campaign=campaign)
    Country.objects.filter(code="IR").update(high_risk=True)

    tree = hub_tree_for(campaign)

    assert (tree.roots, tree.levels, tree.inside) == ([], [], 1)


def test_the_coordinators_pages_name_no_high_risk_hub(client, login, chain, make_coordinator):
    campaign, *_ = chain
    login(client, make_coordinator(campaign))

    for page in ("hubs/", "answers/"):
        html = client.get(f"/en/manage/campaigns/{campaign.slug}/{page}").content.decode()
        assert "Tehran" not in html
        assert "1 hub in a high-risk country answered the call" in html
    counts = client.get(f"/en/manage/campaigns/{campaign.slug}/counts/").content.decode()
    per_hub = counts.split("Per hub", 1)[1].split("Per action", 1)[0]
    assert "Tehran" not in per_hub and "Hamburg hub" in per_hub
    dashboard = client.get("/en/manage/").content.decode()
    assert "Tehran" not in dashboard and "Hamburg hub" in dashboard
    assert "1 hub in a high-risk country has actions in this campaign" in dashboard


def test_a_high_risk_hubs_answer_needs_no_coordinator_who_could_not_see_it(
    make_campaign, make_hub, make_member, make_coordinator, tehran
):
    # Given a campaign whose coordinators accept each hub.
    campaign = make_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(hub_policy=Campaign.HubPolicy.APPROVAL)
    campaign.refresh_from_db()
    inside = make_hub("Tehran hub", city=tehran)
    abroad = make_hub("Berlin hub")
    Country.objects.filter(code="IR").update(high_risk=True)

    # When both hubs answer its call.
    for hub in (inside, abroad):
        services.answer_call(hub, campaign=campaign, actor=make_member(hub, Membership.Role.LEAD))

    # Then the Tehran hub takes part at once, and no coordinator is asked about it.
    states = dict(Participation.objects.values_list("hub__name", "state"))
    assert states == {"Tehran hub": "accepted", "Berlin hub": "pending"}
    waiting = pending_items_for(make_coordinator(campaign))
    assert [item.text for item in waiting if "Tehran" in item.text] == []
    assert answers_to(campaign).inside == 1


@pytest.mark.parametrize("form", [StartHubForm, FoundingHubForm])
def test_the_name_field_says_the_name_is_public_and_no_real_name(form):
    help_text = str(form.base_fields["name"].help_text)

    assert "public" in help_text and "real name" in help_text


def test_a_proposal_in_a_high_risk_country_is_for_coordinators_to_approve_alone(
    client, login, make_proposal, voucher_hubs, tehran, campaign, make_coordinator
):
    # Given a confirmed proposal in Tehran, and an organizer abroad who may vouch.
    proposal = make_proposal("Tehran hub", city=tehran)
    Country.objects.filter(code="IR").update(high_risk=True)
    (hamburg, organizer), _other = voucher_hubs

    # Then no organizer is offered it, can open it or vouch for it.
    assert [item for item in pending_items_for(organizer) if "Tehran" in item.text] == []
    login(client, organizer)
    assert client.get(f"/en/manage/proposals/{proposal.public_id}/").status_code == 404
    with pytest.raises(services.NotAProposal):
        services.vouch_for_hub(proposal, voucher_hub=hamburg, actor=organizer)

    # And a coordinator sees it in the tree and approves it.
    coordinator = make_coordinator(campaign)
    login(client, coordinator)
    tree = client.get(f"/en/manage/campaigns/{campaign.slug}/hubs/").content.decode()
    assert "Tehran hub" in tree
    services.approve_hub(proposal, campaign=campaign, actor=coordinator)
    proposal.refresh_from_db()
    assert proposal.is_active

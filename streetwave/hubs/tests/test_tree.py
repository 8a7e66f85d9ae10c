import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streetwave.hubs.models import Hub, Membership
from streetwave.hubs.services import vouch_for_hub
from streetwave.hubs.tree import hub_tree_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree_world(make_campaign, make_hub, make_action, make_member):
    """root (no action in the campaign) > child (2 actions) > grandchild (1 action); a second
    campaign's hub elsewhere; members whose addresses must never show."""
    campaign = make_campaign()
    root = make_hub("Root hub")
    child = make_hub("Child hub", sponsor=root)
    grandchild = make_hub("Grandchild hub", sponsor=child)
    make_action(hub=child, campaign=campaign)
    make_action(hub=child, campaign=campaign, status="draft")
    make_action(hub=grandchild, campaign=campaign)
    outsider = make_hub("Outsider hub")
    make_action(hub=outsider, campaign=make_campaign(slug="other"))
    for hub in (root, child, grandchild):
        make_member(hub, Membership.Role.LEAD, user=None)
    return campaign, root, child, grandchild


def test_the_tree_nests_hubs_under_their_sponsors_and_counts_levels(tree_world):
    campaign, root, child, grandchild = tree_world
    tree = hub_tree_for(campaign)
    [top] = tree.roots
    assert (top.hub, top.actions) == (root, 0)
    [middle] = top.children
    assert (middle.hub, middle.actions) == (child, 2)
    assert [(n.hub, n.actions) for n in middle.children] == [(grandchild, 1)]
    assert tree.taking_part == 2
    assert tree.levels == [(0, 1), (1, 1), (2, 1)]


def test_growth_is_counted_by_week_of_activation(tree_world):
    campaign, root, _child, _grandchild = tree_world
    monday = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    Hub.objects.filter(pk=root.pk).update(activated_at=monday - dt.timedelta(days=7))
    Hub.objects.update(activated_at=monday + dt.timedelta(days=2))
    Hub.objects.filter(pk=root.pk).update(activated_at=monday - dt.timedelta(days=6))
    growth = hub_tree_for(campaign).growth
    assert [(w.starts, w.added, w.total) for w in growth] == [
        (dt.date(2025, 12, 29), 1, 1),
        (dt.date(2026, 1, 5), 2, 3),
    ]


def test_a_coordinator_sees_the_tree_and_the_proposals_never_members(
    client, login, tree_world, make_coordinator, make_proposal, voucher_hubs
):
    campaign, *_ = tree_world
    proposal = make_proposal(email="canary-applicant@example.org")
    (hamburg, organizer), _other = voucher_hubs
    vouch_for_hub(proposal, voucher_hub=hamburg, actor=organizer)
    coordinator = make_coordinator(campaign)

    html = login(client, coordinator).get(f"/en/manage/campaigns/{campaign.slug}/hubs/").content
    html = html.decode()

    flat = re.sub(r"\s+", " ", html)
    assert re.search(r"Root hub</a>.*?<ul>.*?Child hub</a>.*?<ul>.*?Grandchild hub</a>", flat)
    assert "has not answered the call" in html and "Outsider hub" not in html
    assert "Level 2" in html
    assert "Leipzig hub" in html and "1 of 2" in html
    assert f"/en/manage/campaigns/{campaign.slug}/hubs/{proposal.public_id}/approve/" in html
    assert "canary-applicant" not in html
    for membership in Membership.objects.select_related("user"):
        assert membership.user.email not in html


def test_a_coordinator_approves_a_proposal_from_the_tree(
    client, login, tree_world, make_coordinator, make_proposal
):
    campaign, *_ = tree_world
    proposal = make_proposal()
    login(client, make_coordinator(campaign))
    response = client.post(
        f"/en/manage/campaigns/{campaign.slug}/hubs/{proposal.public_id}/approve/"
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.ACTIVE


def test_the_tree_is_404_for_everyone_but_the_campaigns_coordinators(
    client, login, tree_world, make_coordinator, make_proposal
):
    campaign, _root, child, _grandchild = tree_world
    proposal = make_proposal()
    tree = f"/en/manage/campaigns/{campaign.slug}/hubs/"
    approve = f"{tree}{proposal.public_id}/approve/"
    lead_of_a_hub_in_it = child.memberships.get().user
    other_coordinator = make_coordinator(campaign.__class__.objects.get(slug="other"))
    for user in (lead_of_a_hub_in_it, other_coordinator):
        login(client, user)
        assert client.get(tree).status_code == 404
        assert client.post(approve).status_code == 404
    assert client.get("/en/manage/campaigns/no-such-campaign/hubs/").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.PROPOSED
    client.logout()
    assert client.get(tree).status_code == 302


def test_the_tree_page_is_right_to_left_in_persian(client, login, tree_world, make_coordinator):
    campaign, *_ = tree_world
    html = login(client, make_coordinator(campaign)).get(
        f"/fa/manage/campaigns/{campaign.slug}/hubs/"
    )
    assert '<html lang="fa" dir="rtl">' in html.content.decode()


def test_the_tree_query_count_does_not_grow_with_the_tree(
    client, login, tree_world, make_coordinator, make_hub, make_action, make_proposal, make_city
):
    campaign, root, _child, grandchild = tree_world
    login(client, make_coordinator(campaign))
    url = f"/en/manage/campaigns/{campaign.slug}/hubs/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # The first request of a session also brings the session's record up to date.
    count()
    small = count()
    parent = grandchild
    for number in range(5):
        parent = make_hub(f"Deeper {number}", sponsor=parent)
        make_action(hub=make_hub(f"Side {number}", sponsor=root), campaign=campaign)
        make_proposal(f"Proposal {number}", city=make_city(f"City {number}"))
    make_action(hub=parent, campaign=campaign, starts_in=timezone.timedelta(days=3))
    assert count() == small
    assert small <= 15

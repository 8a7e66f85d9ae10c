import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streetwave.actions import services as actions
from streetwave.audit.services import record
from streetwave.hubs import queries
from streetwave.hubs.models import Membership
from streetwave.hubs.queries import PendingItem

pytestmark = pytest.mark.django_db


def count_cell(number: str, html: str) -> bool:
    """A table cell holding `number` (on a phone the cell also names its column)."""
    return re.search(rf'<td class="num"[^>]*>{number}</td>', html) is not None


CANARY_EMAIL = "canary-supporter@example.org"
CANARY_NAME = "Canary Pseudonym"


def rsvp(action, number=0):
    actions.create_rsvp(
        action,
        pseudonym=f"{CANARY_NAME} {number}",
        email=f"{number}-{CANARY_EMAIL}",
        language="fa",
        consent=True,
    )


@pytest.fixture
def organizer_world(make_hub, make_member, make_action, make_campaign):
    """An organizer's hub with an action three people RSVPed to, and someone else's hub."""
    campaign = make_campaign()
    hub = make_hub("Berlin hub")
    organizer = make_member(hub, Membership.Role.ORGANIZER)
    action = make_action(hub=hub, campaign=campaign, title="Vigil at the Brandenburger Tor")
    for number in range(3):
        rsvp(action, number)
    other = make_hub("Elsewhere hub")
    make_action(hub=other, campaign=campaign, title="Someone else's march")
    return campaign, hub, organizer, action


def test_an_organizer_sees_hubs_roles_actions_and_counts_but_no_people(
    client, login, organizer_world
):
    _campaign, _hub, organizer, action = organizer_world
    login(client, organizer)
    response = client.get("/en/manage/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Berlin hub" in html and "Your role: hub organizer" in html
    assert "Vigil at the Brandenburger Tor" in html
    assert f'href="/en/manage/actions/{action.public_id}/"' in html
    assert count_cell("3", html)
    assert "Someone else&#x27;s march" not in html and "Elsewhere hub" not in html
    assert CANARY_EMAIL not in html and CANARY_NAME not in html
    assert 'href="/en/accounts/sessions/"' in html


def test_a_member_sees_the_actions_without_counts(client, login, organizer_world, make_member):
    _campaign, hub, _organizer, _action = organizer_world
    member = make_member(hub, Membership.Role.MEMBER)
    html = login(client, member).get("/en/manage/").content.decode()
    assert "Vigil at the Brandenburger Tor" in html
    assert not count_cell("3", html)


def test_a_coordinator_sees_counts_per_hub_and_per_action_never_people(
    client, login, organizer_world, make_coordinator, make_action
):
    campaign, hub, _organizer, _action = organizer_world
    make_action(hub=hub, campaign=campaign, title="A plan still in draft", status="draft")
    coordinator = make_coordinator(campaign)
    html = login(client, coordinator).get("/en/manage/").content.decode()
    assert "Campaigns you coordinate" in html
    assert "Going: 3. On a waitlist: 0." in html
    assert "Berlin hub" in html and "Elsewhere hub" in html
    assert "Vigil at the Brandenburger Tor" in html and "Someone else&#x27;s march" in html
    assert f"/en/manage/campaigns/{campaign.slug}/hubs/" in html
    # drafts are their hub's business until submitted
    assert "A plan still in draft" not in html
    assert CANARY_EMAIL not in html and CANARY_NAME not in html


def test_proposals_wait_for_the_vouch_of_organizers_until_they_vouch(
    client, login, make_proposal, voucher_hubs
):
    proposal = make_proposal(email="canary-applicant@example.org")
    (hamburg, organizer), _other = voucher_hubs
    login(client, organizer)
    html = client.get("/en/manage/").content.decode()
    assert "Leipzig hub in Leipzig asks to be vouched for. It has 0 vouches of 2." in html
    assert f'href="/en/manage/proposals/{proposal.public_id}/"' in html
    assert "canary-applicant" not in html

    client.post(f"/en/manage/proposals/{proposal.public_id}/", {"voucher_hub": hamburg.public_id})
    html = client.get("/en/manage/").content.decode()
    assert "asks to be vouched for" not in html
    assert "Vouched for a proposed hub" in html


def test_members_are_not_asked_to_vouch(client, login, make_proposal, make_hub, make_member):
    make_proposal()
    member = make_member(make_hub(), Membership.Role.MEMBER)
    html = login(client, member).get("/en/manage/").content.decode()
    assert "asks to be vouched for" not in html
    assert "Nothing is waiting for you." in html


def test_other_apps_add_pending_items_through_the_registry(
    client, login, make_hub, make_member, monkeypatch
):
    organizer = make_member(make_hub(), Membership.Role.ORGANIZER)

    def confirmations(user):
        if user != organizer:
            return []
        return [PendingItem(text="A late change waits for your confirmation.", url="/en/x/")]

    monkeypatch.setattr(queries, "PENDING_SOURCES", [*queries.PENDING_SOURCES, confirmations])
    html = login(client, organizer).get("/en/manage/").content.decode()
    assert '<a href="/en/x/">A late change waits for your confirmation.</a>' in html


def test_recent_audit_entries_of_my_hubs_only(client, login, organizer_world, make_hub):
    _campaign, hub, organizer, _action = organizer_world
    record("invitation.created", actor=organizer, hub=hub)
    record("invitation.accepted", hub=make_hub("Secret hub"))
    html = login(client, organizer).get("/en/manage/").content.decode()
    assert "Invitation sent" in html
    assert "Invitation accepted" not in html
    # RSVPs are counted on the page, not listed one by one in the log
    assert "rsvp.created" not in html
    # the actor is named by display name only, never by address
    assert organizer.email not in html


def test_the_dashboard_is_right_to_left_in_persian(client, login, organizer_world):
    _campaign, _hub, organizer, _action = organizer_world
    html = login(client, organizer).get("/fa/manage/").content.decode()
    assert '<html lang="fa" dir="rtl">' in html


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/en/manage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    client,
    login,
    make_hub,
    make_member,
    make_action,
    make_campaign,
    make_coordinator,
    make_proposal,
    make_city,
):
    # given someone who leads a hub and coordinates a campaign
    campaign = make_campaign()
    user = make_member(make_hub("First hub"), Membership.Role.LEAD)
    make_coordinator(campaign, user=user)
    make_action(hub=user.memberships.get().hub, campaign=campaign)
    make_proposal("First proposal")
    login(client, user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/manage/").status_code == 200
        return len(queries)

    # The first request of a session also brings the session's record up to date.
    count()
    small = count()

    # when hubs, actions, proposals and log entries multiply
    for number in range(4):
        hub = make_hub(f"Hub {number}")
        make_member(hub, Membership.Role.ORGANIZER, user=user)
        for _ in range(3):
            make_action(hub=hub, campaign=campaign)
        make_proposal(f"Proposal {number}", city=make_city(f"City {number}"))

    # then the page needs no more queries
    assert count() == small
    assert small <= 30


def test_the_hub_page_shows_each_role_what_it_may_see(
    client, login, organizer_world, make_member, make_user
):
    # given a hub with a lead, an organizer and a member
    _campaign, hub, organizer, _action = organizer_world
    lead = make_member(hub, Membership.Role.LEAD, user=make_user("lead@example.org"))
    member = make_member(hub, Membership.Role.MEMBER, user=make_user("member@example.org"))
    url = f"/fa/manage/hubs/{hub.public_id}/"

    # the lead sees the people with a role, the invitation form and the counts
    html = login(client, lead).get(url).content.decode()
    assert 'dir="rtl"' in html
    assert "member@example.org" in html and 'name="email"' in html
    assert f"/members/{member.public_id}/remove/" in html
    assert count_cell("۳", html)

    # an organizer sees the actions and their counts, not the people
    html = login(client, organizer).get(url).content.decode()
    assert count_cell("۳", html)
    assert "member@example.org" not in html and "lead@example.org" not in html

    # a member sees the actions only
    html = login(client, member).get(url).content.decode()
    assert "Vigil at the Brandenburger Tor" in html
    assert not count_cell("۳", html) and "lead@example.org" not in html

    # and nobody sees a supporter
    for user in (lead, organizer, member):
        html = login(client, user).get(url).content.decode()
        assert CANARY_EMAIL not in html and CANARY_NAME not in html

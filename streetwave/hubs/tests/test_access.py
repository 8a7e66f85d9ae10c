"""Every URL of the hubs app, against every role: what a role may not use is a 404, the same as
a missing page; anonymous visitors of organizer pages are sent to sign in."""

import pytest
from django.urls import get_resolver

from streetwave.core.ids import hash_token
from streetwave.core.testing import ROLES_AROUND_ONE_HUB, without_csrf_tokens
from streetwave.hubs.models import HubApplication, Membership

pytestmark = pytest.mark.django_db

# The operator runs the instance: one role more than the apps' tables of organizer URLs.
EVERYONE = {*ROLES_AROUND_ONE_HUB, "operator"}
SIGNED_IN = EVERYONE - {"anonymous"}
HUB_PEOPLE = {"member", "safety_lead", "organizer", "lead"}
VOUCHERS = {"organizer", "lead", "other_hub_lead"}
VERIFY_TOKEN = "a-verification-token-only-this-test-knows"

# URL name -> (method, path, roles that may use it). Placeholders are filled from the world.
TABLE = {
    "detail": ("get", "/en/h/{hub}/", EVERYONE),
    "calendar": ("get", "/en/h/{hub}/calendar.ics", EVERYONE),
    "start": ("get", "/en/hubs/start/", EVERYONE),
    # The link is the key: whoever holds it may confirm, signed in or not.
    "verify": ("get", "/en/hubs/start/verify/{token}/", EVERYONE),
    "dashboard": ("get", "/en/manage/", SIGNED_IN),
    # One's own account: the page asks (the POST needs the password again, test_close_account)
    "close_account": ("get", "/en/manage/account/close/", SIGNED_IN),
    "manage_hub": ("get", "/en/manage/hubs/{hub}/", HUB_PEOPLE),
    "invite": ("post", "/en/manage/hubs/{hub}/invite/", {"lead"}),
    "remove_member": ("post", "/en/manage/hubs/{hub}/members/{member}/remove/", {"lead"}),
    "proposal": ("get", "/en/manage/proposals/{proposal}/", VOUCHERS),
    "tree": ("get", "/en/manage/campaigns/{campaign}/hubs/", {"coordinator"}),
    "approve": (
        "post",
        "/en/manage/campaigns/{campaign}/hubs/{proposal}/approve/",
        {"coordinator"},
    ),
    # Answering a campaign's call (the hub answered already: the button says so, no 404)
    "answer_call": ("post", "/en/manage/hubs/{hub}/answer/{campaign}/", {"organizer", "lead"}),
    "manage_answers": ("get", "/en/manage/campaigns/{campaign}/answers/", {"coordinator"}),
    "accept_answer": (
        "post",
        "/en/manage/campaigns/{campaign}/answers/{hub}/accept/",
        {"coordinator"},
    ),
    "manage_founding_hub": ("get", "/en/manage/campaigns/{campaign}/hubs/new/", {"coordinator"}),
    # The campaign's coordinators are the operators' to appoint and remove
    "manage_coordinators": ("get", "/en/manage/campaigns/{campaign}/coordinators/", {"operator"}),
    "remove_coordinator": (
        "post",
        "/en/manage/campaigns/{campaign}/coordinators/{coordinator}/remove/",
        {"operator"},
    ),
}

FORMS = {"invite": {"email": "new@example.org", "role": "organizer", "language": "en"}}


def test_every_url_of_hubs_has_a_row():
    _prefix, hubs = get_resolver().namespace_dict["hubs"]
    assert {name for name in hubs.reverse_dict if isinstance(name, str)} == set(TABLE)


@pytest.fixture
def world(
    make_campaign, make_hub, make_member, make_action, make_coordinator, make_proposal, make_user
):
    campaign = make_campaign()
    hub = make_hub("Our hub")
    make_action(hub=hub, campaign=campaign)
    users = {
        role: make_member(hub, role) for role in ("member", "safety_lead", "organizer", "lead")
    }
    users["other_hub_lead"] = make_member(make_hub("Their hub"), Membership.Role.LEAD)
    users["coordinator"] = make_coordinator(campaign)
    users["other_coordinator"] = make_coordinator(make_campaign(slug="elsewhere"))
    users["operator"] = make_user(is_operator=True)
    proposal = make_proposal()
    unconfirmed = make_proposal("Unconfirmed hub")
    HubApplication.objects.filter(hub=unconfirmed).update(
        verified_at=None, token_hash=hash_token(VERIFY_TOKEN)
    )
    values = {
        "hub": hub.public_id,
        "token": VERIFY_TOKEN,
        "member": users["member"].public_id,
        "proposal": proposal.public_id,
        "campaign": campaign.slug,
        "coordinator": users["coordinator"].public_id,
    }
    return users, values


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_role_reaches_exactly_what_the_table_allows(client, login, world, name, role):
    users, values = world
    method, path, allowed = TABLE[name]
    if role != "anonymous":
        login(client, users[role])
    url = path.format(**values)
    response = getattr(client, method)(url, FORMS.get(name, {}))
    if role in allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    elif role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404, (name, role, response.status_code)


def test_a_forbidden_hub_looks_exactly_like_a_missing_one(client, login, world):
    users, values = world
    login(client, users["other_hub_lead"])
    forbidden = client.get(f"/en/manage/hubs/{values['hub']}/")
    missing = client.get("/en/manage/hubs/aaaaaaaaaaaaaaaa/")
    assert forbidden.status_code == missing.status_code == 404
    # The language links repeat the path; apart from that (and the CSRF token of the header's
    # sign-out form, masked afresh each time) the pages are the same bytes.
    assert without_csrf_tokens(
        forbidden.content.replace(values["hub"].encode(), b"aaaaaaaaaaaaaaaa")
    ) == without_csrf_tokens(missing.content)

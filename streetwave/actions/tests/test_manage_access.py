"""Every organizer URL of actions, against every role: what a role may not use is a 404, the
same as a missing page; anonymous visitors are sent to sign in (organizer_required)."""

import datetime as dt

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import get_resolver

from streetwave.actions import services
from streetwave.actions.models import Action, RelayMessage
from streetwave.approvals.models import Approval
from streetwave.core.testing import ROLES_AROUND_ONE_HUB
from streetwave.hubs.models import Membership

pytestmark = pytest.mark.django_db

HUB_ORGANIZERS = {"lead", "organizer"}
HUB_PEOPLE = {"lead", "organizer", "safety_lead"}
COORDINATOR = {"coordinator"}

# URL name -> (method, path, roles that may use it). Placeholders are filled from the world.
TABLE = {
    "manage_hub_actions": ("get", "/en/manage/hubs/{hub}/actions/", HUB_ORGANIZERS),
    "manage_create": ("get", "/en/manage/hubs/{hub}/actions/new/", HUB_ORGANIZERS),
    "manage_overview": ("get", "/en/manage/actions/{action}/", HUB_ORGANIZERS),
    "manage_edit": ("get", "/en/manage/actions/{action}/edit/", HUB_ORGANIZERS),
    "manage_publish": ("post", "/en/manage/actions/{draft}/publish/", HUB_ORGANIZERS),
    "manage_preview": ("get", "/en/manage/actions/{draft}/preview/", HUB_ORGANIZERS),
    "manage_duplicate": ("post", "/en/manage/actions/{action}/duplicate/", HUB_ORGANIZERS),
    "manage_cancel": ("get", "/en/manage/actions/{action}/cancel/", HUB_ORGANIZERS),
    "manage_change_confirm": ("post", "/en/manage/changes/{change}/confirm/", HUB_ORGANIZERS),
    "manage_change_withdraw": ("post", "/en/manage/changes/{change}/withdraw/", HUB_ORGANIZERS),
    "manage_attendees": ("get", "/en/manage/actions/{action}/attendees/", HUB_PEOPLE),
    "manage_messages": ("get", "/en/manage/actions/{action}/messages/", HUB_PEOPLE),
    "manage_message_approve": ("post", "/en/manage/messages/{message}/approve/", HUB_PEOPLE),
    # The POST that sends: without a body it is a 400 for whoever may send, 404 for the rest.
    "manage_emergency": ("post", "/en/manage/actions/{action}/emergency/", HUB_PEOPLE),
    "manage_export_request": ("post", "/en/manage/actions/{action}/exports/", HUB_ORGANIZERS),
    "manage_export_approve": ("post", "/en/manage/exports/{export}/approve/", HUB_ORGANIZERS),
    # Only the organizer who asked for it, not even the lead who approved it.
    "manage_export_download": ("get", "/en/manage/exports/{ready}/download/", {"organizer"}),
    "manage_approvals": ("get", "/en/manage/campaigns/{campaign}/approvals/", COORDINATOR),
    "manage_approve": (
        "post",
        "/en/manage/campaigns/{campaign}/approvals/{pending}/approve/",
        COORDINATOR,
    ),
    "manage_reject": (
        "post",
        "/en/manage/campaigns/{campaign}/approvals/{pending}/reject/",
        COORDINATOR,
    ),
    "manage_counts": ("get", "/en/manage/campaigns/{campaign}/counts/", COORDINATOR),
}


def test_every_organizer_url_of_actions_has_a_row():
    _prefix, actions = get_resolver().namespace_dict["actions"]
    names = {name for name in actions.reverse_dict if isinstance(name, str)}
    assert {name for name in names if name.startswith("manage_")} == set(TABLE)


@pytest.fixture
def world(team, make_action, make_campaign, make_coordinator, make_hub, make_member, make_city):
    campaign = make_campaign()
    action = make_action(hub=team.hub, campaign=campaign, starts_in=dt.timedelta(hours=30))
    draft = make_action(hub=team.hub, campaign=campaign, status=Action.Status.DRAFT)
    pending = make_action(hub=team.hub, campaign=campaign, status=Action.Status.DRAFT)
    services.publish_action(pending, actor=team.lead)
    change = services.update_action(
        action,
        services.ActionDetails.of(action, place="Potsdamer Platz"),
        actor=team.lead,
    )
    # Held messages need more than 50 recipients; the table only needs one to exist.
    message = RelayMessage.objects.create(
        action=action, requested_by=team.lead, body="Hello", approval=Approval.HELD
    )
    export = services.request_attendee_export(action, actor=team.lead)
    ready = services.request_attendee_export(action, actor=team.organizer)
    services.approve_attendee_export(ready, actor=team.lead)
    other_hub = make_hub("Paris hub", city=make_city("Paris", country="FR", lat=48.85, lon=2.35))
    users = {
        "anonymous": None,
        "member": team.member,
        "safety_lead": team.safety_lead,
        "organizer": team.organizer,
        "lead": team.lead,
        "other_hub_lead": make_member(other_hub, Membership.Role.LEAD),
        "coordinator": make_coordinator(campaign),
        "other_coordinator": make_coordinator(make_campaign("elsewhere")),
    }
    ids = {
        "hub": team.hub.public_id,
        "action": action.public_id,
        "draft": draft.public_id,
        "pending": pending.public_id,
        "change": change.public_id,
        "message": message.public_id,
        "export": export.public_id,
        "ready": ready.public_id,
        "campaign": campaign.slug,
    }
    return users, ids


@pytest.mark.parametrize("role", ROLES_AROUND_ONE_HUB)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_role_reaches_exactly_what_the_table_allows(client, login, world, name, role):
    users, ids = world
    method, path, allowed = TABLE[name]
    url = path.format(**ids)
    if users[role] is not None:
        login(client, users[role])
    response = getattr(client, method)(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    elif role in allowed:
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 404


def test_a_missing_object_is_the_same_404(client, login, world):
    users, ids = world
    login(client, users["lead"])
    for name, (method, path, _allowed) in TABLE.items():
        url = path.format(**{key: "aaaaaaaaaaaaaaaa" for key in ids})
        assert getattr(client, method)(url).status_code == 404, name

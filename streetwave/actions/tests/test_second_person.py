"""A late change needs a second person (privacy rule 6): another organizer of the hub or, when
the hub has none, a coordinator of the action's campaign. Never the requester, never anyone else.

Decided: while the hub has its own second organizer, a coordinator is not offered the change;
the campaign stands in only where nobody in the hub can."""

import datetime as dt

import pytest

from streetwave.actions import services
from streetwave.actions.models import ActionChange
from streetwave.approvals.errors import RequesterCannotApprove
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.hubs.models import Membership
from streetwave.hubs.permissions import late_change_confirmers

pytestmark = pytest.mark.django_db


@pytest.fixture
def lone(make_hub, make_member, make_campaign, make_coordinator, make_action):
    """A hub whose lead is its only organizer (like every demo hub), with a published action
    tomorrow in a campaign that has a coordinator."""

    class Lone:
        hub = make_hub()
        lead = make_member(hub, Membership.Role.LEAD)
        campaign = make_campaign()
        coordinator = make_coordinator(campaign)
        action = make_action(hub=hub, campaign=campaign, starts_in=dt.timedelta(hours=24))

    return Lone


def held_change(setting):
    return services.update_action(
        setting.action,
        services.ActionDetails.of(setting.action, place="Potsdamer Platz"),
        actor=setting.lead,
    )


def test_in_a_hub_with_one_organizer_a_coordinator_of_the_campaign_confirms(
    client, login, lone, django_capture_on_commit_callbacks
):
    # Given the only organizer of a hub moves an action that starts tomorrow
    change = held_change(lone)
    assert change.is_held
    # When a coordinator of the campaign opens the dashboard
    login(client, lone.coordinator)
    dashboard = client.get("/en/manage/").content.decode()
    # Then the change waits for them there, with a link to the campaign's approval page
    approvals_url = f"/en/manage/campaigns/{lone.campaign.slug}/approvals/"
    assert f"{approvals_url}#change-{change.public_id}" in dashboard
    page = client.get(approvals_url).content.decode()
    assert "Potsdamer Platz" in page
    assert f"/en/manage/changes/{change.public_id}/confirm/" in page
    # When they confirm it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/manage/changes/{change.public_id}/confirm/")
    # Then it applies, is recorded as theirs, and they are back on their own page
    assert response.status_code == 302 and response["Location"] == approvals_url
    change.refresh_from_db()
    lone.action.refresh_from_db()
    assert change.approval == Approval.APPROVED
    assert change.approved_by == lone.coordinator
    assert lone.action.place == "Potsdamer Platz"
    assert AuditEntry.objects.filter(verb="action.change_confirmed", actor=lone.coordinator)


def test_the_coordinator_may_withdraw_the_change_instead(client, login, lone):
    change = held_change(lone)
    login(client, lone.coordinator)
    client.post(f"/en/manage/changes/{change.public_id}/withdraw/")
    change.refresh_from_db()
    lone.action.refresh_from_db()
    assert change.approval == Approval.WITHDRAWN
    assert lone.action.place == "Alexanderplatz"


def test_the_requester_still_cannot_confirm_their_own_change(client, login, lone):
    # Given the lone organizer's held change
    change = held_change(lone)
    # When they try to confirm it themselves
    login(client, lone.lead)
    page = client.get(f"/en/manage/actions/{lone.action.public_id}/").content.decode()
    response = client.post(f"/en/manage/changes/{change.public_id}/confirm/", follow=True)
    # Then the page told them who confirms it, offered no button, and nothing applies
    assert "a coordinator of Streets for freedom has to confirm it" in page
    assert f"/en/manage/changes/{change.public_id}/confirm/" not in page
    assert "you asked for it yourself" in response.content.decode()
    change.refresh_from_db()
    assert change.is_held


def test_a_requester_who_is_also_a_coordinator_cannot_confirm_as_coordinator(
    lone, make_coordinator
):
    # Given the lone organizer is also a coordinator of the action's campaign
    make_coordinator(lone.campaign, user=lone.lead)
    change = held_change(lone)
    # Then they are not their own second person; the other coordinator is
    second = late_change_confirmers(lone.action, requester_id=lone.lead.pk)
    assert second.kind == "campaign" and second.user_ids == {lone.coordinator.pk}
    with pytest.raises(RequesterCannotApprove):
        services.confirm_action_change(change, actor=lone.lead)


@pytest.mark.parametrize("outsider", ["other_coordinator", "other_hub_lead"])
def test_outsiders_get_404_and_change_nothing(
    client, login, lone, outsider, make_campaign, make_coordinator, make_hub, make_member
):
    change = held_change(lone)
    if outsider == "other_coordinator":
        user = make_coordinator(make_campaign(slug="elsewhere"))
    else:
        user = make_member(make_hub("Hamburg hub"), Membership.Role.LEAD)
    login(client, user)
    for verb in ("confirm", "withdraw"):
        response = client.post(f"/en/manage/changes/{change.public_id}/{verb}/")
        assert response.status_code == 404
    assert f"#change-{change.public_id}" not in client.get("/en/manage/").content.decode()
    change.refresh_from_db()
    assert change.is_held


def test_a_hub_with_a_second_organizer_keeps_the_change_to_itself(client, login, lone, make_member):
    # Given the hub has a second organizer
    organizer = make_member(lone.hub, Membership.Role.ORGANIZER)
    change = held_change(lone)
    # Then the coordinator is not offered the change: not on the dashboard, not on the queue,
    # and posting is a 404
    login(client, lone.coordinator)
    assert f"#change-{change.public_id}" not in client.get("/en/manage/").content.decode()
    page = client.get(f"/en/manage/campaigns/{lone.campaign.slug}/approvals/").content.decode()
    assert change.public_id not in page
    assert client.post(f"/en/manage/changes/{change.public_id}/confirm/").status_code == 404
    # while the hub's second organizer is
    second = late_change_confirmers(lone.action, requester_id=lone.lead.pk)
    assert second.kind == "hub" and second.user_ids == {organizer.pk}


def test_a_safety_lead_does_not_count_as_a_second_organizer(lone, make_member):
    make_member(lone.hub, Membership.Role.SAFETY_LEAD)
    second = late_change_confirmers(lone.action, requester_id=lone.lead.pk)
    assert second.kind == "campaign"


# What a page says, before submitting, about who would decide, in each situation of the lone hub
WHO_DECIDES = {
    "second_organizer": "Who {verb}s it: another organizer of your hub.",
    "alone": "Who {verb}s it: a coordinator of Streets for freedom",
    "no_campaign": "Nobody can {verb} it yet",
}


@pytest.fixture(params=sorted(WHO_DECIDES))
def situation(request, lone, make_member):
    """The lone hub in one of three situations: it has a second organizer after all, it is
    alone, or its action is in no campaign."""
    if request.param == "second_organizer":
        make_member(lone.hub, Membership.Role.ORGANIZER)
    if request.param == "no_campaign":
        lone.action.campaign = None
        lone.action.save(update_fields=["campaign"])
    return request.param


def test_the_edit_page_says_who_confirms_a_late_change_before_saving(
    client, login, lone, situation
):
    # Given a published action and a hub in one of three situations
    # When its organizer opens the edit form
    login(client, lone.lead)
    page = client.get(f"/en/manage/actions/{lone.action.public_id}/edit/").content.decode()
    # Then it says who would confirm a late change
    assert WHO_DECIDES[situation].format(verb="confirm") in page


def test_after_saving_the_organizer_is_told_who_confirms(client, login, lone):
    # Given the lone organizer moves the action through the form
    login(client, lone.lead)
    form = client.get(f"/en/manage/actions/{lone.action.public_id}/edit/").context["form"]
    data = {
        name: field.widget.format_value(form[name].value()) or ""
        for name, field in form.fields.items()
    }
    data["place"] = "Potsdamer Platz"
    response = client.post(f"/en/manage/actions/{lone.action.public_id}/edit/", data, follow=True)
    # Then the held-change message names the campaign whose coordinator confirms it
    page = response.content.decode()
    assert "waits until a coordinator of Streets for freedom confirms it" in page
    assert ActionChange.objects.filter(action=lone.action, approval="held").exists()


def test_a_change_whose_requester_left_still_goes_to_the_hubs_organizers(
    client, login, lone, make_member
):
    # Given a hub with two organizers and a held change whose requester's account is gone
    organizer = make_member(lone.hub, Membership.Role.ORGANIZER)
    change = held_change(lone)
    ActionChange.objects.filter(pk=change.pk).update(requested_by=None)
    # Then both organizers may confirm it and the coordinator is still not offered it
    second = late_change_confirmers(lone.action, requester_id=None)
    assert second.kind == "hub" and second.user_ids == {lone.lead.pk, organizer.pk}
    login(client, lone.coordinator)
    assert f"#change-{change.public_id}" not in client.get("/en/manage/").content.decode()
    dashboard = login(client, organizer).get("/en/manage/").content.decode()
    assert f"/en/manage/actions/{lone.action.public_id}/" in dashboard


# Relay messages and attendee exports follow the same rule (docs/decisions/0003-*).


def held_message(setting, monkeypatch):
    monkeypatch.setattr("streetwave.actions.services.relay.RELAY_APPROVAL_THRESHOLD", 0)
    services.create_rsvp(
        setting.action, pseudonym="", email="s@example.org", language="en", consent=True
    )
    return services.send_relay_message(setting.action, body="Bring water", actor=setting.lead)


def requested_export(setting, monkeypatch):
    return services.request_attendee_export(setting.action, actor=setting.lead)


HELD = {
    "message": (held_message, "/en/manage/messages/{}/approve/"),
    "export": (requested_export, "/en/manage/exports/{}/approve/"),
}


@pytest.mark.parametrize("kind", HELD)
def test_in_a_hub_with_one_organizer_a_coordinator_approves_messages_and_exports(
    client, login, lone, monkeypatch, kind, django_capture_on_commit_callbacks
):
    # Given the only organizer of a hub writes to many attendees, or asks for an export
    hold, url = HELD[kind]
    held = hold(lone, monkeypatch)
    assert held.is_held
    # When a coordinator of the campaign opens the campaign's approval page
    login(client, lone.coordinator)
    approvals_url = f"/en/manage/campaigns/{lone.campaign.slug}/approvals/"
    page = client.get(approvals_url).content.decode()
    # Then it waits for them there, and they approve it
    assert url.format(held.public_id) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url.format(held.public_id))
    assert response.status_code == 302 and response["Location"] == approvals_url
    held.refresh_from_db()
    assert held.approval == Approval.APPROVED and held.approved_by == lone.coordinator


@pytest.mark.parametrize("kind", HELD)
def test_while_the_hub_has_a_second_organizer_the_coordinator_is_not_offered_it(
    client, login, lone, make_member, monkeypatch, kind
):
    # Given a hub with a second organizer, and something held by its lead
    make_member(lone.hub, Membership.Role.ORGANIZER)
    hold, url = HELD[kind]
    held = hold(lone, monkeypatch)
    # When a coordinator of the campaign tries to approve it
    login(client, lone.coordinator)
    response = client.post(url.format(held.public_id))
    # Then it is not theirs to see
    assert response.status_code == 404
    held.refresh_from_db()
    assert held.is_held


@pytest.mark.parametrize("page", ["messages", "attendees"])
def test_the_message_and_export_pages_say_who_approves_before_submitting(
    client, login, lone, situation, page
):
    # Given a published action and a hub in one of three situations
    # When its organizer opens the page to write to attendees or to ask for an export
    login(client, lone.lead)
    html = client.get(f"/en/manage/actions/{lone.action.public_id}/{page}/").content.decode()
    # Then it says who would approve
    assert WHO_DECIDES[situation].format(verb="approve") in html


@pytest.mark.parametrize("kind", HELD)
def test_the_coordinator_standing_in_finds_messages_and_exports_on_the_dashboard(
    client, login, lone, monkeypatch, kind
):
    # Given the only organizer of a hub holds something for a second person
    hold, _ = HELD[kind]
    held = hold(lone, monkeypatch)
    # When a coordinator of the campaign opens the dashboard
    login(client, lone.coordinator)
    dashboard = client.get("/en/manage/").content.decode()
    # Then it waits for them there, with a link to the campaign's approval page
    approvals_url = f"/en/manage/campaigns/{lone.campaign.slug}/approvals/"
    assert f"{approvals_url}#{kind}-{held.public_id}" in dashboard

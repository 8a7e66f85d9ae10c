"""Organizers create, edit and publish their hub's actions; coordinators approve them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action, hub_is_on_probation
from streetwave.audit.models import AuditEntry
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import DomainError, NotAllowed

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def form_data(days=3, **overrides):
    day = (timezone.now() + dt.timedelta(days=days)).astimezone(BERLIN).date()
    return {
        "title": "Vigil for the prisoners",
        "kind": "vigil",
        "campaign": "",
        "description": "Bring *candles*.",
        "start_date": day.isoformat(),
        "start_time": "18:00",
        "end_date": "",
        "end_time": "20:00",
        "place": "Brandenburger Tor",
        "latitude": "52.5163",
        "longitude": "13.3777",
        "meeting_point": "",
        "capacity": "",
        **overrides,
    }


def create(client, hub, language="en", **overrides):
    return client.post(
        f"/{language}/manage/hubs/{hub.public_id}/actions/new/", form_data(**overrides)
    )


def publish(client, action):
    return client.post(f"/en/manage/actions/{action.public_id}/publish/")


def approve(client, action, campaign=None):
    """Press a coordinator's approve button for `action` in the queue of `campaign` (its own
    campaign's unless given)."""
    slug = (campaign or action.campaign).slug
    return client.post(f"/en/manage/campaigns/{slug}/approvals/{action.public_id}/approve/")


def test_an_organizer_creates_a_draft_in_the_city_time_zone(client, login, team):
    # Given an organizer of a Berlin hub
    login(client, team.organizer)
    # When they plan an action at 18:00 local time
    response = create(client, team.hub)
    # Then a draft exists, stored in UTC, shown back in Berlin time, and nobody else sees it
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.status == Action.Status.DRAFT
    assert action.local_start.time() == dt.time(18, 0)
    assert action.starts_at.utcoffset() == dt.timedelta(0)
    assert action.starts_at == action.local_start.astimezone(dt.UTC)
    assert action.city == team.hub.city
    assert client.get(f"/en/a/{action.public_id}/").status_code == 404
    assert AuditEntry.objects.filter(verb="action.created", target_id=action.public_id).exists()


def test_the_form_shows_the_zone_and_its_offset_and_defaults_to_the_city_point(client, login, team):
    login(client, team.organizer)
    html = client.get(f"/fa/manage/hubs/{team.hub.public_id}/actions/new/").content.decode()
    assert 'dir="rtl"' in html
    assert "Europe/Berlin" in html
    assert "UTC+۰" in html  # the offset, in Persian digits
    assert f'value="{team.hub.city.latitude}"' in html


def test_the_place_pickers_fields_follow_the_public_place(client, login, team):
    login(client, team.organizer)
    # when an organizer opens the form of a new action
    html = client.get(f"/en/manage/hubs/{team.hub.public_id}/actions/new/").content.decode()
    # then the city and the point follow the public place, as the organizer reads the form
    names = ("place", "city_name", "latitude", "meeting_point")
    positions = [html.index(f'name="{name}"') for name in names]
    assert positions == sorted(positions)


def test_the_action_forms_place_picker_speaks_of_the_action(client, login, team):
    login(client, team.organizer)
    # when an organizer opens the form of a new action
    html = client.get(f"/en/manage/hubs/{team.hub.public_id}/actions/new/").content.decode()
    # then the picker's pin is the place where the action gathers, shown rounded to the public
    assert "The point shown to the public is rounded to about ten metres." in html
    assert "The pin only finds the city" not in html


def test_persian_digits_are_accepted(client, login, team):
    login(client, team.organizer)
    response = create(
        client,
        team.hub,
        language="fa",
        start_time="۱۸:۰۰",
        end_time="۲۰:۰۰",
        latitude="۵۲٫۵۱۶۳",
        capacity="۱۲۰",
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.local_start.time(), action.latitude, action.capacity) == (
        dt.time(18, 0),
        52.5163,
        120,
    )


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("en", "runs from"), ("fa", "کارزار")],
)
def test_a_time_outside_the_campaign_window_is_explained_in_the_users_language(
    client, login, team, make_campaign, language, fragment
):
    # Given a live campaign that ends in a week
    campaign = make_campaign()
    login(client, team.organizer)
    # When an organizer plans an action for after its end
    response = create(client, team.hub, language=language, days=10, campaign=campaign.slug)
    # Then the form comes back with the window, in their language and digits
    assert response.status_code == 400
    html = response.content.decode()
    assert fragment in html
    assert "Europe/Berlin" in html
    if language == "fa":
        assert "۲۰" in html  # the window's dates and times in Persian digits
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("day", "language", "fragment"),
    [
        # The clocks in Berlin go forward at 02:00 on 31 March 2030 and back at 03:00 on
        # 27 October 2030.
        ("2030-03-31", "en", "does not exist"),
        ("2030-10-27", "en", "happens twice"),
        ("2030-03-31", "fa", "وجود ندارد"),
        ("2030-10-27", "fa", "دو بار"),
    ],
)
def test_a_wall_clock_time_skipped_or_repeated_by_the_clocks_is_refused(
    client, login, team, day, language, fragment
):
    login(client, team.organizer)
    response = create(
        client, team.hub, language=language, start_date=day, start_time="02:30", end_time="04:00"
    )
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert not Action.objects.exists()


def test_an_end_before_the_start_and_a_start_in_the_past_are_refused(client, login, team):
    login(client, team.organizer)
    assert (
        "The end must be after the start."
        in create(client, team.hub, start_time="20:00", end_time="18:00").content.decode()
    )
    assert "already passed" in create(client, team.hub, days=-2).content.decode()
    assert not Action.objects.exists()


def test_an_overnight_action_ends_on_the_given_end_date(client, login, team):
    login(client, team.organizer)
    data = form_data()
    next_day = dt.date.fromisoformat(data["start_date"]) + dt.timedelta(days=1)
    create(client, team.hub, start_time="22:00", end_date=next_day.isoformat(), end_time="06:00")
    action = Action.objects.get()
    assert action.ends_at - action.starts_at == dt.timedelta(hours=8)


def test_only_live_campaigns_are_offered(client, login, team, make_campaign):
    live = make_campaign("live-one")
    draft = make_campaign("draft-one", status=Campaign.Status.DRAFT)
    login(client, team.organizer)
    html = client.get(f"/en/manage/hubs/{team.hub.public_id}/actions/new/").content.decode()
    assert f'value="{live.slug}"' in html and f'value="{draft.slug}"' not in html
    assert create(client, team.hub, campaign=draft.slug).status_code == 400


# Publishing and approval


@pytest.fixture
def draft(make_action, make_campaign, team):
    def make(policy=Campaign.ApprovalPolicy.PROBATION, *, campaign=True):
        chosen = None
        if campaign:
            chosen = make_campaign(f"c-{policy}")
            chosen.approval_policy = policy
            chosen.save()
        return make_action(hub=team.hub, campaign=chosen, status=Action.Status.DRAFT)

    return make


@pytest.fixture
def pending(team, draft):
    """An action of the team's hub, on probation, submitted: it waits for a coordinator."""
    action = draft()
    services.publish_action(action, actor=team.organizer)
    return action


def test_a_new_hub_is_on_probation_until_one_of_its_actions_has_taken_place(
    team, make_action, established
):
    make_action(hub=team.hub)  # upcoming: does not count
    assert hub_is_on_probation(team.hub)
    established(team.hub)
    assert not hub_is_on_probation(team.hub)


def test_a_probation_hub_needs_a_coordinators_approval(client, login, team, draft):
    # Given a hub on probation and a campaign that asks approval for such hubs (the default)
    action = draft()
    login(client, team.organizer)
    # When an organizer publishes
    publish(client, action)
    # Then the action waits, and the public sees nothing
    action.refresh_from_db()
    assert action.status == Action.Status.PENDING
    assert client.get(f"/en/a/{action.public_id}/").status_code == 404
    assert action not in Action.objects.public()


def test_an_established_hub_publishes_at_once_when_only_probation_needs_approval(
    client, login, team, draft, established
):
    established(team.hub)
    action = draft()
    login(client, team.organizer)
    publish(client, action)
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED
    assert client.get(f"/en/a/{action.public_id}/").status_code == 200


def test_approval_for_all_holds_even_an_established_hub(client, login, team, draft, established):
    established(team.hub)
    action = draft(Campaign.ApprovalPolicy.ALL)
    login(client, team.organizer)
    publish(client, action)
    action.refresh_from_db()
    assert action.status == Action.Status.PENDING


def test_no_approval_publishes_even_a_probation_hub_at_once(client, login, team, draft):
    action = draft(Campaign.ApprovalPolicy.NONE)
    login(client, team.organizer)
    publish(client, action)
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED


def test_a_probation_hub_cannot_publish_outside_a_campaign(client, login, team, draft):
    action = draft(campaign=False)
    login(client, team.organizer)
    response = client.post(f"/en/manage/actions/{action.public_id}/publish/", follow=True)
    action.refresh_from_db()
    assert action.status == Action.Status.DRAFT
    assert "must belong to a campaign" in response.content.decode()


def test_an_established_hub_publishes_outside_a_campaign(client, login, team, draft, established):
    established(team.hub)
    action = draft(campaign=False)
    login(client, team.organizer)
    publish(client, action)
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED


def test_a_proposed_hub_cannot_publish(client, login, team, draft):
    action = draft(Campaign.ApprovalPolicy.NONE)
    team.hub.status = "proposed"
    team.hub.save()
    login(client, team.organizer)
    publish(client, action)
    action.refresh_from_db()
    assert action.status == Action.Status.DRAFT


def test_a_coordinator_approves_from_the_queue(client, login, pending, make_coordinator):
    # Given an action of a probation hub waiting for approval
    action = pending
    coordinator = make_coordinator(action.campaign)
    login(client, coordinator)
    # When the coordinator opens the queue and approves
    queue = client.get(f"/en/manage/campaigns/{action.campaign.slug}/approvals/")
    assert "Rally for freedom" in queue.content.decode()
    assert "new hub" in queue.content.decode()
    approve(client, action)
    # Then the action is public
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED
    assert client.get(f"/en/a/{action.public_id}/").status_code == 200
    assert AuditEntry.objects.filter(verb="action.approved", actor=coordinator).exists()


def test_a_coordinator_rejects_with_a_reason_the_hub_reads(
    client, login, team, pending, make_coordinator
):
    action = pending
    login(client, make_coordinator(action.campaign))
    url = f"/en/manage/campaigns/{action.campaign.slug}/approvals/{action.public_id}/reject/"
    # A rejection needs a reason
    assert client.post(url, {}).status_code == 400
    client.post(url, {f"{action.public_id}-reason": "Please give the exact square."})
    action.refresh_from_db()
    assert action.status == Action.Status.DRAFT
    assert action.rejection_reason == "Please give the exact square."
    login(client, team.organizer)
    overview = client.get(f"/en/manage/actions/{action.public_id}/").content.decode()
    assert "Please give the exact square." in overview
    # The reason is prose: it stays out of the audit log
    entry = AuditEntry.objects.get(verb="action.rejected")
    assert "square" not in str(entry.data)


def test_a_coordinator_cannot_approve_an_action_they_submitted(
    client, login, team, draft, make_coordinator
):
    action = draft()
    make_coordinator(action.campaign, user=team.organizer)
    services.publish_action(action, actor=team.organizer)
    login(client, team.organizer)
    approve(client, action)
    action.refresh_from_db()
    assert action.status == Action.Status.PENDING


def test_a_coordinator_of_another_campaign_cannot_approve(
    client, login, pending, make_coordinator, make_campaign
):
    action = pending
    other = make_campaign("elsewhere")
    login(client, make_coordinator(other))
    assert client.get(f"/en/manage/campaigns/{action.campaign.slug}/approvals/").status_code == 404
    assert approve(client, action, other).status_code == 404
    action.refresh_from_db()
    assert action.status == Action.Status.PENDING


# Editing


def test_editing_a_draft_keeps_seconds_free_times_and_changes_nothing_else(
    client, login, team, make_action
):
    action = make_action(hub=team.hub, status=Action.Status.DRAFT)
    login(client, team.organizer)
    page = client.get(f"/en/manage/actions/{action.public_id}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(title="A new title", campaign="")
    for name in ("start_date", "end_date"):
        data[name] = data[name].isoformat() if data[name] else ""
    for name in ("start_time", "end_time"):
        data[name] = data[name].strftime("%H:%M")
    response = client.post(f"/en/manage/actions/{action.public_id}/edit/", data)
    assert response.status_code == 302
    before = (action.starts_at, action.ends_at)
    action.refresh_from_db()
    assert action.title == "A new title"
    assert (action.starts_at, action.ends_at) == before


def edit_data(client, action, **changes):
    form = client.get(f"/en/manage/actions/{action.public_id}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    for name in ("start_date", "end_date"):
        data[name] = data[name].isoformat() if data[name] else ""
    for name in ("start_time", "end_time"):
        data[name] = data[name].strftime("%H:%M")
    data.pop("campaign", None)  # disabled once published
    return {**data, **changes}


@pytest.mark.parametrize("field", ["title", "place", "description"])
def test_a_published_action_cannot_be_changed_to_carry_a_link_elsewhere(
    client, login, team, make_action, field
):
    # given a published action with people going
    action = make_action(hub=team.hub)
    login(client, team.organizer)

    # when one organizer slips a phishing link into what every supporter's mail shows
    response = client.post(
        f"/en/manage/actions/{action.public_id}/edit/",
        edit_data(client, action, **{field: "Confirm your RSVP at rsvp-check.example.net/x"}),
    )

    # then the change is refused on that field, in words, and nothing changes
    assert response.status_code == 400
    assert "rsvp-check.example.net/x" in " ".join(response.context["form"].errors[field])
    action.refresh_from_db()
    assert "example.net" not in getattr(action, field)


@pytest.mark.parametrize(
    "text", ["Vigil\r\nBcc: everyone@example.org", "Vigil\x07 here", "Vigil\u2028here"]
)
def test_a_title_or_place_on_more_than_one_line_is_refused(client, login, team, text):
    login(client, team.organizer)

    response = create(client, team.hub, language="fa", title=text, place=text)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "place"}
    assert "نویسه" in errors["title"][0]
    assert not Action.objects.exists()


def test_the_capacity_cannot_go_below_the_going_count(team, make_action, rsvp):
    action = make_action(hub=team.hub, capacity=5)
    for _ in range(3):
        rsvp(action)
    action.refresh_from_db()
    with pytest.raises(DomainError, match="3 people are already going"):
        services.update_action(
            action, services.ActionDetails.of(action, capacity=2), actor=team.organizer
        )
    action.refresh_from_db()
    assert action.capacity == 5


def test_raising_the_capacity_promotes_the_waitlist_in_order(
    team, make_action, rsvp, django_capture_on_commit_callbacks
):
    # Given a full action with three people waiting
    action = make_action(hub=team.hub, capacity=1)
    for n in range(4):
        rsvp(action, pseudonym=f"p{n}", email=f"p{n}@example.org")
    mail.outbox.clear()
    action.refresh_from_db()
    # When the organizers make room for two more
    with django_capture_on_commit_callbacks(execute=True):
        services.update_action(
            action, services.ActionDetails.of(action, capacity=3), actor=team.organizer
        )
    # Then the first two in line are going and told so
    statuses = dict(RSVP.objects.values_list("pseudonym", "status"))
    assert statuses == {"p0": "going", "p1": "going", "p2": "going", "p3": "waitlisted"}
    action.refresh_from_db()
    assert (action.going_count, action.waitlisted_count) == (3, 1)
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.org", "p2@example.org"]


def test_removing_the_limit_promotes_everyone_waiting(team, make_action, rsvp):
    action = make_action(hub=team.hub, capacity=1)
    for _ in range(3):
        rsvp(action)
    action.refresh_from_db()
    services.update_action(
        action, services.ActionDetails.of(action, capacity=None), actor=team.organizer
    )
    assert set(RSVP.objects.values_list("status", flat=True)) == {"going"}


def test_the_campaign_of_a_published_action_is_fixed(team, make_action, make_campaign):
    first, second = make_campaign("first"), make_campaign("second")
    action = make_action(hub=team.hub, campaign=first)
    with pytest.raises(DomainError, match="only while the action is a draft"):
        services.update_action(
            action, services.ActionDetails.of(action, campaign=second), actor=team.organizer
        )


def test_a_point_far_from_the_city_is_refused(team, make_action):
    action = make_action(hub=team.hub, status=Action.Status.DRAFT)
    with pytest.raises(DomainError, match="km from Berlin"):
        services.update_action(
            action,
            services.ActionDetails.of(action, latitude=48.85, longitude=2.35),
            actor=team.organizer,
        )


def test_the_services_ask_the_permission_table_too(team, make_action, rsvp):
    # Given people whose role does not allow the act, calling the services directly
    action = make_action(hub=team.hub, status=Action.Status.DRAFT)
    # Then each service refuses, whatever page or script called it
    with pytest.raises(NotAllowed):
        services.publish_action(action, actor=team.member)
    with pytest.raises(NotAllowed):
        services.update_action(
            action, services.ActionDetails.of(action, title="Taken over"), actor=team.safety_lead
        )
    with pytest.raises(NotAllowed):
        services.request_attendee_export(action, actor=team.safety_lead)
    with pytest.raises(NotAllowed):
        services.send_relay_message(action, body="Hello", actor=team.member)
    action.refresh_from_db()
    assert (action.status, action.title) == (Action.Status.DRAFT, "Rally for freedom")

"""Inside a high-risk country, actions are filed only after they happened: one service makes a
coarse action (the day, the city's centre) and its held report-back, and every public surface
shows it only once a second person verified it and HIGH_RISK_PUBLICATION_DELAY has passed."""

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.utils import timezone

from streetwave.actions.models import RSVP, Action, published_inside_q
from streetwave.actions.services import create_rsvp
from streetwave.actions.services.rsvps import NoRSVPInside
from streetwave.approvals.models import Approval
from streetwave.campaigns.live import _next_phase_change
from streetwave.campaigns.services import set_high_risk_countries
from streetwave.core.errors import NotAllowed
from streetwave.core.images import Region
from streetwave.hubs.models import Membership, Participation
from streetwave.places.models import Country
from streetwave.reportbacks import services
from streetwave.reportbacks.models import ReportBack
from streetwave.reportbacks.services.afterwards import (
    Afterwards,
    CampaignNotAnswered,
    DayNotPast,
    DayOutsideCampaign,
    HubNotInside,
    NotInside,
    file_action_afterwards,
)
from streetwave.reportbacks.services.photos import NoConsentingFacesInside, upload_photo
from streetwave.reportbacks.services.reports import Report
from streetwave.reportbacks.tests.photo_samples import plain_jpeg

pytestmark = pytest.mark.django_db


@dataclass
class Inside:
    campaign: object
    hub: object
    organizer: object
    lead: object
    tehran: object
    isfahan: object


@pytest.fixture
def inside(campaign, make_city, make_hub, make_member, make_user):
    """A hub in Tehran that answered the campaign's call, Iran marked high-risk by an operator."""
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    isfahan = make_city("Isfahan", country="IR", timezone="Asia/Tehran", lat=32.65, lon=51.67)
    hub = make_hub("Tehran hub", city=tehran)
    Participation.objects.create(hub=hub, campaign=campaign, state=Participation.State.ACCEPTED)
    operator = make_user("operator@example.org", is_operator=True)
    set_high_risk_countries([Country.objects.get(code="IR")], actor=operator)
    return Inside(
        campaign=campaign,
        hub=hub,
        organizer=make_member(hub, Membership.Role.ORGANIZER),
        lead=make_member(hub, Membership.Role.LEAD),
        tehran=tehran,
        isfahan=isfahan,
    )


def _today(city):
    return timezone.localtime(timezone.now(), city.zone).date()


def filed(inside, **changes):
    fields = {
        "campaign": inside.campaign,
        "day": _today(inside.tehran),
        "city": inside.tehran,
        "title": "Streets of Tehran",
        "kind": Action.Kind.MARCH,
        "report": Report(
            took_place=True,
            reason="",
            turnout=300,
            turnout_is_estimate=True,
            story="We walked.",
            language="fa",
        ),
    }
    return Afterwards(**{**fields, **changes})


def test_the_action_holds_the_day_and_the_city_only(inside):
    # when an organizer files an action that happened today
    report_back = file_action_afterwards(inside.hub, filed(inside), actor=inside.organizer)

    # then the action holds the day's bounds in the city's zone and the city's centre
    action = Action.objects.get()
    start = timezone.localtime(action.starts_at, inside.tehran.zone)
    end = timezone.localtime(action.ends_at, inside.tehran.zone)
    assert (start.hour, start.minute, start.date()) == (0, 0, _today(inside.tehran))
    assert end - start == dt.timedelta(days=1) and (end.hour, end.minute) == (0, 0)
    assert (action.latitude, action.longitude) == (35.69, 51.39)
    assert action.place == "Tehran" and action.capacity is None and action.after_the_fact
    # and its report-back waits for a second person
    assert report_back.approval == Approval.HELD and report_back.action == action
    assert report_back.turnout == 300


def test_another_city_of_the_country_is_taken_at_its_centre(inside):
    file_action_afterwards(inside.hub, filed(inside, city=inside.isfahan), actor=inside.organizer)

    action = Action.objects.get()
    assert (action.city, action.latitude, action.longitude) == (inside.isfahan, 32.65, 51.67)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"day": dt.date.today() + dt.timedelta(days=3)}, DayNotPast),
        ({"day": dt.date.today() - dt.timedelta(days=30)}, DayOutsideCampaign),
    ],
)
def test_a_day_to_come_or_outside_the_campaign_is_refused(inside, changes, error):
    with pytest.raises(error):
        file_action_afterwards(inside.hub, filed(inside, **changes), actor=inside.organizer)
    assert not Action.objects.exists() and not ReportBack.objects.exists()


def test_a_city_that_is_not_high_risk_is_refused(inside, make_city):
    berlin = make_city("Berlin")
    with pytest.raises(NotInside):
        file_action_afterwards(inside.hub, filed(inside, city=berlin), actor=inside.organizer)
    assert not Action.objects.exists()


def test_a_hub_abroad_files_nothing_afterwards(client, login, inside, make_hub, make_member):
    berlin_hub = make_hub("Berlin hub")
    Participation.objects.create(
        hub=berlin_hub, campaign=inside.campaign, state=Participation.State.ACCEPTED
    )
    organizer = make_member(berlin_hub)
    with pytest.raises(HubNotInside):
        file_action_afterwards(berlin_hub, filed(inside), actor=organizer)
    assert not Action.objects.exists()

    login(client, organizer)
    page = client.get(f"/en/manage/hubs/{berlin_hub.public_id}/actions/happened/")
    assert "Your hub is not in a high-risk country" in page.content.decode()
    assert 'name="day"' not in page.content.decode()


def test_a_campaign_the_hub_did_not_answer_is_refused(inside, make_campaign):
    other = make_campaign("other")
    with pytest.raises(CampaignNotAnswered):
        file_action_afterwards(inside.hub, filed(inside, campaign=other), actor=inside.organizer)
    assert not Action.objects.exists()


def test_only_those_who_file_report_backs_may(inside, make_member):
    member = make_member(inside.hub, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        file_action_afterwards(inside.hub, filed(inside), actor=member)
    assert not Action.objects.exists()


def test_public_only_a_delay_after_verification(inside, settings):
    settings.HIGH_RISK_PUBLICATION_DELAY = dt.timedelta(hours=24)
    yesterday = _today(inside.tehran) - dt.timedelta(days=1)
    report_back = file_action_afterwards(
        inside.hub, filed(inside, day=yesterday), actor=inside.organizer
    )
    action = report_back.action
    assert not Action.objects.public().exists()

    services.verify_report_back(report_back, actor=inside.lead)
    now = timezone.now()
    # verified, but within the delay: public nowhere
    assert not Action.objects.public(now + dt.timedelta(hours=23)).exists()
    assert not Action.objects.filter(published_inside_q(now + dt.timedelta(hours=23))).exists()
    # past the delay: public, and countable as published inside
    later = now + dt.timedelta(hours=24, minutes=1)
    assert list(Action.objects.public(later)) == [action]
    assert list(Action.objects.filter(published_inside_q(later)).completed()) == [action]


def test_an_action_of_today_waits_for_the_end_of_its_day(inside, settings):
    settings.HIGH_RISK_PUBLICATION_DELAY = dt.timedelta(0)
    report_back = file_action_afterwards(inside.hub, filed(inside), actor=inside.organizer)
    services.verify_report_back(report_back, actor=inside.lead)
    action = Action.objects.get()
    assert not Action.objects.public().exists()
    assert list(Action.objects.public(action.ends_at)) == [action]


def test_a_withdrawn_report_leaves_the_action_hidden(inside):
    report_back = file_action_afterwards(inside.hub, filed(inside), actor=inside.organizer)
    services.withdraw_report_back(report_back, actor=inside.organizer)
    later = timezone.now() + dt.timedelta(days=3)
    assert not Action.objects.public(later).exists()


def test_no_rsvp_row_can_be_created_for_an_action_inside(inside, settings):
    settings.HIGH_RISK_PUBLICATION_DELAY = dt.timedelta(0)
    report_back = file_action_afterwards(inside.hub, filed(inside), actor=inside.organizer)
    action = report_back.action
    assert not action.is_open_for_rsvp
    # even with the rules of an announced action forced open, the service refuses
    Action.objects.filter(pk=action.pk).update(after_the_fact=False)
    action.refresh_from_db()
    with pytest.raises(NoRSVPInside):
        create_rsvp(action, pseudonym="Sara", email="s@example.org", language="fa", consent=True)
    assert not RSVP.objects.exists()


# Every public surface, before and after the delay.


@pytest.fixture
def verified(inside, settings):
    """A verified action inside, of yesterday, and a function that moves the delay past (or
    not)."""
    yesterday = _today(inside.tehran) - dt.timedelta(days=1)
    report_back = file_action_afterwards(
        inside.hub, filed(inside, day=yesterday), actor=inside.organizer
    )
    services.verify_report_back(report_back, actor=inside.lead)
    report_back.action.refresh_from_db()

    def public(yes: bool) -> None:
        settings.HIGH_RISK_PUBLICATION_DELAY = dt.timedelta(hours=0 if yes else 24)

    return report_back.action, public


def _surfaces(client, action, campaign):
    slug, pid = campaign.slug, action.public_id
    return {
        "action": client.get(f"/en/a/{pid}/"),
        "report": client.get(f"/en/a/{pid}/report-back/"),
        "calendar": client.get(f"/en/a/{pid}/calendar.ics"),
        "places": client.get(f"/en/c/{slug}/places/{action.city.country.code.lower()}/"),
        "campaign_calendar": client.get(f"/en/c/{slug}/calendar.ics"),
        "map": client.get(f"/en/c/{slug}/map.json"),
        "wave": client.get(f"/en/c/{slug}/wave/"),
        "wall": client.get(f"/en/c/{slug}/reports/"),
        "api_list": client.get("/api/v1/actions"),
        "api_detail": client.get(f"/api/v1/actions/{pid}"),
        "api_wall": client.get(f"/api/v1/report-backs?campaign={slug}"),
        "api_report": client.get(f"/api/v1/report-backs/{pid}"),
    }


def _text(response):
    return b"".join(response.streaming_content if response.streaming else [response.content])


def test_before_the_delay_every_public_surface_omits_it(client, verified, inside):
    action, public = verified
    public(False)
    for name, response in _surfaces(client, action, inside.campaign).items():
        if name in {"action", "report", "calendar", "api_detail", "api_report"}:
            assert response.status_code == 404, name
        else:
            assert response.status_code == 200, name
            text = _text(response).decode()
            assert action.public_id not in text and "Streets of Tehran" not in text, name


def test_after_the_delay_every_public_surface_shows_the_day_and_no_hour(client, verified, inside):
    action, public = verified
    public(True)
    surfaces = _surfaces(client, action, inside.campaign)
    for name, response in surfaces.items():
        assert response.status_code == 200, name
        text = _text(response).decode()
        # The campaign's calendar lists only what one can still go to.
        shown = name != "campaign_calendar"
        assert (action.public_id in text or "Streets of Tehran" in text) == shown, name
        # midnight is the only hour the action holds: shown nowhere
        assert "00:00" not in text and "12:00 AM" not in text, name
        assert "T00:00" not in text and "T20:30" not in text, name
    # The day in the city's own calendar, whatever the server's zone.
    day = timezone.localtime(action.starts_at, inside.tehran.zone).date().isoformat()
    for name in ("action", "wave", "report", "wall"):
        assert f'<time datetime="{day}">' in _text(surfaces[name]).decode(), name
    # Nor is its hub named, which no public list shows.
    for name in ("action", "report", "wall"):
        assert "Tehran hub" not in _text(surfaces[name]).decode(), name
    detail = surfaces["api_detail"].json()
    assert (detail["starts_at"], detail["ends_at"], detail["hub"]) == (None, None, None)
    assert detail["day"] == day
    feature = json.loads(_text(surfaces["map"]))["features"][0]
    assert feature["geometry"]["coordinates"] == [51.39, 35.69]
    assert "DTSTART;VALUE=DATE:" in _text(surfaces["calendar"]).decode()


# The organizers' page.


def _page_data(inside, **changes):
    return {
        "campaign": inside.campaign.slug,
        "title": "Streets of Tehran",
        "kind": "march",
        "day": (_today(inside.tehran) - dt.timedelta(days=1)).isoformat(),
        "city_name": "Isfahan",
        "city": "",
        "latitude": "",
        "longitude": "",
        "took_place": "yes",
        "turnout": "۳۰۰",
        "turnout_is_estimate": "on",
        "reason": "",
        "story": "We walked.",
        "language": "fa",
        **changes,
    }


def test_the_page_files_the_action_and_leads_to_its_photos(client, login, inside):
    login(client, inside.organizer)
    url = f"/fa/manage/hubs/{inside.hub.public_id}/actions/happened/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="date"' in page.content.decode()

    response = client.post(url, _page_data(inside))

    report_back = ReportBack.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/report-backs/{report_back.public_id}/photos/")
    action = report_back.action
    assert (action.city, action.title, report_back.turnout) == (
        inside.isfahan,
        "Streets of Tehran",
        300,
    )


def test_a_refusal_comes_back_with_what_was_typed(client, login, inside):
    login(client, inside.organizer)
    url = f"/en/manage/hubs/{inside.hub.public_id}/actions/happened/"
    future = (_today(inside.tehran) + dt.timedelta(days=2)).isoformat()

    response = client.post(url, _page_data(inside, day=future, language="en"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "today or a day before" in page and 'value="Streets of Tehran"' in page
    assert not Action.objects.exists()


def test_the_page_is_not_for_members_or_other_hubs(client, login, inside, make_member, make_hub):
    member = make_member(inside.hub, Membership.Role.MEMBER)
    login(client, member)
    url = f"/en/manage/hubs/{inside.hub.public_id}/actions/happened/"
    assert client.get(url).status_code == 404
    assert client.post(url, _page_data(inside)).status_code == 404
    assert not Action.objects.exists()


def test_no_face_is_left_uncovered_inside(inside):
    # given a report-back of an action inside
    report_back = file_action_afterwards(inside.hub, filed(inside), actor=inside.organizer)
    # when its organizer asks to leave a consenting face uncovered
    with pytest.raises(NoConsentingFacesInside):
        upload_photo(
            report_back,
            data=plain_jpeg(),
            declared_name="photo.jpg",
            declared_type="image/jpeg",
            alt_text="People in the street.",
            consenting=[Region(0.1, 0.1, 0.2, 0.2)],
            actor=inside.organizer,
        )
    # then no photo is kept; without the exception it is taken
    assert not report_back.photos.exists()
    upload_photo(
        report_back,
        data=plain_jpeg(),
        declared_name="photo.jpg",
        declared_type="image/jpeg",
        alt_text="People in the street.",
        actor=inside.organizer,
    )
    assert report_back.photos.count() == 1


def test_the_live_documents_are_rebuilt_when_it_becomes_public(verified, inside):
    action, public = verified
    public(False)
    verified_at = action.report_backs.get().approved_at
    now = timezone.now()
    # nothing of the campaign starts or ends any more: the next change is its publication
    assert (
        _next_phase_change(inside.campaign, now)
        == (verified_at + dt.timedelta(hours=24)).timestamp()
    )

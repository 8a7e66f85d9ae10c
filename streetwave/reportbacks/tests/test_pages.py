"""Report-back pages: the organizers' page to file and correct, the second person's page to
verify, the public report of an action, the campaign's report wall (a fixed number of queries),
"I was there" from a supporter's link, and the links to them."""

import pytest
from django.test import Client
from django.urls import reverse

from streetwave.actions.models import RSVP, Action
from streetwave.core.ids import hash_token, new_token
from streetwave.hubs.models import Membership
from streetwave.reportbacks import services
from streetwave.reportbacks.models import ReportBack

pytestmark = pytest.mark.django_db

FORM = {
    "took_place": "yes",
    "turnout": "300",
    "turnout_is_estimate": "on",
    "reason": "",
    "story": "We filled <script>alert(1)</script> **the square**.",
    "language": "en",
}


def _manage_url(action):
    return reverse("reportbacks:manage", args=[action.public_id])


def _verified(world, file_report, **changes):
    return services.verify_report_back(file_report(**changes), actor=world.lead)


def test_an_organizer_files_a_report_back_from_the_page(client, login, world):
    login(client, world.organizer)
    assert client.get(_manage_url(world.action)).status_code == 200
    response = client.post(_manage_url(world.action), FORM)
    assert response.status_code == 302
    report_back = ReportBack.objects.get()
    assert (report_back.turnout, report_back.turnout_is_estimate) == (300, True)
    assert report_back.is_held


def test_a_report_without_a_turnout_comes_back_with_an_error(client, login, world):
    login(client, world.organizer)
    response = client.post(_manage_url(world.action), {**FORM, "turnout": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["turnout"]
    assert "the square" in response.content.decode()
    assert not ReportBack.objects.exists()


def test_the_page_is_a_404_for_someone_outside_the_hub(client, login, world, make_member):
    stranger = make_member(Membership.objects.get(user=world.sponsor_lead).hub)
    login(client, stranger)
    assert client.get(_manage_url(world.action)).status_code == 404


def test_the_sponsor_lead_sees_the_page_but_may_not_file(client, login, world, file_report):
    report_back = file_report()
    login(client, world.sponsor_lead)
    page = client.get(_manage_url(world.action))
    assert page.status_code == 200
    assert 'name="turnout"' not in page.content.decode()
    assert client.post(_manage_url(world.action), FORM).status_code == 404
    # and verifies it from its own page
    verify_page = reverse("reportbacks:manage_verify", args=[report_back.public_id])
    assert client.get(verify_page).status_code == 200
    client.post(reverse("reportbacks:manage_verify_post", args=[report_back.public_id]))
    report_back.refresh_from_db()
    assert report_back.is_current


def test_the_filer_is_refused_verification_with_a_message(client, login, world, file_report):
    report_back = file_report()
    login(client, world.organizer)
    response = client.post(
        reverse("reportbacks:manage_verify_post", args=[report_back.public_id]), follow=True
    )
    assert "A second person must approve this" in response.content.decode()
    report_back.refresh_from_db()
    assert report_back.is_held


def test_a_correction_is_filed_from_the_same_page(client, login, world, file_report):
    first = _verified(world, file_report)
    login(client, world.lead)
    page = client.get(_manage_url(world.action))
    assert "Correct the report-back" in page.content.decode()
    client.post(_manage_url(world.action), {**FORM, "turnout": "450"})
    correction = ReportBack.objects.held().get()
    assert correction.corrects == first
    assert correction.turnout == 450


def test_the_public_report_shows_only_a_verified_report_back(world, file_report):
    url = reverse("reportbacks:report", args=[world.action.public_id])
    file_report(turnout_is_estimate=True)
    assert Client().get(url).status_code == 404
    services.verify_report_back(ReportBack.objects.get(), actor=world.lead)
    page = Client().get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "about 300 people" in html
    assert "<strong>the square</strong>" in html
    # and the action's public page links it
    detail = Client().get(reverse("actions:detail", args=[world.action.public_id]))
    assert url in detail.content.decode()


def test_the_story_is_sanitised(world, file_report):
    _verified(world, file_report, story="Hello <script>alert(1)</script>")
    page = Client().get(reverse("reportbacks:report", args=[world.action.public_id]))
    assert "<script>alert(1)" not in page.content.decode()


def test_the_wall_lists_verified_report_backs_newest_first_in_fixed_queries(
    world, file_report, make_action, campaign, django_assert_max_num_queries
):
    import datetime as dt

    older = _verified(world, file_report)
    others = []
    for number in range(3):
        action = make_action(
            hub=world.hub,
            campaign=campaign,
            title=f"Vigil {number}",
            starts_in=-dt.timedelta(hours=3),
        )
        others.append(_verified(world, file_report, action=action))
    file_report(
        action=make_action(hub=world.hub, campaign=campaign, starts_in=-dt.timedelta(hours=3)),
        story="HELD-STORY",
    )
    url = reverse("reportbacks:wall", args=[campaign.slug])
    client = Client()
    client.get(url)  # the session, the site's caches
    with django_assert_max_num_queries(6):
        page = client.get(url)
    html = page.content.decode()
    assert "HELD-STORY" not in html
    titles = [report_back.action.title for report_back in page.context["page"]]
    assert titles == ["Vigil 2", "Vigil 1", "Vigil 0", older.action.title]


def _rsvp(action):
    token = new_token()
    rsvp = RSVP.objects.create(
        action=action,
        language="en",
        consent_version="1",
        status=RSVP.Status.GOING,
        manage_token_hash=hash_token(token),
    )
    return rsvp, token


def test_a_supporter_says_i_was_there_from_their_link_once(world):
    rsvp, token = _rsvp(world.action)
    page = Client().get(reverse("actions:manage", args=[token]))
    there = reverse("reportbacks:i_was_there", args=[token])
    assert there in page.content.decode()
    response = Client().post(there)
    assert response.status_code == 303
    assert response["Location"].endswith("?done=there")
    assert Client().post(there)["Location"].endswith("?done=saved")
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.ATTENDED
    assert there not in Client().get(reverse("actions:manage", args=[token])).content.decode()


def test_the_hub_dashboard_names_what_waits(client, login, world, file_report):
    # given an action that ended and nothing reported: its organizers are asked to report
    login(client, world.lead)
    dashboard = client.get(reverse("hubs:dashboard")).content.decode()
    assert _manage_url(world.action) in dashboard
    # when the organizer files, the lead is asked to verify it
    report_back = file_report()
    dashboard = client.get(reverse("hubs:dashboard")).content.decode()
    assert reverse("reportbacks:manage_verify", args=[report_back.public_id]) in dashboard


def test_the_wave_says_done_with_the_turnout(world, file_report, campaign):
    from streetwave.campaigns.queries import public_action_rows

    _verified(world, file_report)
    row = next(row for row in public_action_rows(campaign) if row.pk == world.action.pk)
    assert (row.status, row.turnout, row.turnout_is_estimate) == (
        Action.Status.COMPLETED,
        300,
        False,
    )


def test_an_organizer_checks_an_attendee_in_from_the_list(client, login, world, make_member):
    rsvp, _token = _rsvp(world.action)
    login(client, world.organizer)
    attendees = client.get(reverse("actions:manage_attendees", args=[world.action.public_id]))
    check_in = reverse("reportbacks:manage_check_in", args=[rsvp.public_id])
    assert check_in in attendees.content.decode()
    client.post(check_in)
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.ATTENDED
    # and someone who does not see the hub's attendees gets a 404
    login(client, world.sponsor_lead)
    assert client.post(check_in).status_code == 404


def test_a_new_report_back_is_written_in_the_readers_language_by_default(client, login, world):
    # given the hub's organizer reading the report-back page in Persian
    login(client, world.organizer)
    url = _manage_url(world.action).replace("/en/", "/fa/", 1)
    # when they open the form
    form = client.get(url).context["form"]
    # then the story's language is Persian, among the campaign's languages
    assert form["language"].value() == "fa"


def test_the_report_window_closes_in_the_actions_own_time_zone(client, login, world, settings):
    # given an action in Berlin, whose page gives times in Berlin's time
    login(client, world.organizer)
    # when the report-back page says until when a report-back can be filed
    closes = client.get(_manage_url(world.action)).context["window_closes"]
    # then it is that moment in Berlin, not in UTC
    assert closes == world.action.ends_at + settings.REPORT_BACK_WINDOW
    assert str(closes.tzinfo) == "Europe/Berlin"


def test_the_report_and_the_wall_name_the_city_with_the_readers_comma(world, file_report, campaign):
    # given a verified report-back of an action in Berlin (its country named in Persian too)
    _verified(world, file_report)
    # when the report and the wall are read in Persian
    client = Client()
    urls = [
        reverse("reportbacks:report", args=[world.action.public_id]),
        reverse("reportbacks:wall", args=[campaign.slug]),
    ]
    for url in urls:
        html = client.get(url.replace("/en/", "/fa/", 1)).content.decode()
        # then city and country are joined by the Persian comma, each isolated
        assert "<bdi>Berlin</bdi>، <bdi>کشور DE</bdi>" in html


def test_the_filer_is_offered_to_withdraw_and_the_second_person_to_turn_down(
    client, login, world, file_report
):
    # given a report-back the hub's organizer filed
    report_back = file_report()
    held = reverse("reportbacks:manage_verify", args=[report_back.public_id])
    # when the filer reads the action's report-back page and the held report-back
    login(client, world.organizer)
    action_page = client.get(_manage_url(world.action)).content.decode()
    filers_page = client.get(held).content.decode()
    # then they are offered to read or withdraw it, never to verify it
    assert "Read it, or withdraw it" in action_page
    assert "Withdraw it" in filers_page and "Turn it down" not in filers_page
    # and the second person is offered to verify it or turn it down
    login(client, world.lead)
    assert (
        "Read it, verify it or withdraw it"
        in client.get(_manage_url(world.action)).content.decode()
    )
    seconds_page = client.get(held).content.decode()
    assert "Turn it down" in seconds_page and "Withdraw it" not in seconds_page

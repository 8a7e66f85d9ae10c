"""Planning an action: the campaign the hub is part of comes first, the city follows the pick
or the point, numbers read left to right in Persian, the Jalali date stands beside the date,
and bad input is explained without losing what was typed."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from streetwave.actions.forms import ActionForm
from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.core.i18n import jalali_date
from streetwave.places.search import distance_km

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def form_data(**overrides):
    day = (timezone.now() + dt.timedelta(days=3)).astimezone(BERLIN).date()
    return {
        "title": "Vigil for the prisoners",
        "kind": "vigil",
        "campaign": "",
        "description": "",
        "start_date": day.isoformat(),
        "start_time": "18:00",
        "end_date": "",
        "end_time": "20:00",
        "place": "Brandenburger Tor",
        "city_name": "",
        "city": "",
        "latitude": "52.5163",
        "longitude": "13.3777",
        "meeting_point": "",
        "capacity": "",
        **overrides,
    }


def new_action_url(hub, language="en"):
    return f"/{language}/manage/hubs/{hub.public_id}/actions/new/"


def selected_campaign(html: str) -> str | None:
    select = re.search(r'<select name="campaign".*?</select>', html, re.S)
    assert select is not None
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else None


def input_tag(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag is not None, name
    return tag.group(0)


@pytest.fixture
def brandenburg(make_city):
    """Berlin's neighbours: a town in the same country, and a town across the Oder in Poland
    that is still within reach of Berlin."""
    return {
        "potsdam": make_city("Potsdam", lat=52.3989, lon=13.0657, population=180_000),
        "slubice": make_city(
            "Słubice", country="PL", timezone="Europe/Warsaw", lat=52.3502, lon=14.5606
        ),
        "frankfurt": make_city("Frankfurt (Oder)", lat=52.3471, lon=14.5506, population=57_000),
    }


# The campaign offered first


def test_a_new_action_defaults_to_the_campaign_the_hub_takes_part_in(
    client, login, team, make_campaign, make_action
):
    # Given two live campaigns, and a hub whose last action belongs to the second
    make_campaign("first")
    second = make_campaign("second")
    make_action(hub=team.hub, campaign=second)
    login(client, team.organizer)
    # When its organizer plans a new action
    html = client.get(new_action_url(team.hub)).content.decode()
    # Then that campaign is chosen, not "No campaign"
    assert selected_campaign(html) == "second"


def test_a_new_hub_defaults_to_the_campaign_of_its_sponsor(
    client, login, make_hub, make_member, make_campaign, make_action
):
    # Given a hub whose sponsor takes part in a campaign, among two live ones
    make_campaign("first")
    second = make_campaign("second")
    sponsor = make_hub("Sponsor hub")
    make_action(hub=sponsor, campaign=second)
    hub = make_hub("New hub", sponsor=sponsor)
    organizer = make_member(hub)
    login(client, organizer)
    # When its organizer plans its first action
    html = client.get(new_action_url(hub)).content.decode()
    # Then the sponsor's campaign is chosen
    assert selected_campaign(html) == "second"


def test_with_one_live_campaign_it_is_the_default(client, login, team, make_campaign):
    make_campaign("only", status=Campaign.Status.LIVE)
    make_campaign("later", status=Campaign.Status.DRAFT)
    login(client, team.organizer)
    html = client.get(new_action_url(team.hub)).content.decode()
    assert selected_campaign(html) == "only"


# The city and the point


def test_the_coordinates_alone_still_plan_an_action_in_the_nearest_city(
    client, login, team, brandenburg
):
    # Given an organizer without the map (no JavaScript): a point typed by hand, no city name
    login(client, team.organizer)
    response = client.post(
        new_action_url(team.hub),
        form_data(latitude="52.40127", longitude="13.05091"),
    )
    # Then the action is in the city nearest to the point, rounded as the public map rounds it
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.city == brandenburg["potsdam"]
    assert (action.latitude, action.longitude) == (52.4013, 13.0509)


def test_the_city_picked_by_name_is_the_city_of_the_action(client, login, team, brandenburg):
    login(client, team.organizer)
    response = client.post(
        new_action_url(team.hub),
        form_data(city_name="potsdam", latitude="52.3906", longitude="13.0645"),
    )
    assert response.status_code == 302
    assert Action.objects.get().city == brandenburg["potsdam"]


def test_the_city_picked_from_the_results_wins_over_a_namesake(
    client, login, team, make_city, brandenburg
):
    # Given two cities that share a name, the smaller one picked from the search results
    small = make_city("Potsdam", lat=52.42, lon=13.1, population=1_000)
    login(client, team.organizer)
    response = client.post(
        new_action_url(team.hub),
        form_data(
            city_name="Potsdam", city=str(small.geonameid), latitude="52.42", longitude="13.1"
        ),
    )
    assert response.status_code == 302
    assert Action.objects.get().city == small


def test_a_name_that_matches_no_city_is_explained_and_nothing_typed_is_lost(
    client, login, team, brandenburg
):
    login(client, team.organizer)
    response = client.post(
        new_action_url(team.hub), form_data(city_name="Atlantis", latitude="52.40127")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "No city of that name is known" in html
    assert 'value="Atlantis"' in input_tag(html, "city_name")
    assert 'value="52.40127"' in input_tag(html, "latitude")
    assert 'value="Vigil for the prisoners"' in input_tag(html, "title")
    assert not Action.objects.exists()


def test_a_point_in_another_country_than_the_city_is_refused(client, login, team, brandenburg):
    # Given the city Frankfurt (Oder), and the pin dropped across the river, well into Poland
    login(client, team.organizer)
    response = client.post(
        new_action_url(team.hub),
        form_data(city_name="Frankfurt (Oder)", latitude="52.3502", longitude="14.8306"),
    )
    # Then that is refused, naming both countries, and the point stays as typed
    html = response.content.decode()
    assert response.status_code == 400
    assert "This point is in Country PL, but Frankfurt (Oder) is in Country DE." in html
    assert 'value="14.8306"' in input_tag(html, "longitude")
    assert not Action.objects.exists()


def test_a_point_far_from_the_chosen_city_is_refused(client, login, team, make_city):
    # Given a city far from the point, in the same country
    munich = make_city("Munich", lat=48.1374, lon=11.5755)
    login(client, team.organizer)
    response = client.post(
        new_action_url(team.hub),
        form_data(city_name="Munich", latitude="52.5163", longitude="13.3777"),
    )
    distance = round(distance_km(munich.latitude, munich.longitude, 52.5163, 13.3777))
    assert response.status_code == 400
    assert f"This point is {distance} km from Munich." in response.content.decode()


def test_editing_the_title_of_a_published_action_does_not_move_it(client, login, team, make_action):
    # Given a published action stored with more digits than the form keeps
    action = make_action(hub=team.hub, latitude=52.516312, longitude=13.377689)
    login(client, team.organizer)
    local = action.local_start
    data = form_data(
        title="A new title",
        kind=action.kind,
        start_date=local.date().isoformat(),
        start_time=local.strftime("%H:%M"),
        # an action made late in the evening ends on the next day
        end_date=action.local_end.date().isoformat(),
        end_time=action.local_end.strftime("%H:%M"),
        place=action.place,
        latitude="52.5163",
        longitude="13.3777",
    )
    del data["city_name"], data["city"]  # disabled: the city of a public action is fixed
    # When only the title is changed
    response = client.post(f"/en/manage/actions/{action.public_id}/edit/", data)
    # Then the title changes, and the point and city do not
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "A new title"
    assert (action.latitude, action.longitude, action.city) == (52.516312, 13.377689, team.hub.city)
    assert not action.changes.exists()


def test_the_city_of_a_public_action_is_fixed(team, make_action, make_city):
    action = make_action(hub=team.hub)
    form = ActionForm(
        form_data(city_name="Potsdam", latitude=str(action.latitude)), hub=team.hub, action=action
    )
    assert form.fields["city_name"].disabled
    make_city("Potsdam", lat=52.3989, lon=13.0657)
    assert form.is_valid(), form.errors
    assert form.details().city is None


def test_the_times_are_asked_in_the_zone_of_the_actions_city_not_the_hubs(
    client, login, team, make_action, make_city
):
    # Given a Berlin hub with an action planned in Warsaw
    warsaw = make_city("Warsaw", country="PL", timezone="Europe/Warsaw", lat=52.23, lon=21.01)
    action = make_action(hub=team.hub, city=warsaw, latitude=52.23, longitude=21.01)
    login(client, team.organizer)
    # When an organizer plans a new action, and edits the Warsaw one
    new = client.get(new_action_url(team.hub)).content.decode()
    edit = client.get(f"/en/manage/actions/{action.public_id}/edit/").content.decode()
    # Then the new form names no city the action may not be in, and the edit names Warsaw's time
    assert "the local time of the city where the action takes place" in new
    assert "the local time of Warsaw:" in edit
    assert "Europe/Warsaw" in edit
    assert "the local time of Berlin" not in new + edit


# Persian: numbers left to right, the Jalali date beside the date


def test_in_persian_a_negative_coordinate_reads_left_to_right(
    client, login, make_hub, make_city, make_member
):
    # Given a hub in Toronto, west of Greenwich
    toronto = make_city(
        "Toronto", country="CA", timezone="America/Toronto", lat=43.70643, lon=-79.39864
    )
    hub = make_hub("Toronto hub", city=toronto)
    login(client, make_member(hub))
    # When its organizer opens the form in Persian
    html = client.get(new_action_url(hub, "fa")).content.decode()
    # Then the coordinate is a left-to-right text with its sign in front, as are the other numbers
    longitude = input_tag(html, "longitude")
    assert 'value="-79.39864"' in longitude and 'dir="ltr"' in longitude
    assert 'type="number"' not in longitude  # a number input drops Persian digits
    for name in ("latitude", "capacity", "start_date", "start_time", "end_time"):
        assert 'dir="ltr"' in input_tag(html, name), name


def test_in_persian_the_jalali_date_stands_beside_the_date_when_the_form_comes_back(
    client, login, team
):
    login(client, team.organizer)
    day = (timezone.now() + dt.timedelta(days=3)).astimezone(BERLIN).date()
    # When the form comes back with an error
    response = client.post(
        new_action_url(team.hub, "fa"),
        form_data(start_date=day.isoformat(), city_name="Atlantis"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    # Then the chosen day is also shown in the Jalali calendar, next to its input
    output = re.search(r'<output[^>]*data-jalali-for="id_start_date"[^>]*>([^<]*)</output>', html)
    assert output is not None and output.group(1) == jalali_date(day)
    # and in English there is no such line
    english = client.get(new_action_url(team.hub)).content.decode()
    assert "data-jalali-for" not in english


def test_persian_digits_in_the_date_still_give_the_jalali_line(team):
    from django.utils import translation

    with translation.override("fa"):
        form = ActionForm(form_data(start_date="۲۰۲۶-۱۲-۰۷", city_name="Atlantis"), hub=team.hub)
        html = str(form["start_date"])
    assert "دوشنبه ۱۶ آذر ۱۴۰۵" in html


# The gazetteer for the picker


def test_the_city_search_answers_in_the_pages_language(client, make_city):
    make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.42, name_fa="تهران")
    english = client.get("/en/places/cities.json", {"q": "teh"}).json()["cities"]
    persian = client.get("/fa/places/cities.json", {"q": "تهر"}).json()["cities"]
    assert [(c["name"], c["country"]) for c in english] == [("Tehran", "Country IR")]
    assert [(c["name"], c["country"]) for c in persian] == [("تهران", "کشور IR")]


def test_the_city_search_gives_the_city_nearest_to_a_point(client, brandenburg):
    answer = client.get("/en/places/cities.json", {"near": "52.36,14.56"}).json()
    assert [c["name"] for c in answer["cities"]] == ["Słubice"]
    assert client.get("/en/places/cities.json", {"near": "north"}).json() == {"cities": []}
    assert client.get("/en/places/cities.json", {"near": "95,10"}).json() == {"cities": []}

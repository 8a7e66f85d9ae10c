"""Planning an action with the place picker, in a real browser on a phone, in English and
Persian: search a city by name, drop the pin and drag it, choose a date; the saved action has
the picked city and the pin's point. In Persian the coordinates read left to right with the
sign in front, and the Jalali date stands beside the date. Nothing comes from another origin."""

import datetime as dt

import pytest

from .sharing import writes_rows_the_server_shows

# django_db makes pytest-django create the test database the `site` fixture fills; each test
# runs in a transaction rolled back after it (the server shares it on SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]

PHONE = {"width": 390, "height": 844}
# language -> (what is typed in the city field, the gazetteer's English name of that city)
SEARCHES = {"en": ("Mississauga", "Mississauga"), "fa": ("مارکام", "Markham")}


@pytest.fixture
def organizer(site):
    """An organizer of a Toronto hub of the demo, signed in with a second factor as the sign-in
    pages leave them: the session cookie for the browser, and the hub."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from streetwave.accounts.testing import sign_in_verified
    from streetwave.hubs.models import Hub, Membership

    hub = Hub.objects.filter(city__name="Toronto", status=Hub.Status.ACTIVE).first()
    assert hub is not None, "the demo has a hub in Toronto"
    user = get_user_model().objects.create_user(
        "picker-7q@example.org", "correct horse battery staple", display_name="Picker"
    )
    Membership.objects.create(user=user, hub=hub, role=Membership.Role.ORGANIZER)
    client = sign_in_verified(Client(), user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site.url,
    }
    return hub, cookie


def signed_in_visit(visit, organizer, **options):
    visit = visit(**options)
    visit.page.set_viewport_size(PHONE)
    visit.page.context.add_cookies([organizer[1]])
    return visit


def a_time_in_the_campaign(hub):
    """The next full hour at least two hours ahead, in the hub's city: inside the demo's window."""
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).replace(
        minute=0, second=0, microsecond=0
    ) + dt.timedelta(hours=1)
    return start.astimezone(hub.city.zone)


def input_direction(page, selector):
    return page.evaluate("(s) => getComputedStyle(document.querySelector(s)).direction", selector)


def drag(page, locator, dx, dy):
    locator.scroll_into_view_if_needed()
    found = locator.bounding_box()
    assert found is not None
    x, y = found["x"] + found["width"] / 2, found["y"] + found["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_an_organizer_plans_an_action_with_the_place_picker(
    visit, organizer, screenshots, language
):
    from streetwave.actions.models import Action
    from streetwave.core.i18n import jalali_date
    from streetwave.places.models import City

    hub, _cookie = organizer
    visit = signed_in_visit(visit, organizer)
    page = visit.page
    visit.go(f"/{language}/manage/hubs/{hub.public_id}/actions/new/")

    # Given the form of a Toronto hub: the campaign the hub is part of is chosen, and the point
    # starts at the city's centre, west of Greenwich: the sign stays in front, left to right
    assert page.input_value("#id_campaign") == visit.site.slug
    assert page.input_value("#id_longitude") == "-79.39864"
    assert input_direction(page, "#id_longitude") == "ltr"
    assert input_direction(page, "#id_latitude") == "ltr"
    page.locator("[data-place-map] .leaflet-marker-draggable").wait_for()

    # When they search a city by name in the page's language and pick it
    typed, city_name = SEARCHES[language]
    page.fill("#id_city_name", typed)
    result = page.locator(".place-result").first
    result.wait_for()
    result.click()
    city = City.objects.get(name=city_name, country__code="CA")
    page.wait_for_function(
        "(lat) => document.querySelector('#id_latitude').value === lat",
        arg=str(round(city.latitude, 4)),
    )

    # and tap the map beside the centre, then drag the pin a little further
    map_box = page.locator("[data-place-map]").bounding_box()
    assert map_box is not None
    page.mouse.click(map_box["x"] + map_box["width"] / 2 + 60, map_box["y"] + map_box["height"] / 2)
    tapped = page.input_value("#id_longitude")
    drag(page, page.locator("[data-place-map] .leaflet-marker-draggable"), -30, 40)
    page.wait_for_function(
        "(before) => document.querySelector('#id_longitude').value !== before", arg=tapped
    )
    latitude, longitude = page.input_value("#id_latitude"), page.input_value("#id_longitude")
    assert float(longitude) > city.longitude  # east of the centre, where the map was tapped

    # and choose a date and times
    start = a_time_in_the_campaign(hub)
    end = start + dt.timedelta(hours=1)
    page.fill("#id_title", "Vigil by the lake")
    page.fill("#id_place", "The square")
    page.fill("#id_start_date", start.date().isoformat())
    page.fill("#id_start_time", start.strftime("%H:%M"))
    if end.date() != start.date():
        page.fill("#id_end_date", end.date().isoformat())
    page.fill("#id_end_time", end.strftime("%H:%M"))

    # Then in Persian the Jalali date stands beside the chosen date
    jalali = page.locator("output[data-jalali-for=id_start_date]")
    if language == "fa":
        assert jalali.text_content() == jalali_date(start.date())
        # whatever the day, Sunday and Thursday included, in the words the server writes
        for day in (dt.date(2026, 12, 6), dt.date(2026, 12, 10)):
            page.fill("#id_start_date", day.isoformat())
            assert jalali.text_content() == jalali_date(day)
        page.fill("#id_start_date", start.date().isoformat())
        assert page.input_value("#id_longitude").startswith("-")
    else:
        assert jalali.count() == 0
    page.screenshot(path=str(screenshots / f"place-picker-{language}-390.png"), full_page=True)
    page.locator(".field", has=page.locator("#id_start_date")).screenshot(
        path=str(screenshots / f"place-picker-{language}-390-date.png")
    )
    page.locator(".place-picker").screenshot(
        path=str(screenshots / f"place-picker-{language}-390-map.png")
    )
    page.locator(".coordinates").screenshot(
        path=str(screenshots / f"place-picker-{language}-390-coordinates.png")
    )

    # and the saved draft has the picked city and the pin's point
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/manage/actions/*/")
    action = Action.objects.get(hub=hub, title="Vigil by the lake")
    assert action.city == city
    assert (action.latitude, action.longitude) == (float(latitude), float(longitude))
    assert action.campaign is not None and action.campaign.slug == visit.site.slug


def test_without_a_city_name_the_pin_gives_the_nearest_city(visit, organizer):
    from streetwave.places.models import City

    hub, _cookie = organizer
    visit = signed_in_visit(visit, organizer)
    page = visit.page
    visit.go(f"/en/manage/hubs/{hub.public_id}/actions/new/")
    # Given an emptied city field
    page.fill("#id_city_name", "")
    # When the latitude and longitude are typed (the pin follows) and the map is tapped there
    brampton = City.objects.get(name="Brampton", country__code="CA")
    page.fill("#id_latitude", str(brampton.latitude))
    page.fill("#id_longitude", str(brampton.longitude))
    page.locator("#id_longitude").dispatch_event("change")
    page.locator("[data-place-map] .leaflet-marker-draggable").wait_for()
    map_box = page.locator("[data-place-map]").bounding_box()
    assert map_box is not None
    # (below the point: the pin's icon stands above it)
    page.mouse.click(map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2 + 12)
    # Then the nearest city is filled in
    page.wait_for_function("() => document.querySelector('#id_city_name').value === 'Brampton'")
    assert page.input_value("#id_city") == str(brampton.geonameid)


def test_without_javascript_the_city_and_the_numbers_do_the_work(visit, organizer, screenshots):
    hub, _cookie = organizer
    visit = signed_in_visit(visit, organizer, java_script_enabled=False)
    page = visit.page
    visit.go(f"/fa/manage/hubs/{hub.public_id}/actions/new/")
    # The map stays hidden; the city name and the coordinates are plain fields
    assert not page.locator("[data-place-map]").is_visible()
    for selector in ("#id_city_name", "#id_latitude", "#id_longitude"):
        assert page.locator(selector).is_visible()
    # and the negative longitude still reads left to right, its sign in front
    assert input_direction(page, "#id_longitude") == "ltr"
    # A name that matches nothing comes back explained, with everything typed kept
    page.fill("#id_title", "Vigil by the lake")
    page.fill("#id_city_name", "Atlantis")
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.locator("form button[type=submit]").last.click()
    assert sent.value.status == 400
    page.wait_for_load_state("load")
    assert page.locator("#id_city_name").input_value() == "Atlantis"
    assert page.input_value("#id_title") == "Vigil by the lake"
    assert page.locator(".field.has-error #id_city_name").count() == 1
    page.screenshot(path=str(screenshots / "place-picker-fa-390-nojs-error.png"), full_page=True)
    # The browser logs the 400 of the form that came back: that answer is the expected one.
    expected = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    visit.errors[:] = [error for error in visit.errors if error != expected]


def test_a_public_actions_pin_moves_but_its_city_stays(visit, organizer):
    from streetwave.actions.models import Action

    hub, _cookie = organizer
    action = Action.objects.filter(hub=hub, status=Action.Status.PUBLISHED).first()
    assert action is not None, "the demo's Toronto hub has a published action"
    visit = signed_in_visit(visit, organizer)
    page = visit.page
    visit.go(f"/en/manage/actions/{action.public_id}/edit/")
    # The city of a public action is fixed; the pin still moves the point
    assert page.locator("#id_city_name").is_disabled()
    before = page.input_value("#id_latitude")
    drag(page, page.locator("[data-place-map] .leaflet-marker-draggable"), 0, 30)
    page.wait_for_function(
        "(before) => document.querySelector('#id_latitude').value !== before", arg=before
    )
    assert float(page.input_value("#id_latitude")) < float(before)  # dragged south
    assert page.input_value("#id_city_name") == action.city.name


def test_in_persian_a_code_reads_left_to_right_in_every_form(visit, site):
    """The rule is the site's, by input type: the second-factor code of the sign-in reads left to
    right too, though no form of ours declares it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from streetwave.accounts.testing import sign_in_verified

    user = get_user_model().objects.create_user(
        "code-7q@example.org", "correct horse battery staple", display_name="Code"
    )
    sign_in_verified(Client(), user)  # gives the account an authenticator app
    visit = visit()
    page = visit.page
    page.set_viewport_size(PHONE)
    visit.go("/fa/accounts/login/")
    page.fill("input[name=login]", "code-7q@example.org")
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("form button[type=submit]").last.click()
    code = page.locator("input[autocomplete=one-time-code]")
    code.wait_for()
    assert page.get_attribute("html", "dir") == "rtl"
    assert code.evaluate("(input) => getComputedStyle(input).direction") == "ltr"

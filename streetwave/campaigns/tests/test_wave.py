import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.html import escape

from streetwave.actions.models import Action
from streetwave.campaigns.wave import (
    DONE,
    ENDED,
    HAPPENING,
    LATER,
    NEXT,
    NOW,
    UPCOMING,
    build_wave,
)
from streetwave.core import cache as core_cache

pytestmark = pytest.mark.django_db

# A Saturday in June: Europe on summer time, Tehran on +03:30 all year, Auckland on +12.
NOON_UTC = dt.datetime(2025, 6, 14, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def act(make_campaign, make_city, make_hub):
    """act(city, local "HH:MM", minutes=120, status=...) creates one action of the campaign."""
    campaign = make_campaign()
    hubs = {}

    def make(city, local, minutes=120, status=Action.Status.PUBLISHED):
        hub = hubs.get(city.pk) or hubs.setdefault(city.pk, make_hub(f"{city.name} hub", city=city))
        hour, minute = map(int, local.split(":"))
        start = dt.datetime.combine(
            NOON_UTC.date(), dt.time(hour, minute), tzinfo=city.zone
        ).astimezone(dt.UTC)
        return Action.objects.create(
            hub=hub,
            campaign=campaign,
            title=f"{city.name} {local}",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            city=city,
            place="Square",
            latitude=city.latitude,
            longitude=city.longitude,
            status=status,
        )

    make.campaign = campaign
    return make


@pytest.fixture
def cities(make_city):
    def city(name, country, zone):
        return make_city(name, country=country, timezone=zone)

    return {
        "Auckland": city("Auckland", "NZ", "Pacific/Auckland"),
        "Tehran": city("Tehran", "IR", "Asia/Tehran"),
        "Istanbul": city("Istanbul", "TR", "Europe/Istanbul"),
        "Berlin": city("Berlin", "DE", "Europe/Berlin"),
        "Paris": city("Paris", "FR", "Europe/Paris"),
        "Brussels": city("Brussels", "BE", "Europe/Brussels"),
        "London": city("London", "GB", "Europe/London"),
        "New York": city("New York", "US", "America/New_York"),
    }


@pytest.fixture
def day(act, cities):
    """At noon UTC: Auckland, Tehran and Istanbul are over; Berlin and Paris are on; Brussels
    starts later in the same zone; London is next; New York comes after."""
    act(cities["Auckland"], "11:00")  # 23:00-01:00 UTC
    act(cities["Tehran"], "10:00")  # 06:30-08:30 UTC
    act(cities["Istanbul"], "11:00")  # 08:00-10:00 UTC
    act(cities["Berlin"], "13:00")  # 11:00-13:00 UTC
    act(cities["Paris"], "13:30")  # 11:30-13:30 UTC
    act(cities["Brussels"], "16:00")  # 14:00 UTC
    act(cities["London"], "14:00")  # 13:00 UTC
    # Would be in progress, but a cancelled action does not happen: London stays "next".
    act(cities["London"], "12:30", status=Action.Status.CANCELLED)
    act(cities["New York"], "12:00")  # 16:00 UTC
    return act.campaign


def names(cities):
    return [city.name for city in cities]


def test_groups_follow_the_day_east_to_west_with_their_state_at_a_fixed_time(day):
    # when the wave is taken at noon UTC
    wave = build_wave(day.actions.select_related("city"), NOON_UTC)

    # then the zones come east to west, each with its state
    with translation.override("en"):
        labels = [(group.offset_label, group.state) for group in wave.groups]
    assert labels == [
        ("UTC+12:00", DONE),
        ("UTC+03:30", DONE),
        ("UTC+03:00", DONE),
        ("UTC+02:00", NOW),
        ("UTC+01:00", NEXT),
        ("UTC−04:00", LATER),
    ]
    # and the summary says where the day has reached
    assert names(wave.now_cities) == ["Berlin", "Paris"]
    assert names(wave.next_cities) == ["London"]
    assert wave.next_action.title == "London 14:00"
    assert names(wave.done_cities) == ["Istanbul", "Tehran", "Auckland"]


def test_actions_inside_a_zone_are_in_order_of_start_with_their_own_state(day):
    wave = build_wave(day.actions.select_related("city"), NOON_UTC)

    central = wave.groups[3]
    assert [(action.city.name, state) for action, state in central.rows] == [
        ("Berlin", HAPPENING),
        ("Paris", HAPPENING),
        ("Brussels", UPCOMING),
    ]
    assert {state for _action, state in wave.groups[0].rows} == {ENDED}
    happening = [action for group in wave.groups for action, _state in group.rows]
    assert Action.Status.CANCELLED not in {action.status for action in happening}


def test_before_the_first_start_everything_waits_and_the_east_is_next(day):
    wave = build_wave(day.actions.select_related("city"), NOON_UTC - dt.timedelta(days=1))

    assert not wave.started
    assert [group.state for group in wave.groups] == [NEXT, LATER, LATER, LATER, LATER, LATER]
    assert names(wave.next_cities) == ["Auckland"]
    assert wave.now_cities == [] and wave.done_cities == []


def test_after_the_last_end_every_zone_is_done(day):
    wave = build_wave(day.actions.select_related("city"), NOON_UTC + dt.timedelta(days=1))

    assert {group.state for group in wave.groups} == {DONE}
    assert wave.next_action is None and wave.now_cities == []


def test_wave_page_and_fragment_show_the_state_now(client, make_campaign, make_action):
    # given one action in progress and one later today
    campaign = make_campaign()
    make_action(campaign=campaign, title="Rally on now", starts_in=dt.timedelta(hours=-1))
    make_action(campaign=campaign, title="Vigil tonight", starts_in=dt.timedelta(hours=5))
    cache.clear()

    # when the wave page and its fragment are read
    page = client.get(f"/en/c/{campaign.slug}/wave/")
    fragment = client.get(f"/en/c/{campaign.slug}/wave/fragment/")

    # then both show the action in progress, and the page embeds the fragment it polls
    html = page.content.decode()
    assert page.status_code == 200 and fragment.status_code == 200
    assert "Rally on now" in html and 'class="badge"' in html and "Vigil tonight" in html
    assert fragment.content.decode() in html
    assert f'data-live-src="/en/c/{campaign.slug}/wave/fragment/"' in html
    assert f'data-live-etag="{escape(fragment["ETag"])}"' in html


def test_wave_fragment_in_persian_has_persian_digits(client, make_campaign, make_action):
    campaign = make_campaign()
    make_action(campaign=campaign, starts_in=dt.timedelta(hours=-1))
    cache.clear()

    html = client.get(f"/fa/c/{campaign.slug}/wave/fragment/").content.decode()

    assert "UTC+۰۱:۰۰" in html or "UTC+۰۲:۰۰" in html


def test_a_cached_wave_is_built_again_when_an_action_starts(
    client, make_campaign, make_action, monkeypatch
):
    # given the wave fragment read while the only action is an hour away
    campaign = make_campaign()
    make_action(campaign=campaign, title="Rally at noon", starts_in=dt.timedelta(hours=1))
    cache.clear()
    url = f"/en/c/{campaign.slug}/wave/fragment/"
    before = client.get(url).content.decode()
    assert 'class="badge"' not in before

    # when nobody reads it until the action has started (the copy itself is kept a day)
    later = dt.timedelta(hours=1, minutes=1)
    real_now, real_time = timezone.now, time.time
    monkeypatch.setattr(timezone, "now", lambda: real_now() + later)
    monkeypatch.setattr(core_cache.time, "time", lambda: real_time() + later.total_seconds())

    # then the next reader gets the action as happening now, not the copy from before
    after = client.get(url).content.decode()
    assert 'class="badge"' in after and 'class="phase-now"' in after

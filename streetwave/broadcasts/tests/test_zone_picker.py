"""The time zone of a broadcast's send time: canonical zones people recognise, grouped by
region with a readable name and today's offset, the zone of the campaign's hubs first chosen;
names the form accepted before still work."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.broadcasts.forms import BroadcastForm, zone_place

pytestmark = pytest.mark.django_db


def offered(form) -> dict[str, str]:
    """zone name -> label, across the groups of the picker."""
    names = {}
    for value, label in form.fields["zone"].choices:
        if isinstance(label, list | tuple):
            names.update({name: str(text) for name, text in label})
        else:
            names[value] = str(label)
    return names


def test_the_picker_offers_canonical_zones_only(make_campaign):
    # Given the compose form of a campaign
    form = BroadcastForm(campaign=make_campaign())
    names = offered(form)
    # Then aliases, legacy names and Etc zones are gone, and the real ones are there
    for alias in ("US/Eastern", "Asia/Calcutta", "Europe/Kiev", "Etc/GMT+5", "Iran", "GB", "EST"):
        assert alias not in names
    for zone in ("UTC", "Asia/Tehran", "Asia/Kolkata", "Europe/Kyiv", "America/New_York"):
        assert zone in names
    assert len(names) < 420


def test_zones_are_grouped_by_region_with_a_readable_name_and_offset(make_campaign):
    form = BroadcastForm(campaign=make_campaign())
    groups = {str(group): zones for group, zones in form.fields["zone"].choices[1:]}
    assert set(groups) >= {"Africa", "Americas", "Asia", "Europe", "Pacific Ocean"}
    assert ("Asia/Tehran", "Tehran (UTC+03:30)") in [(n, str(t)) for n, t in groups["Asia"]]
    assert zone_place("America/Argentina/Buenos_Aires") == "Buenos Aires (Argentina)"
    labels = [str(label) for _name, label in groups["Europe"]]
    assert labels == sorted(labels)


def test_the_zone_of_the_campaigns_hubs_is_chosen_first(
    make_campaign, make_city, make_hub, make_action
):
    # Given a campaign whose actions are in Tehran's zone
    campaign = make_campaign()
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.7, lon=51.4)
    make_action(hub=make_hub("Tehran hub", city=tehran), campaign=campaign)
    # Then the form starts on that zone, and on UTC for a campaign without actions
    assert BroadcastForm(campaign=campaign).fields["zone"].initial == "Asia/Tehran"
    assert BroadcastForm(campaign=make_campaign("other")).fields["zone"].initial == "UTC"


def test_a_legacy_zone_name_sent_by_an_older_form_still_works(make_campaign):
    tomorrow = (timezone.now() + dt.timedelta(days=2)).date()
    form = BroadcastForm(
        {
            "audience": "supporters",
            "subject_en": "Bring candles",
            "body_en": "Everyone brings a candle.",
            "send_date": tomorrow.isoformat(),
            "send_time": "18:30",
            "zone": "US/Eastern",
        },
        campaign=make_campaign(),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["send_at"].astimezone(dt.UTC).hour in (22, 23)


def test_an_unknown_zone_is_refused(make_campaign):
    form = BroadcastForm(
        {"audience": "supporters", "zone": "Mars/Olympus"}, campaign=make_campaign()
    )
    assert not form.is_valid() and "zone" in form.errors

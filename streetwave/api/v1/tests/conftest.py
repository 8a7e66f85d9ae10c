"""Small worlds for the API tests, built with the services (campaigns, hubs) and plain rows
(countries, cities, actions) instead of the full gazetteer."""

import datetime as dt
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.services import create_campaign
from streetwave.hubs.models import Hub
from streetwave.hubs.services import create_hub
from streetwave.places.models import City, Country

_geonameids = itertools.count(9_000_001)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Idempotency keys and tallies live in the cache; no test may see another's."""
    cache.clear()
    yield
    cache.clear()


def make_city(
    code: str,
    name: str,
    *,
    latitude: float,
    longitude: float,
    timezone_name: str,
    name_fa: str = "",
) -> City:
    country, _created = Country.objects.get_or_create(
        code=code, defaults={"name": f"Country {code}", "name_fa": f"کشور {code}"}
    )
    return City.objects.create(
        geonameid=next(_geonameids),
        name=name,
        name_fa=name_fa,
        country=country,
        latitude=latitude,
        longitude=longitude,
        population=100_000,
        timezone=timezone_name,
    )


@pytest.fixture
def paris(db) -> City:
    return make_city(
        "FR",
        "Paris",
        name_fa="پاریس",
        latitude=48.8566,
        longitude=2.3522,
        timezone_name="Europe/Paris",
    )


@pytest.fixture
def berlin(db) -> City:
    return make_city(
        "DE",
        "Berlin",
        name_fa="برلین",
        latitude=52.52,
        longitude=13.405,
        timezone_name="Europe/Berlin",
    )


@pytest.fixture
def toronto(db) -> City:
    return make_city(
        "CA",
        "Toronto",
        name_fa="تورنتو",
        latitude=43.6532,
        longitude=-79.3832,
        timezone_name="America/Toronto",
    )


@pytest.fixture
def campaign(db) -> Campaign:
    now = timezone.now()
    return create_campaign(
        slug="streets",
        texts={
            "fa": {"title": "به خیابان", "statement": "بیانیه", "demands": ["آزادی"]},
            "en": {"title": "To the streets", "statement": "Statement", "demands": ["Freedom"]},
        },
        languages=["fa", "en"],
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=30),
        goal=100,
        status=Campaign.Status.LIVE,
    )


@pytest.fixture
def hub(paris) -> Hub:
    return create_hub(
        name="Paris Hub", city=paris, languages=["fa", "fr"], status=Hub.Status.ACTIVE
    )


@pytest.fixture
def make_action(campaign):
    """Build a published action of `hub` in the campaign, starting in `days` days."""

    def build(hub: Hub, *, days: float = 7, **fields) -> Action:
        starts_at = fields.pop("starts_at", timezone.now() + dt.timedelta(days=days))
        values = {
            "campaign": campaign,
            "title": f"Rally of {hub.name}",
            "description": "Bring **water**.",
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=2),
            "city": hub.city,
            "place": "Main square",
            "latitude": hub.city.latitude,
            "longitude": hub.city.longitude,
            "status": Action.Status.PUBLISHED,
            **fields,
        }
        return Action.objects.create(hub=hub, **values)

    return build


@pytest.fixture
def action(hub, make_action) -> Action:
    return make_action(hub)

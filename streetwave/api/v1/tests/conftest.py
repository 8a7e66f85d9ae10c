"""Small worlds for the API tests, on top of the project's factory fixtures (conftest.py)."""

import datetime as dt

import pytest

from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.hubs.models import Hub
from streetwave.places.models import City


@pytest.fixture
def paris(make_city) -> City:
    return make_city(
        "Paris", country="FR", timezone="Europe/Paris", lat=48.8566, lon=2.3522, name_fa="پاریس"
    )


@pytest.fixture
def berlin(make_city) -> City:
    return make_city(
        "Berlin", country="DE", timezone="Europe/Berlin", lat=52.52, lon=13.405, name_fa="برلین"
    )


@pytest.fixture
def toronto(make_city) -> City:
    return make_city(
        "Toronto",
        country="CA",
        timezone="America/Toronto",
        lat=43.6532,
        lon=-79.3832,
        name_fa="تورنتو",
    )


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    return make_campaign(
        goal=100,
        texts={
            "fa": {"title": "به خیابان", "statement": "بیانیه", "demands": ["آزادی"]},
            "en": {"title": "To the streets", "statement": "Statement", "demands": ["Freedom"]},
        },
        languages=("fa", "en"),
    )


@pytest.fixture
def hub(make_hub, paris) -> Hub:
    return make_hub("Paris Hub", city=paris)


@pytest.fixture
def make_action(make_action, campaign):
    """A published action of `hub` in the campaign, starting in `days` days."""

    def build(hub: Hub, *, days: float = 7, **fields) -> Action:
        fields.setdefault("campaign", campaign)
        fields.setdefault("title", f"Rally of {hub.name}")
        fields.setdefault("description", "Bring **water**.")
        fields.setdefault("place", "Main square")
        return make_action(hub=hub, starts_in=dt.timedelta(days=days), **fields)

    return build


@pytest.fixture
def action(hub, make_action) -> Action:
    return make_action(hub)

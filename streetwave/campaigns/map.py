"""The map data of a campaign: one GeoJSON FeatureCollection of its public actions, built from
action rows (never RSVP rows) in one query, in the reader's language."""

import json

from django.urls import reverse
from django.utils import translation

from streetwave.core.i18n import format_datetime

from .access import get_public_actions
from .models import Campaign

# About 11 m: the public point of an action is a square, not a doorway.
COORDINATE_DECIMALS = 4


def build_map(campaign: Campaign, language: str) -> dict:
    with translation.override(language):
        features = [
            {
                "type": "Feature",
                "id": action.public_id,
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(action.longitude, COORDINATE_DECIMALS),
                        round(action.latitude, COORDINATE_DECIMALS),
                    ],
                },
                "properties": {
                    "title": action.title,
                    "city": action.city.display_name(language),
                    "time": format_datetime(action.local_start, language),
                    "url": reverse("actions:detail", args=[action.public_id]),
                    "status": action.status,
                },
            }
            for action in get_public_actions(campaign).order_by("starts_at", "pk")
        ]
    return {"type": "FeatureCollection", "features": features}


def render_map(campaign: Campaign, language: str) -> bytes:
    # Compact separators and raw UTF-8: Persian names stay two bytes a letter, not six.
    return json.dumps(
        build_map(campaign, language), ensure_ascii=False, separators=(",", ":")
    ).encode()

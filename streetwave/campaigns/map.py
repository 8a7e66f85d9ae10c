"""The map data of a campaign: one GeoJSON FeatureCollection of its public actions, built from
action rows (never RSVP rows) and their cities in two queries, in the reader's language.

Each feature says its `phase` when the document was built, and its `starts` and `ends` in UTC
(ISO 8601), so that the page can tell the phase at the moment it shows a popup even from a copy
a few seconds old (live documents are rebuilt as soon as an action starts or ends; see
campaigns.live). An action filed after the fact inside a high-risk country says its day only:
no `starts`, no `ends` (it is public only once over), and its point is its city's centre."""

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone, translation

from streetwave.core.i18n import format_date, format_datetime

from .models import Campaign
from .queries import PublicAction, public_action_rows

# About 11 m: the public point of an action is a square, not a doorway.
COORDINATE_DECIMALS = 4
_ID = "PUBLIC-ID"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _when(action: PublicAction, language: str) -> dict[str, str]:
    if action.after_the_fact:
        return {"time": format_date(action.local_start, language)}
    return {
        "time": format_datetime(action.local_start, language),
        "starts": _utc(action.starts_at),
        "ends": _utc(action.ends_at),
    }


def build_map(campaign: Campaign, language: str) -> dict:
    now = timezone.now()
    with translation.override(language):
        # One reverse for thousands of links.
        url = reverse("actions:detail", args=[_ID]).replace(_ID, "{}")
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
                    "url": url.format(action.public_id),
                    "status": action.status,
                    "phase": action.phase_at(now).value,
                    **_when(action, language),
                },
            }
            for action in public_action_rows(campaign)
        ]
    return {"type": "FeatureCollection", "features": features}


def render_map(campaign: Campaign, language: str) -> bytes:
    # Compact separators and raw UTF-8: Persian names stay two bytes a letter, not six.
    return json.dumps(
        build_map(campaign, language), ensure_ascii=False, separators=(",", ":")
    ).encode()

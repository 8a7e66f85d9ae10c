"""The demo's high-risk country: Iran's hubs reported their actions of the day before after the
fact; two are public, one is verified but within the delay, one waits for a second person."""

import pytest
from django.utils import timezone

from streetwave.actions.models import RSVP, Action
from streetwave.approvals.models import Approval
from streetwave.campaigns.models import InsideCount
from streetwave.demo.world import CITIES, build_demo
from streetwave.hubs.models import Hub
from streetwave.places.models import Country
from streetwave.places.services import load_places

from .test_demo import TINY

pytestmark = pytest.mark.django_db


@pytest.fixture
def places_with_iran():
    countries = {country for country, *_rest in CITIES[:10]} | {"IR"}
    load_places(countries=countries, min_population=500_000)


def test_the_demo_has_a_high_risk_country_with_reported_actions(places_with_iran, client):
    summary = build_demo(TINY, seed=7, day=timezone.now().date())

    assert summary.inside == 4
    assert Country.objects.get(code="IR").high_risk
    inside = Action.objects.filter(city__country__code="IR")
    assert inside.count() == 4 and all(action.after_the_fact for action in inside)
    approvals = sorted(action.report_backs.get().approval for action in inside)
    assert approvals == [Approval.APPROVED] * 3 + [Approval.HELD]
    public = Action.objects.public().filter(city__country__code="IR")
    assert sorted(public.values_list("title", flat=True)) == [
        "Bridge of voices",
        "Night of the cypress",
    ]
    # Only the day and the city's centre; nobody's RSVP.
    for action in inside.select_related("city"):
        assert (action.latitude, action.longitude, action.place) == (
            action.city.latitude,
            action.city.longitude,
            action.city.name,
        )
        assert timezone.localtime(action.starts_at, action.city.zone).hour == 0
    assert not RSVP.objects.filter(action__in=inside).exists()
    assert Hub.objects.filter(city__country__code="IR").count() == 4
    hidden = inside.get(title="Orange blossom")
    assert client.get(f"/en/a/{hidden.public_id}/").status_code == 404
    shown = public.get(title="Night of the cypress")
    assert "Night of the cypress" in client.get(f"/en/a/{shown.public_id}/").content.decode()
    # People inside who said they joined: a count per city, shown rounded down on the inside page
    assert sorted(InsideCount.objects.values_list("city__name", "count")) == [
        ("Isfahan", 412),
        ("Shiraz", 87),
        ("Tabriz", 6),
        ("Tehran", 1340),
    ]
    page = client.get(f"/en/c/{summary.campaign.slug}/inside/").content.decode()
    assert "1,300" in page and "1,340" not in page

import datetime as dt
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from streetwave.actions.models import RSVP, Action
from streetwave.actions.services import CONSENT_VERSION
from streetwave.campaigns.models import Campaign, CampaignCounter
from streetwave.campaigns.services import create_campaign
from streetwave.core.crypto import blind_index
from streetwave.demo.world import CITIES, MAX_DEPTH, SIZES, DemoSize, build_demo
from streetwave.hubs.models import Hub, Participation
from streetwave.places.models import City
from streetwave.places.services import load_places
from streetwave.safety.models import Incident, RightsCard, SafetyRole
from streetwave.safety.services import is_reporting_open

pytestmark = pytest.mark.django_db

TINY = DemoSize(cities=10, hubs=14, actions=30, rsvps=500, founders=2)
DEMO_COUNTRIES = sorted({country for country, *_rest in CITIES})
ACTION_FIELDS = ("title", "kind", "status", "starts_at", "place", "latitude", "capacity",
                 "going_count", "waitlisted_count", "cancelled_count")  # fmt: skip


@pytest.fixture
def few_places():
    """The first ten demo cities are all above half a million people: a fast load."""
    load_places(countries={country for country, *_rest in CITIES[:10]}, min_population=500_000)


@pytest.fixture
def demo_places():
    """The small profile's countries, big cities only: the command finds cities and skips the
    full gazetteer load, which would make this test slow without testing the demo."""
    load_places(countries=DEMO_COUNTRIES, min_population=100_000)


def today() -> dt.date:
    # The builder's day is the only input besides the seed; "today" keeps the manage link live.
    return timezone.now().date()


def fingerprint() -> dict:
    return {
        "campaign": list(Campaign.objects.values_list("slug", "texts", "starts_at", "goal")),
        "hubs": list(
            Hub.objects.order_by("id").values_list("name", "city__name", "depth", "status")
        ),
        "actions": list(Action.objects.order_by("id").values_list(*ACTION_FIELDS)),
        "rsvps": list(
            RSVP.objects.order_by("id").values_list("status", "language", "pseudonym", "contact")
        ),
    }


def wipe_demo() -> None:
    RSVP.objects.all().delete()
    Action.objects.all().delete()
    # Sponsors are protected while they have sponsored hubs: delete the leaves first.
    for depth in range(MAX_DEPTH, -1, -1):
        Hub.objects.filter(depth=depth).delete()
    Campaign.objects.all().delete()


def recounts() -> tuple[dict[int, Counter], Counter]:
    per_action: dict[int, Counter] = {}
    for row in RSVP.objects.values("action_id", "status").annotate(n=Count("id")):
        per_action.setdefault(row["action_id"], Counter())[row["status"]] = row["n"]
    return per_action, sum(per_action.values(), Counter())


def raw_contacts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT contact FROM {RSVP._meta.db_table}")  # noqa: S608
        return [contact for (contact,) in cursor.fetchall()]


def assert_counters_equal_a_recount(campaign: Campaign) -> None:
    per_action, total = recounts()
    for action in Action.objects.all():
        counted = per_action.get(action.pk, Counter())
        stored = (action.going_count, action.waitlisted_count, action.cancelled_count)
        assert stored == (counted["going"], counted["waitlisted"], counted["cancelled"])
    assert CampaignCounter.totals(campaign.pk) == {
        "going": total["going"],
        "waitlisted": total["waitlisted"],
        "cancelled": total["cancelled"],
    }


def assert_capacity_respected() -> None:
    for action in Action.objects.filter(capacity__isnull=False):
        capacity = action.capacity or 0
        going = action.rsvps.filter(status=RSVP.Status.GOING).count()
        assert going <= capacity
        if action.rsvps.filter(status=RSVP.Status.WAITLISTED).exists():
            # Nobody waits while a seat is free.
            assert going == capacity


def test_same_seed_and_day_give_the_same_demo_and_another_seed_another(few_places):
    day = today()
    build_demo(TINY, seed=7, day=day)
    first = fingerprint()
    wipe_demo()

    build_demo(TINY, seed=7, day=day)
    assert fingerprint() == first
    wipe_demo()

    build_demo(TINY, seed=8, day=day)
    assert fingerprint()["actions"] != first["actions"]


def test_the_tiny_demo_has_the_asked_sizes_and_one_manageable_rsvp(few_places):
    summary = build_demo(TINY, seed=1, day=today())

    assert (summary.cities, summary.hubs, summary.actions) == (10, 14, 30)
    assert Action.objects.count() == 30 and Hub.objects.count() == 14
    # The bulk RSVPs plus the one made through the service for the printed manage link.
    assert RSVP.objects.count() == TINY.rsvps + 1
    assert summary.manage_path is not None and summary.manage_path.startswith("/en/rsvp/")
    assert sum(summary.rsvps.values()) == TINY.rsvps + 1
    # Every hub with an action answered the campaign's call, so its coordinators oversee it
    answered = set(Participation.objects.values_list("hub_id", flat=True))
    assert answered == set(Action.objects.values_list("hub_id", flat=True))


def test_counters_equal_a_recount_of_the_rsvp_rows(few_places):
    summary = build_demo(TINY, seed=2, day=today())

    assert_counters_equal_a_recount(summary.campaign)
    assert_capacity_respected()


def test_rsvp_rows_look_like_the_service_made_them(few_places):
    build_demo(TINY, seed=3, day=today())

    contacts = raw_contacts()
    assert any(contacts), "some demo RSVPs carry an email"
    assert not any("@" in contact or "example" in contact for contact in contacts)
    for rsvp in RSVP.objects.all():
        assert rsvp.contact_index == (blind_index(rsvp.contact) if rsvp.contact else "")
        assert rsvp.consent_version == CONSENT_VERSION
        assert len(rsvp.manage_token_hash) == 64
    assert RSVP.objects.values("manage_token_hash").distinct().count() == RSVP.objects.count()


def test_hubs_form_one_tree_five_levels_deep_whatever_the_seed(few_places):
    for seed in range(1, 11):
        build_demo(TINY, seed=seed, day=today())

        hubs = {hub.pk: hub for hub in Hub.objects.all()}
        assert max(hub.depth for hub in hubs.values()) + 1 == 5, f"seed {seed}"
        roots = [hub for hub in hubs.values() if hub.sponsor_id is None]
        assert len(roots) == TINY.founders and all(root.depth == 0 for root in roots)
        for hub in hubs.values():
            if hub.sponsor_id is None:
                continue
            sponsor = hubs[hub.sponsor_id]
            assert sponsor.is_active
            assert (hub.path, hub.depth) == (f"{sponsor.path}/{hub.public_id}", sponsor.depth + 1)
        wipe_demo()


def test_actions_fall_in_the_window_at_a_plausible_local_hour(few_places):
    summary = build_demo(TINY, seed=5, day=today())

    campaign = summary.campaign
    for action in Action.objects.select_related("city"):
        assert campaign.starts_at <= action.starts_at < action.ends_at <= campaign.ends_at
        local = action.starts_at.astimezone(ZoneInfo(action.city.timezone))
        assert local.date() == today() and 11 <= local.hour <= 19
        assert action.hub.city_id == action.city_id and action.hub.is_active


def test_if_empty_does_nothing_when_a_campaign_exists():
    now = timezone.now()
    create_campaign(
        slug="another-call",
        texts={},
        languages=["en"],
        starts_at=now,
        ends_at=now + dt.timedelta(days=1),
        goal=10,
    )
    out = StringIO()

    call_command("demo", "--if-empty", stdout=out)

    assert "exists already" in out.getvalue()
    assert Campaign.objects.count() == 1 and not Hub.objects.exists()
    assert not City.objects.exists(), "not even the places are loaded"


def test_without_if_empty_a_second_demo_is_refused(few_places):
    build_demo(TINY, seed=1, day=today())

    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())
    assert Campaign.objects.count() == 1


def test_the_demo_command_loads_the_small_profile_once(demo_places):
    out = StringIO()
    call_command("demo", "--seed", "1", stdout=out)
    campaign = Campaign.objects.get()

    small = SIZES["small"]
    assert campaign.status == Campaign.Status.LIVE and campaign.languages[:2] == ["en", "fa"]
    assert Action.objects.count() == small.actions and Hub.objects.count() == small.hubs
    assert RSVP.objects.count() == small.rsvps + 1
    assert Action.objects.values("city__country").distinct().count() >= 40
    assert Action.objects.filter(capacity__isnull=False, waitlisted_count__gt=0).exists()
    assert Action.objects.filter(going_count__gte=1000).exists()
    assert_counters_equal_a_recount(campaign)
    assert_capacity_respected()
    assert "/en/rsvp/" in out.getvalue()

    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "exists already" in out.getvalue()
    assert RSVP.objects.count() == small.rsvps + 1 and Campaign.objects.count() == 1


def test_the_demo_day_has_safety_roles_incidents_and_a_rights_card(few_places):
    # given the tiny demo, today
    summary = build_demo(TINY, seed=4, day=today())
    campaign = summary.campaign
    # then some actions have a confirmed marshal and medic, who are supporters going to them
    roles = SafetyRole.objects.filter(action__campaign=campaign)
    assert roles.filter(state=SafetyRole.State.CONFIRMED, rsvp__status=RSVP.Status.GOING).exists()
    assert not roles.exclude(rsvp__action=F("action")).exists()
    # incidents are at published actions where reporting is open, and there are some whenever
    # one action has begun
    incidents = Incident.objects.filter(action__campaign=campaign).select_related("action")
    assert all(is_reporting_open(incident.action) for incident in incidents)
    begun = Action.objects.filter(
        campaign=campaign, status=Action.Status.PUBLISHED, starts_at__lte=timezone.now()
    )
    assert incidents.exists() == begun.exists()
    # and a know-your-rights card is written for a country with actions
    assert RightsCard.objects.filter(campaign=campaign).count() == 1

import itertools

import pytest

from streetwave.celery import app as celery_app


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in unit tests; the real-worker tests start their own processes."""
    celery_app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True, scope="session")
def _cache_of_our_own(tmp_path_factory):
    """The embedded cache is a folder every process shares: tests, which empty it, get one of
    their own, apart from a running `make run` and from another test run."""
    from django.conf import settings
    from django.test.utils import override_settings

    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("SharedFileCache"):
        yield
        return
    folder = str(tmp_path_factory.mktemp("cache"))
    with override_settings(CACHES={"default": {**default, "LOCATION": folder}}):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached tally, map or rate-limit counts."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A request or override in one test must not leave its language active for the next."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """argon2 is deliberately slow; tests that sign in dozens of organizers do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a collectstatic run; the manifest storage is exercised by make run."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Factories as fixtures: every test builds the small world it needs through the services.
_geonameids = itertools.count(90_000_000)


@pytest.fixture
def make_city(db):
    from streetwave.places.models import City, CityName, Country
    from streetwave.places.names import search_keys

    def make(
        name="Berlin",
        *,
        country="DE",
        timezone="Europe/Berlin",
        lat=52.52,
        lon=13.40,
        name_fa="",
        geonameid=None,
        population=1_000_000,
    ):
        country_row, _ = Country.objects.get_or_create(
            code=country, defaults={"name": f"Country {country}", "name_fa": f"کشور {country}"}
        )
        city = City.objects.create(
            geonameid=geonameid or next(_geonameids),
            name=name,
            name_fa=name_fa,
            country=country_row,
            latitude=lat,
            longitude=lon,
            population=population,
            timezone=timezone,
        )
        CityName.objects.bulk_create(
            CityName(city=city, key=key) for key in search_keys([name, name_fa])
        )
        return city

    return make


@pytest.fixture
def make_hub(make_city):
    from streetwave.hubs.models import Hub
    from streetwave.hubs.services import create_hub

    def make(name="Berlin hub", *, city=None, sponsor=None, status=Hub.Status.ACTIVE):
        return create_hub(
            name=name,
            city=city or make_city(),
            languages=["fa", "de"],
            sponsor=sponsor,
            status=status,
        )

    return make


@pytest.fixture
def make_campaign(db):
    import datetime as dt

    from django.utils import timezone

    from streetwave.campaigns.models import Campaign
    from streetwave.campaigns.services import create_campaign

    default_texts = {
        "en": {
            "title": "Streets for freedom",
            "statement": "Join us.",
            "demands": ["Free all political prisoners"],
        },
        "fa": {
            "title": "خیابان برای آزادی",
            "statement": "به ما بپیوندید.",
            "demands": ["آزادی همه زندانیان سیاسی"],
        },
    }

    def make(
        slug="streets",
        *,
        goal=1000,
        status=Campaign.Status.LIVE,
        texts=None,
        languages=("en", "fa"),
    ):
        now = timezone.now()
        return create_campaign(
            slug=slug,
            texts=texts or default_texts,
            languages=list(languages),
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=7),
            goal=goal,
            status=status,
        )

    return make


@pytest.fixture
def make_action(make_hub):
    import datetime as dt

    from django.utils import timezone

    from streetwave.actions.models import Action
    from streetwave.hubs.models import Participation

    def make(
        *,
        hub=None,
        campaign=None,
        capacity=None,
        status=Action.Status.PUBLISHED,
        title="Rally for freedom",
        starts_in=dt.timedelta(days=2),
        **extra,
    ):
        hub = hub or make_hub()
        start = extra.pop("starts_at", None) or timezone.now() + starts_in
        city = extra.pop("city", hub.city)
        fields = {
            "place": "Alexanderplatz",
            "latitude": city.latitude,
            "longitude": city.longitude,
            **extra,
        }
        action = Action.objects.create(
            hub=hub,
            city=city,
            campaign=campaign,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=capacity,
            status=status,
            **fields,
        )
        if campaign is not None:
            # As create_action does: a hub with an action in a campaign answered its call.
            Participation.objects.get_or_create(hub=hub, campaign=campaign)
        return action

    return make


@pytest.fixture
def move_action():
    """move_action(action, old_place, new_place=..., earlier=...): record that `action` came from
    `old_place`, `earlier` before its time, as an applied change its public page lists."""
    import datetime as dt

    from django.utils import timezone

    from streetwave.actions.models import Action, ActionChange
    from streetwave.approvals.models import Approval

    def move(action, old_place, *, new_place=None, earlier=dt.timedelta(0)):
        change = ActionChange.objects.create(
            action=action,
            approval=Approval.APPROVED,
            approved_at=timezone.now(),
            old_starts_at=action.starts_at - earlier,
            old_ends_at=action.ends_at - earlier,
            old_place=old_place,
            old_latitude=action.latitude,
            old_longitude=action.longitude,
            new_starts_at=action.starts_at,
            new_ends_at=action.ends_at,
            new_place=new_place or action.place,
            new_latitude=action.latitude,
            new_longitude=action.longitude,
        )
        Action.objects.filter(pk=action.pk).update(changed_at=change.approved_at)
        return change

    return move


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    counter = itertools.count(1)

    def make(email=None, *, password="correct horse battery staple", **extra):
        email = email or f"organizer{next(counter)}@example.org"
        return get_user_model().objects.create_user(email, password, **extra)

    return make


@pytest.fixture
def login():
    """Sign a user in on a test client as a fully verified organizer session: the user gets an
    authenticator app if they have no second factor, and the session is tracked and verified
    with it exactly as the sign-in pages leave it (client.force_login alone opens no organizer
    page)."""
    from streetwave.accounts.testing import sign_in_verified

    def sign_in(client, user):
        return sign_in_verified(client, user)

    return sign_in


@pytest.fixture
def make_member(make_user):
    from streetwave.hubs.models import Membership

    def make(hub, role=Membership.Role.ORGANIZER, user=None):
        user = user or make_user()
        Membership.objects.create(user=user, hub=hub, role=role)
        return user

    return make


@pytest.fixture
def make_coordinator(make_user):
    from streetwave.hubs.models import CampaignRole

    def make(campaign, user=None):
        user = user or make_user()
        CampaignRole.objects.create(
            user=user, campaign=campaign, role=CampaignRole.Role.COORDINATOR
        )
        return user

    return make


# The campaign most tests need, and its two coordinators (two, for what needs a second person).
# A test module with another campaign defines its own `campaign` fixture, which wins.


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def coordinator(campaign, make_coordinator):
    return make_coordinator(campaign)


@pytest.fixture
def second_coordinator(campaign, make_coordinator):
    return make_coordinator(campaign)


# The hub most tests need, with a lead and an organizer. A test module or app with another hub
# defines its own `hub` fixture, which wins.


@pytest.fixture
def hub(make_hub):
    return make_hub("Berlin hub")


@pytest.fixture
def lead(hub, make_member):
    from streetwave.hubs.models import Membership

    return make_member(hub, Membership.Role.LEAD)


@pytest.fixture
def organizer(hub, make_member):
    from streetwave.hubs.models import Membership

    return make_member(hub, Membership.Role.ORGANIZER)


@pytest.fixture
def make_proposal(make_city):
    """A proposed hub whose applicant confirmed the address: it waits for vouches."""
    from streetwave.hubs.models import HubApplication
    from streetwave.hubs.services import propose_hub, verify_hub_application

    def make(name="Leipzig hub", *, city=None, email="applicant@example.org", language="fa"):
        hub = propose_hub(
            name=name,
            city=city or make_city("Leipzig", lat=51.34, lon=12.37),
            languages=["fa", "de"],
            motivation="We met at the Augustusplatz vigils.",
            email=email,
            language=language,
        )
        verify_hub_application(HubApplication.objects.get(hub=hub))
        hub.refresh_from_db()
        return hub

    return make

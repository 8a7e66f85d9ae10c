"""One world for the project-wide permission matrix and the canary test: a live campaign, two
active hubs with a person in every role, an action with marker ("canary") RSVPs, and every
object an organizer URL takes as an argument, all made through the services so ids are real.

The world is built once per test module, inside a transaction that is rolled back when the
module ends; each test runs in a savepoint inside it (pytest-django's `db`), so a test that
POSTs changes nothing the next test sees. Hundreds of requests then cost requests, not
hundreds of worlds. The root conftest's factories are function-scoped and cannot feed a
module-scoped fixture, so the few rows they would make are made here the same way.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.test.client import ClientHandler
from django.utils import timezone, translation

CANARY_PSEUDONYM = "CANARY-PSEUDONYM-7Q"
CANARY_EMAIL = "canary-7q@example.org"
CANARY_MEETING_POINT = "CANARY-MEETING-7Q"
CANARIES = (CANARY_PSEUDONYM, CANARY_EMAIL, CANARY_MEETING_POINT)
# Whoever proposes a hub: vouchers and coordinators see the proposal, never this address.
APPLICANT_EMAIL = "applicant-7q@example.org"
# The new place of a late change that waits for a second organizer: public nowhere until then.
HELD_PLACE = "CANARY-HELD-PLACE-7Q"

# The roles of the matrix, in the order its rows list them. `organizer_a2` is the second
# organizer of hub A whose requests the others confirm; it is no column of the matrix.
ROLES = (
    "anonymous",
    "no_role",
    "member_a",
    "safety_lead_a",
    "organizer_a",
    "lead_a",
    "organizer_b",
    "coordinator",
    "operator",
)

# Relay messages to more people than this wait for a second organizer
# (actions.models.RELAY_APPROVAL_THRESHOLD); the world has one more live contact.
SUPPORTERS_WITH_EMAIL = 50

_geonameids = itertools.count(91_000_000)


@dataclass
class World:
    users: dict  # role -> User (None for anonymous)
    ids: dict  # placeholder -> public id, slug or user id of an object
    mails: list = field(default_factory=list)  # every mail sent while the world was built
    sessions: dict = field(default_factory=dict)  # role -> session key of its verified session
    # A new client loads the middleware anew, and WhiteNoise then reads every static file: the
    # clients share one handler (it keeps no cookies; those are the client's). Without CSRF
    # checks, like the test client's own.
    handler: ClientHandler = field(default_factory=lambda: ClientHandler(enforce_csrf_checks=False))

    def client(self, role: str) -> Client:
        """A client of its own for `role`, on the verified session made for it. A fresh client
        per test: a response that sets cookies (sign-out, a new session) affects no other."""
        client = Client(raise_request_exception=False)
        client.handler = self.handler
        if self.sessions.get(role):
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _city(name, *, country, timezone_name, lat, lon):
    from streetwave.places.models import City, CityName, Country
    from streetwave.places.names import search_keys

    country_row, _ = Country.objects.get_or_create(
        code=country, defaults={"name": f"Country {country}", "name_fa": f"کشور {country}"}
    )
    city = City.objects.create(
        geonameid=next(_geonameids),
        name=name,
        country=country_row,
        latitude=lat,
        longitude=lon,
        population=1_000_000,
        timezone=timezone_name,
    )
    CityName.objects.bulk_create(CityName(city=city, key=key) for key in search_keys([name]))
    return city


def _user(role):
    """An account whose address and display name say whose they are, so that a test can look
    for them where they must not be (the hub graph is an asset too)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        f"{role.replace('_', '-')}-7q@example.org",
        "correct horse battery staple",
        display_name=f"NAME-7Q-{role}",
    )


def _build() -> World:
    from streetwave.actions import services as actions
    from streetwave.actions.models import Action
    from streetwave.campaigns.models import Campaign
    from streetwave.campaigns.services import create_campaign
    from streetwave.hubs.models import CampaignRole, Hub, HubApplication, Membership
    from streetwave.hubs.services import create_hub, propose_hub, verify_hub_application

    now = timezone.now().replace(second=0, microsecond=0)
    campaign = create_campaign(
        slug="streets",
        texts={
            "en": {"title": "Streets for freedom", "statement": "Join us.", "demands": ["Free"]},
            "fa": {"title": "خیابان برای آزادی", "statement": "بپیوندید.", "demands": ["آزادی"]},
        },
        languages=["en", "fa"],
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=7),
        goal=1000,
        status=Campaign.Status.LIVE,
    )
    berlin = _city("Berlin", country="DE", timezone_name="Europe/Berlin", lat=52.52, lon=13.40)
    paris = _city("Paris", country="FR", timezone_name="Europe/Paris", lat=48.85, lon=2.35)
    hub_a = create_hub(
        name="Berlin hub", city=berlin, languages=["fa", "de"], status=Hub.Status.ACTIVE
    )
    hub_b = create_hub(
        name="Paris hub", city=paris, languages=["fa", "fr"], status=Hub.Status.ACTIVE
    )

    users: dict = {"anonymous": None, "no_role": _user("no_role")}
    Role = Membership.Role
    for role, hub, kind in [
        ("member_a", hub_a, Role.MEMBER),
        ("safety_lead_a", hub_a, Role.SAFETY_LEAD),
        ("organizer_a", hub_a, Role.ORGANIZER),
        ("organizer_a2", hub_a, Role.ORGANIZER),
        ("lead_a", hub_a, Role.LEAD),
        ("organizer_b", hub_b, Role.ORGANIZER),
    ]:
        users[role] = _user(role)
        Membership.objects.create(user=users[role], hub=hub, role=kind)
    users["operator"] = _user("operator")
    users["operator"].is_operator = True
    users["operator"].save(update_fields=["is_operator"])
    users["coordinator"] = _user("coordinator")
    CampaignRole.objects.create(
        user=users["coordinator"], campaign=campaign, role=CampaignRole.Role.COORDINATOR
    )

    def details(title, starts_at, **changes):
        values = {
            "campaign": campaign,
            "kind": Action.Kind.RALLY,
            "title": title,
            "description": "Bring a candle.",
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=2),
            "place": "Alexanderplatz",
            "latitude": berlin.latitude,
            "longitude": berlin.longitude,
            "meeting_point": "",
            "capacity": None,
            **changes,
        }
        return actions.ActionDetails(**values)

    # Hub A is on probation (nothing of it has taken place yet), so its actions in the campaign
    # go through the coordinator's approval queue, as a new hub's would.
    rally = actions.create_action(
        hub_a,
        details(
            "Rally for freedom", now + dt.timedelta(hours=30), meeting_point=CANARY_MEETING_POINT
        ),
        actor=users["organizer_a"],
    )
    actions.publish_action(rally, actor=users["organizer_a"])
    actions.approve_action(rally, actor=users["coordinator"])
    draft = actions.create_action(
        hub_a, details("A draft vigil", now + dt.timedelta(days=3)), actor=users["organizer_a"]
    )
    pending = actions.create_action(
        hub_a, details("A march to approve", now + dt.timedelta(days=4)), actor=users["lead_a"]
    )
    actions.publish_action(pending, actor=users["lead_a"])

    rally.refresh_from_db()
    # The canary offers to be a medic: the safety pages name it by pseudonym, never by address.
    actions.create_rsvp(
        rally,
        pseudonym=CANARY_PSEUDONYM,
        email=CANARY_EMAIL,
        language="en",
        consent=True,
        safety_offers=["medic"],
    )
    # A message to one supporter goes out at once: the canary gets a relayed copy.
    actions.send_relay_message(rally, body="See you there.", actor=users["organizer_a"])
    for number in range(SUPPORTERS_WITH_EMAIL):
        actions.create_rsvp(
            rally,
            pseudonym=f"supporter {number}",
            email=f"supporter{number}@example.org",
            language="fa" if number % 2 else "en",
            consent=True,
        )
    actions.create_rsvp(rally, language="en", consent=True)
    held = actions.send_relay_message(
        rally, body="The meeting point is the east exit.", actor=users["organizer_a2"]
    )
    assert held.is_held
    # Moving the place 30 hours before the start waits for a second organizer.
    change = actions.update_action(
        rally,
        details(
            rally.title,
            rally.starts_at,
            place=HELD_PLACE,
            meeting_point=CANARY_MEETING_POINT,
        ),
        actor=users["organizer_a2"],
    )
    assert change is not None and change.is_held
    awaiting_export = actions.request_attendee_export(rally, actor=users["organizer_a2"])
    ready_export = actions.request_attendee_export(rally, actor=users["organizer_a"])
    actions.approve_attendee_export(ready_export, actor=users["lead_a"])

    proposal = propose_hub(
        name="Leipzig hub",
        city=_city("Leipzig", country="DE", timezone_name="Europe/Berlin", lat=51.34, lon=12.37),
        languages=["fa", "de"],
        motivation="We met at the Augustusplatz vigils.",
        email=APPLICANT_EMAIL,
        language="fa",
    )
    verify_hub_application(HubApplication.objects.get(hub=proposal))
    # The applicant has not confirmed the address yet: nobody may vouch for it.
    unconfirmed = propose_hub(
        name="Dresden hub",
        city=_city("Dresden", country="DE", timezone_name="Europe/Berlin", lat=51.05, lon=13.74),
        languages=["fa", "de"],
        motivation="We are many in Dresden.",
        email="unconfirmed-applicant@example.org",
        language="en",
    )
    draft_campaign = create_campaign(
        slug="next-year",
        texts={"en": {"title": "Next year", "statement": "Soon.", "demands": []}},
        languages=["en"],
        starts_at=now + dt.timedelta(days=300),
        ends_at=now + dt.timedelta(days=301),
        goal=100,
        status=Campaign.Status.DRAFT,
    )
    # Broadcasts of the campaign: one sent to its hubs (hub A takes part, hub B does not), one
    # scheduled for tomorrow, and one held for a second coordinator: the rally's 51 supporters
    # with an address asked for the campaign's news.
    from streetwave.actions.models import RSVP
    from streetwave.actions.news_links import news_confirmation_token, unsubscribe_token
    from streetwave.broadcasts import services as broadcasts

    coordinator = users["coordinator"]
    notice = {"en": {"subject": "Bring candles", "body": "Everyone brings a candle."}}
    hub_broadcast = broadcasts.create_broadcast(
        campaign, audience="hubs", texts=notice, actor=coordinator
    )
    scheduled_broadcast = broadcasts.create_broadcast(
        campaign,
        audience="hubs",
        texts=notice,
        send_at=now + dt.timedelta(days=1),
        actor=coordinator,
    )
    RSVP.objects.filter(action=rally).exclude(contact_index="").update(campaign_news=True)
    held_broadcast = broadcasts.create_broadcast(
        campaign, audience="supporters", texts=notice, actor=coordinator
    )
    assert held_broadcast.status == "held"
    canary_rsvp = RSVP.objects.get(action=rally, pseudonym=CANARY_PSEUDONYM)
    # Moderation: a visitor's report of the rally; its takedown, held for a second coordinator
    # (it would tell the rally's 51 people); hub B's lead (no column of the matrix) flags hub A.
    from streetwave.moderation import services as moderation

    report = moderation.report_action(rally, kind="fake", text="This looks staged.")
    takedown = moderation.take_down_action(rally, reason="unsafe", actor=coordinator)
    assert takedown.is_held
    users["lead_b"] = _user("lead_b")
    Membership.objects.create(user=users["lead_b"], hub=hub_b, role=Role.LEAD)
    flag = moderation.flag_hub(
        hub_a, by_hub=hub_b, reason="Nobody has met them.", actor=users["lead_b"]
    )
    # Report-backs: an action of hub A that ended an hour ago, its report-back held for a
    # second person (filed by the second organizer); and an action of hub B outside any
    # campaign (hub B answers no call) whose report-back hub B's lead verified.
    from streetwave.approvals.models import Approval
    from streetwave.reportbacks import services as reportbacks

    def ended(hub, title, **changes):
        # Made as it stands after the fact: the services plan actions only in the future.
        return Action.objects.create(
            hub=hub,
            city=hub.city,
            title=title,
            starts_at=now - dt.timedelta(hours=3),
            ends_at=now - dt.timedelta(hours=1),
            place="Alexanderplatz",
            latitude=hub.city.latitude,
            longitude=hub.city.longitude,
            status=Action.Status.PUBLISHED,
            approval=Approval.APPROVED,
            **changes,
        )

    said: dict[str, Any] = {
        "took_place": True,
        "reason": "",
        "turnout": 300,
        "turnout_is_estimate": True,
        "story": "We filled the square.",
        "language": "en",
    }
    ended_action = ended(hub_a, "Yesterday's vigil", campaign=campaign)
    held_report = reportbacks.file_report_back(ended_action, **said, actor=users["organizer_a2"])
    ended_rsvp = RSVP.objects.create(
        action=ended_action,
        language="en",
        consent_version="1",
        status=RSVP.Status.GOING,
        manage_token_hash="ended-rsvp-hash",
    )
    reported = ended(hub_b, "Paris vigil")
    public_report = reportbacks.verify_report_back(
        reportbacks.file_report_back(reported, **said, actor=users["organizer_b"]),
        actor=users["lead_b"],
    )
    # A processed photo of each: hub A's held report-back's, hub B's public one's.
    import io

    from PIL import Image

    def photo_of(report_back, actor):
        jpeg = io.BytesIO()
        Image.new("RGB", (32, 24), (90, 140, 200)).save(jpeg, "JPEG")
        photo = reportbacks.upload_photo(
            report_back,
            data=jpeg.getvalue(),
            declared_name="square.jpg",
            declared_type="image/jpeg",
            alt_text="The square, full of people.",
            actor=actor,
        )
        return reportbacks.process_uploaded_photo(photo.pk)

    held_photo = photo_of(held_report, users["organizer_a2"])
    # An incident the canary reported at the rally (kept as its RSVP, never shown), with a note.
    from streetwave.safety.models import Incident, IncidentNote

    incident = Incident.objects.create(
        action=rally,
        kind=Incident.Kind.POLICE,
        severity=Incident.Severity.HIGH,
        happened_at=now,
        text="Police at the north corner.",
        source=Incident.Source.SUPPORTER,
        reporter_rsvp=canary_rsvp,
    )
    IncidentNote.objects.create(incident=incident, author=users["organizer_a"], text="On it.")
    # Its photo, processed: only those who handle the incident may fetch it.
    from django.core.files.base import ContentFile

    from streetwave.safety.models import IncidentPhoto

    jpeg = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 140, 200)).save(jpeg, "JPEG")
    incident_photo = IncidentPhoto(incident=incident, state="ready", width=32, height=24)
    incident_photo.file.save("photo.jpg", ContentFile(jpeg.getvalue()), save=True)
    public_photo = photo_of(public_report, users["organizer_b"])

    return World(
        users=users,
        ids={
            "hub_broadcast": hub_broadcast.public_id,
            "scheduled_broadcast": scheduled_broadcast.public_id,
            "held_broadcast": held_broadcast.public_id,
            "unsubscribe_token": unsubscribe_token(canary_rsvp),
            "news_token": news_confirmation_token(canary_rsvp),
            "campaign": campaign.slug,
            "hub_a": hub_a.public_id,
            "hub_b": hub_b.public_id,
            "action": rally.public_id,
            "draft": draft.public_id,
            "pending": pending.public_id,
            "change": change.public_id,
            "message": held.public_id,
            "export": awaiting_export.public_id,
            "ready_export": ready_export.public_id,
            "proposal": proposal.public_id,
            "unconfirmed": unconfirmed.public_id,
            "draft_campaign": draft_campaign.slug,
            "member_a": users["member_a"].public_id,
            "organizer_b": users["organizer_b"].public_id,
            "coordinator": users["coordinator"].public_id,
            "report": report.public_id,
            "takedown": takedown.public_id,
            "flag": flag.public_id,
            "ended": ended_action.public_id,
            "held_report": held_report.public_id,
            "ended_rsvp": ended_rsvp.public_id,
            "reported": reported.public_id,
            "held_photo": held_photo.public_id,
            "public_photo": public_photo.public_id,
            "incident": incident.public_id,
            "safety_role": canary_rsvp.safety_roles.get().public_id,
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from streetwave.accounts.testing import sign_in_verified
    from streetwave.celery import app as celery_app

    # What the root conftest's function-scoped autouse fixtures do for each test.
    celery_app.conf.task_always_eager = True
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cache.clear()
            mail.outbox = []
            with fast_hashing, translation.override("en"):
                # Mail is sent after commit; run those callbacks so the world's mails exist.
                with TestCase.captureOnCommitCallbacks(execute=True):
                    built = _build()
                for role, user in built.users.items():
                    if user is not None and role in ROLES:
                        client = sign_in_verified(Client(), user)
                        built.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            built.mails = list(mail.outbox)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)

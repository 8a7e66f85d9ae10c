"""`manage.py seized_view IR` shows, as counts, what the database holds about a country: what a
seized server reveals about people inside (docs/privacy.md, "What a seizure reveals")."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from streetwave.actions import services as actions
from streetwave.actions.models import Action
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import record
from streetwave.campaigns.services import count_joined_inside
from streetwave.hubs.models import Membership
from streetwave.places.models import Country
from streetwave.reportbacks.models import ReportBack

pytestmark = pytest.mark.django_db

ORGANIZER = "tehran-organizer@example.org"
SUPPORTER = "berlin-supporter@example.org"


@pytest.fixture
def world(campaign, make_city, make_hub, make_member, make_user, make_action):
    """Iran high-risk: a hub in Tehran with one organizer, who renamed it, and a street taken
    there, filed after the fact. Abroad, a hub in Berlin with an action and an RSVP."""
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    Country.objects.filter(code="IR").update(high_risk=True)
    hub = make_hub("Tehran hub", city=tehran)
    lead = make_member(hub, Membership.Role.LEAD, user=make_user(ORGANIZER))
    record("hub.renamed", actor=lead, target=hub, hub=hub)
    taken = make_action(
        hub=hub,
        campaign=campaign,
        status=Action.Status.COMPLETED,
        starts_at=timezone.now() - dt.timedelta(days=3),
        after_the_fact=True,
    )
    ReportBack.objects.create(
        action=taken,
        turnout=500,
        language="fa",
        approval=Approval.APPROVED,
        approved_at=timezone.now() - dt.timedelta(days=2),
    )
    berlin = make_action(hub=make_hub("Berlin hub"), campaign=campaign)
    actions.create_rsvp(berlin, email=SUPPORTER, pseudonym="Rosa", language="en", consent=True)
    return {"campaign": campaign, "tehran": tehran, "hub": hub}


def seized_view(code="IR") -> str:
    out = io.StringIO()
    call_command("seized_view", code, stdout=out)
    return out.getvalue()


def section(text: str, label: str) -> list[str]:
    """The lines of one table's entry: its count, then its filled columns."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {label}:"))
    entry = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        entry.append(line.strip())
    return entry


def test_it_shows_hubs_actions_and_counts_and_no_person_but_the_organizers_account(world):
    text = seized_view()

    assert text.startswith("Country IR (IR): high-risk for the instance: yes")
    assert section(text, "hubs.Hub")[0] == "  hubs.Hub: 1 row"
    assert section(text, "actions.Action")[0] == "  actions.Action: 1 row"
    assert section(text, "reportbacks.ReportBack")[0] == "  reportbacks.ReportBack: 1 row"
    # nobody RSVPed there, and nobody could (actions/tests/test_inside.py)
    assert section(text, "actions.RSVP") == ["  actions.RSVP: 0 rows"]
    # the hub's organizer has an account, and the audit log says what they did: the seizure
    # reveals the account's address
    assert section(text, "hubs.Membership")[0] == "  hubs.Membership: 1 row"
    about_the_hub = AuditEntry.objects.filter(hub_id=world["hub"].public_id).count()
    assert about_the_hub >= 1
    rows = f"{about_the_hub} row{'' if about_the_hub == 1 else 's'}"
    assert section(text, "audit.AuditEntry")[0] == f"  audit.AuditEntry: {rows}"
    assert "email: 1  [personal]" in section(text, "accounts.User")
    # counts only, never a value: not the organizer's address, nothing from abroad
    for value in (ORGANIZER, SUPPORTER, "Rosa", "Tehran hub", "Berlin"):
        assert value not in text


def test_a_press_inside_changes_one_count_and_nothing_else(world):
    before = seized_view()

    count_joined_inside(world["campaign"], city=world["tehran"], client_address="203.0.113.9")

    after = seized_view()
    changed = set(after.splitlines()) ^ set(before.splitlines())
    assert changed == {"  campaigns.InsideCount: 0 rows", "  campaigns.InsideCount: 1 row"} | {
        "    count: 1"
    }


def test_an_unknown_country_is_an_error(db):
    with pytest.raises(CommandError, match="No country has the code ZZ"):
        seized_view("ZZ")

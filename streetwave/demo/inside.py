"""Inside a high-risk country on the demo's day: Iran marked high-risk for the instance, hubs
in its cities with public names of their own choosing, and the actions they filed after they
happened (reportbacks.services.afterwards), through the services: two verified long enough ago
to be public, one verified within the delay (hidden), one waiting for a second person; and the
people inside who said they joined, as the inside page counts them: a number per city."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from streetwave.accounts.models import User
from streetwave.actions.models import Action, publication_delay
from streetwave.campaigns.models import Campaign, InsideCount
from streetwave.campaigns.services import set_high_risk_countries
from streetwave.hubs.models import Hub, Membership, Participation
from streetwave.hubs.services import create_hub
from streetwave.places.models import City, Country
from streetwave.reportbacks.models import ReportBack
from streetwave.reportbacks.services import verify_report_back
from streetwave.reportbacks.services.afterwards import Afterwards, file_action_afterwards
from streetwave.reportbacks.services.reports import Report

COUNTRY = "IR"
DOMAIN = "inside.demo.streetwave.example"


@dataclass(frozen=True)
class Filed:
    city: str
    hub: str
    title: str
    kind: str
    turnout: int
    story: str
    # "public": verified longer ago than the delay; "delayed": verified just now; "held": not
    # verified yet.
    state: str
    # People in the city who pressed "I joined the day in my city".
    joined: int


FILED = [
    Filed("Tehran", "Sarv", "Night of the cypress", Action.Kind.GATHERING, 400,
          "شعار از پشت‌بام‌ها، تا دیروقت.", "public", 1340),
    Filed("Isfahan", "Zayandeh", "Bridge of voices", Action.Kind.MARCH, 150,
          "راهپیمایی کوتاه، بی‌هیچ بازداشتی.", "public", 412),
    Filed("Shiraz", "Narenj", "Orange blossom", Action.Kind.VIGIL, 60,
          "شمع‌ها روشن ماند.", "delayed", 87),
    Filed("Tabriz", "Eynali", "Mountain wind", Action.Kind.RALLY, 90,
          "جمعیت زود پراکنده شد.", "held", 6),
]  # fmt: skip


def _member(hub: Hub, role: str, number: int) -> User:
    # No password: these accounts only stand behind the demo's filings.
    user = User.objects.create_user(f"{role}{number}@{DOMAIN}", None)
    Membership.objects.create(user=user, hub=hub, role=role)
    return user


def stage_inside(campaign: Campaign, day: dt.date) -> int:
    """The demo's high-risk country, its hubs and their reported actions (of the day before
    `day`, in each city's zone); returns how many actions were filed. Nothing when the
    gazetteer holds none of its cities, or when that day cannot be reported today (to come, or
    past the report window)."""
    yesterday = day - dt.timedelta(days=1)
    if not 0 <= (timezone.now().date() - yesterday).days < settings.REPORT_BACK_WINDOW.days:
        return 0
    cities = {
        city.name: city
        for city in City.objects.filter(
            country__code=COUNTRY, name__in=[filed.city for filed in FILED]
        ).order_by("-population")
    }
    if not cities:
        return 0
    set_high_risk_countries([Country.objects.get(code=COUNTRY)], actor=None)
    count = 0
    for number, filed in enumerate(FILED, start=1):
        city = cities.get(filed.city)
        if city is None:
            continue
        hub = create_hub(name=filed.hub, city=city, languages=["fa"], status=Hub.Status.ACTIVE)
        Participation.objects.create(hub=hub, campaign=campaign, state=Participation.State.ACCEPTED)
        organizer = _member(hub, Membership.Role.ORGANIZER, number)
        lead = _member(hub, Membership.Role.LEAD, number)
        report_back = file_action_afterwards(
            hub,
            Afterwards(
                campaign=campaign,
                day=yesterday,
                city=city,
                title=filed.title,
                kind=filed.kind,
                report=Report(
                    took_place=True,
                    reason="",
                    turnout=filed.turnout,
                    turnout_is_estimate=True,
                    story=filed.story,
                    language="fa",
                ),
            ),
            actor=organizer,
        )
        if filed.state != "held":
            verify_report_back(report_back, actor=lead)
        if filed.state == "public":
            # As if verified the evening it was filed, longer ago than the delay.
            verified_at = timezone.now() - publication_delay() - dt.timedelta(hours=1)
            ReportBack.objects.filter(pk=report_back.pk).update(approved_at=verified_at)
        # Each press is one UPDATE of this counter (count_joined_inside); the demo sets the sum.
        InsideCount.objects.create(campaign=campaign, city=city, count=filed.joined)
        count += 1
    return count

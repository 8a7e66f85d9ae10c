"""Actions inside a high-risk country (campaigns.risk), filed only after they happened.

Nothing there is announced in advance (actions.services refuses it): a hub files "an action that
happened" instead, and this one service makes its action and its report-back together. The
action keeps only what the public may ever learn: the day (from the start of that day to the
start of the next, in the city's zone) and the city (its name and its centre, never a pin), no
capacity and no RSVPs. The report-back is held for a second person as any other; the action
appears in public only a delay after that verification (actions.models.published_inside_q).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.actions.models import Action
from streetwave.approvals.models import Approval
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import is_high_risk_city
from streetwave.core.errors import DomainError, NotAllowed
from streetwave.hubs.models import Hub, Participation
from streetwave.hubs.permissions import can
from streetwave.places.models import City

from ..models import ReportBack
from .reports import Report, file_report_back, report_window_closes


class CampaignNotAnswered(DomainError):
    default_message = _("Your hub has not answered this campaign's call.")


class NotInside(DomainError):
    default_message = _(
        "This city is not in a high-risk country of the campaign: announce actions there as "
        "usual, before they happen."
    )


class HubNotInside(DomainError):
    default_message = _(
        "Your hub is not in a high-risk country: announce its actions as usual, before they happen."
    )


class DayNotPast(DomainError):
    default_message = _("Choose the day the action happened: today or a day before.")


class DayOutsideCampaign(DomainError):
    default_message = _("Choose a day within the campaign's dates.")


class DayTooLongAgo(DomainError):
    default_message = _("This day is too long ago to be reported.")


@dataclass(frozen=True)
class Afterwards:
    """What an organizer says of an action that happened: everything public, nothing exact."""

    campaign: Campaign
    day: dt.date
    city: City
    title: str
    kind: str
    report: Report


def day_bounds(day: dt.date, city: City) -> tuple[dt.datetime, dt.datetime]:
    """The start of `day` and of the next day in `city`'s zone: all the time an action filed
    after the fact holds."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=city.zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=city.zone)
    return start, end


def campaigns_to_report(hub: Hub) -> list[Campaign]:
    """The campaigns whose call `hub` answered (and was accepted in), newest first."""
    return list(
        Campaign.objects.filter(
            pk__in=Participation.objects.accepted().filter(hub=hub).values("campaign")
        ).order_by("-starts_at")
    )


def _check(hub: Hub, filed: Afterwards, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    campaign, city = filed.campaign, filed.city
    # Hubs inside are hidden from every public list; one abroad would name the action's hub.
    if not is_high_risk_city(hub.city):
        raise HubNotInside()
    if campaign not in campaigns_to_report(hub):
        raise CampaignNotAnswered(field="campaign")
    if not is_high_risk_city(city, campaign):
        raise NotInside(field="city_name")
    starts_at, ends_at = day_bounds(filed.day, city)
    if starts_at > now:
        raise DayNotPast(field="day")
    first = timezone.localtime(campaign.starts_at, city.zone).date()
    last = timezone.localtime(campaign.ends_at, city.zone).date()
    if not first <= filed.day <= last:
        raise DayOutsideCampaign(field="day")
    if now > report_window_closes(Action(starts_at=starts_at, ends_at=ends_at)):
        raise DayTooLongAgo(field="day")
    return starts_at, ends_at


def file_action_afterwards(hub: Hub, filed: Afterwards, *, actor: User) -> ReportBack:
    """An organizer of `hub` files an action that happened inside a high-risk country: a
    coarse action (the day, the city's centre) and its report-back, held for a second person.
    Returns the report-back."""
    if not can(actor, "can_file_report_back", hub):
        raise NotAllowed()
    starts_at, ends_at = _check(hub, filed, timezone.now())
    city = filed.city
    with transaction.atomic():
        action = Action.objects.create(
            hub=hub,
            campaign=filed.campaign,
            city=city,
            title=filed.title,
            kind=filed.kind,
            starts_at=starts_at,
            ends_at=ends_at,
            place=city.name,
            latitude=city.latitude,
            longitude=city.longitude,
            capacity=None,
            # What a report-back can be filed about; public only once verified and delayed.
            status=Action.Status.PUBLISHED,
            approval=Approval.APPROVED,
            requested_by=actor,
            after_the_fact=True,
        )
        record(
            "action.filed_after_the_fact",
            actor=actor,
            target=action,
            hub=hub,
            data={"campaign": filed.campaign.public_id},
        )
        return file_report_back(
            action,
            took_place=filed.report.took_place,
            reason=filed.report.reason,
            turnout=filed.report.turnout,
            turnout_is_estimate=filed.report.turnout_is_estimate,
            story=filed.report.story,
            language=filed.report.language,
            actor=actor,
        )

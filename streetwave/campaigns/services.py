"""The only code that writes campaigns: creating one, its settings, and its life from draft to
open, ended and archived. Each checks the permission again, whoever called it."""

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.audit.services import record
from streetwave.core import ratelimit
from streetwave.core.errors import Conflict, DomainError, RateLimited
from streetwave.core.i18n import format_datetime, join_words
from streetwave.core.locking import lock
from streetwave.places.models import City, Country

from .access import check_campaign_permission
from .models import (
    COUNTER_SHARDS,
    Campaign,
    CampaignCounter,
    InsideCount,
    validate_rsvp_retention_days,
    validate_time_zone,
)
from .queries import planned_actions_outside
from .risk import is_high_risk_city

Actor = User | AnonymousUser


class InvalidCampaign(DomainError):
    default_message = _("These settings cannot be saved.")


class WindowExcludesActions(DomainError):
    """The new window leaves out actions that hubs have planned: the campaign keeps its window.
    `actions` are the ones it would leave out."""

    def __init__(self, message: str, *, actions: list[Any]) -> None:
        super().__init__(message, field="start_date")
        self.actions = actions


class WrongState(Conflict):
    pass


class StaysHighRisk(Conflict):
    """A country may stop being high-risk only while nothing the rule hides is there."""


@dataclass(frozen=True)
class CampaignDetails:
    """Everything the campaign's settings page sets. `texts` holds, per language of
    `languages` (the first is the fallback), {"title", "statement", "demands": [...]}; times
    are aware datetimes."""

    languages: list[str]
    texts: dict[str, dict[str, Any]]
    starts_at: dt.datetime
    ends_at: dt.datetime
    zone: str
    goal: int
    approval_policy: str
    hub_policy: str
    rsvp_retention_days: int


def _check_window(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidCampaign(gettext("The window must end after it starts."), field="end_date")


def _check_languages(
    languages: list[str], texts: dict[str, dict[str, Any]], *, titled: bool = True
) -> None:
    """Known languages, each once; with `titled`, a title in the first one (the fallback)."""
    known = {code for code, _name in settings.LANGUAGES}
    if not languages or any(code not in known for code in languages):
        raise InvalidCampaign(gettext("Choose the campaign's languages."), field="languages")
    if len(set(languages)) != len(languages):
        raise InvalidCampaign(gettext("Name each language once."), field="languages")
    if titled and not (texts.get(languages[0]) or {}).get("title", "").strip():
        raise InvalidCampaign(
            gettext("The campaign needs a title in its first language."), field="languages"
        )


def _check_field(validate: Any, value: Any, field: str) -> None:
    try:
        validate(value)
    except ValidationError as error:
        raise InvalidCampaign(" ".join(error.messages), field=field) from error


def create_campaign(
    *,
    slug: str,
    texts: dict[str, Any],
    languages: list[str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    goal: int,
    zone: str | None = None,
    status: str = Campaign.Status.DRAFT,
    actor: Actor | None = None,
) -> Campaign:
    """A new campaign, a draft by default. With an `actor` (a page, the API) only an operator
    may; without one it is the instance itself (the demo, a management command)."""
    if actor is not None:
        check_campaign_permission(actor, "can_create_campaign")
    zone = zone or settings.TIME_ZONE
    _check_field(validate_time_zone, zone, "zone")
    _check_window(starts_at, ends_at)
    # A person names the campaign; the instance's own callers (the demo, fixtures) may leave
    # it to the slug, which the pages show then.
    _check_languages(languages, texts, titled=actor is not None)
    with transaction.atomic():
        if Campaign.objects.filter(slug=slug).exists():
            raise InvalidCampaign(
                gettext("Another campaign has this short name. Choose another one."),
                field="slug",
            )
        campaign = Campaign.objects.create(
            slug=slug,
            texts=texts,
            languages=languages,
            starts_at=starts_at,
            ends_at=ends_at,
            zone=zone,
            goal=goal,
            status=status,
        )
        # All shards exist from the start, so an RSVP only ever updates, never inserts, them.
        CampaignCounter.objects.bulk_create(
            CampaignCounter(campaign=campaign, shard=shard) for shard in range(COUNTER_SHARDS)
        )
        record("campaign.created", actor=actor, target=campaign, data={"status": status})
    return campaign


def _said(texts: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """What "edited" is about: the statement and the demands in each language."""
    return {
        language: (text.get("statement", ""), tuple(text.get("demands", [])))
        for language, text in texts.items()
    }


def _excluded_message(actions: list[Any]) -> str:
    lines = [
        gettext("%(title)s (%(hub)s, %(time)s)")
        % {
            "title": action.title,
            "hub": action.hub.name,
            "time": format_datetime(timezone.localtime(action.starts_at, action.city.zone)),
        }
        for action in actions
    ]
    return gettext(
        "The new window would leave out actions that hubs have planned, so the window stays as "
        "it was. Ask their hubs to move them first, or choose a window that keeps them: "
        "%(actions)s."
    ) % {"actions": join_words(lines)}


def update_campaign(campaign: Campaign, *, details: CampaignDetails, actor: Actor) -> Campaign:
    """Save the campaign's settings. A window that would leave out planned actions (waiting for
    approval or public) is refused with the list of them (docs/decisions/0005-*). When the
    statement or the demands of an open campaign change, the campaign says it was edited."""
    check_campaign_permission(actor, "can_edit_campaign", campaign)
    _check_field(validate_time_zone, details.zone, "zone")
    _check_field(validate_rsvp_retention_days, details.rsvp_retention_days, "rsvp_retention_days")
    _check_window(details.starts_at, details.ends_at)
    _check_languages(details.languages, details.texts)
    texts = {language: details.texts.get(language) or {} for language in details.languages}
    with transaction.atomic():
        campaign = lock(Campaign.objects.filter(pk=campaign.pk)).get()
        window_moved = (details.starts_at, details.ends_at) != (
            campaign.starts_at,
            campaign.ends_at,
        )
        if window_moved:
            excluded = planned_actions_outside(campaign, details.starts_at, details.ends_at)
            if excluded:
                raise WindowExcludesActions(_excluded_message(excluded), actions=excluded)
        texts_edited = _said(texts) != _said(campaign.texts)
        changed = [
            name
            for name, value in [
                ("languages", details.languages),
                ("texts", texts),
                ("starts_at", details.starts_at),
                ("ends_at", details.ends_at),
                ("zone", details.zone),
                ("goal", details.goal),
                ("approval_policy", details.approval_policy),
                ("hub_policy", details.hub_policy),
                ("rsvp_retention_days", details.rsvp_retention_days),
            ]
            if getattr(campaign, name) != value
        ]
        if not changed:
            return campaign
        for name in changed:
            setattr(campaign, name, texts if name == "texts" else getattr(details, name))
        fields = [*changed, "updated_at"]
        if texts_edited and campaign.status == Campaign.Status.LIVE:
            campaign.texts_edited_at = timezone.now()
            fields.append("texts_edited_at")
        campaign.save(update_fields=fields)
        record(
            "campaign.updated",
            actor=actor,
            target=campaign,
            data={"fields": sorted(changed), "texts_edited": "texts_edited_at" in fields},
        )
    return campaign


def _move(
    campaign: Campaign,
    *,
    actor: Actor,
    source: str,
    to: str,
    verb: str,
    refusal: str,
    check: Callable[[Campaign], None] | None = None,
) -> Campaign:
    check_campaign_permission(actor, "can_change_campaign_state", campaign)
    with transaction.atomic():
        campaign = lock(Campaign.objects.filter(pk=campaign.pk)).get()
        if campaign.status != source:
            raise WrongState(refusal)
        if check is not None:
            check(campaign)
        campaign.status = to
        campaign.save(update_fields=["status", "updated_at"])
        record(verb, actor=actor, target=campaign, data={"from": source, "to": to})
    return campaign


def _window_not_over(campaign: Campaign) -> None:
    if campaign.ends_at <= timezone.now():
        raise WrongState(
            gettext("The campaign's window is over. Move its end to the future before opening it.")
        )


def open_campaign(campaign: Campaign, *, actor: Actor) -> Campaign:
    """Draft → open: its public pages appear, hubs may plan actions in it and supporters RSVP."""
    return _move(
        campaign,
        actor=actor,
        source=Campaign.Status.DRAFT,
        to=Campaign.Status.LIVE,
        verb="campaign.opened",
        refusal=gettext("Only a draft campaign can be opened."),
        check=_window_not_over,
    )


def end_campaign(campaign: Campaign, *, actor: Actor) -> Campaign:
    """Open → ended: no new actions and no new RSVPs anywhere in it (the RSVP service asks the
    campaign's status); its actions keep their pages, and report-backs are still accepted."""
    return _move(
        campaign,
        actor=actor,
        source=Campaign.Status.LIVE,
        to=Campaign.Status.ENDED,
        verb="campaign.ended",
        refusal=gettext("Only an open campaign can be ended."),
    )


def archive_campaign(campaign: Campaign, *, actor: Actor) -> Campaign:
    """Ended → archived: off the home page; its public pages stay at their address."""
    return _move(
        campaign,
        actor=actor,
        source=Campaign.Status.ENDED,
        to=Campaign.Status.ARCHIVED,
        verb="campaign.archived",
        refusal=gettext("Only an ended campaign can be archived."),
    )


def _stays_high_risk(countries: list[Country], campaign: Campaign | None) -> str:
    names = join_words(sorted(country.display_name() for country in countries))
    if campaign is None:
        return gettext(
            "Hubs or actions exist in %(countries)s: the country stays high-risk, so that "
            "nothing about them comes to light."
        ) % {"countries": names}
    return gettext(
        "Hubs or actions of this campaign exist in %(countries)s: the country stays "
        "high-risk, so that nothing about them comes to light."
    ) % {"countries": names}


def set_high_risk_countries(
    countries: list[Country], *, campaign: Campaign | None = None, actor: Actor | None
) -> None:
    """Set the instance's high-risk countries (`campaign` None: operators) or the ones a
    campaign adds (its coordinators). Adding is always allowed. Taking a country off is refused
    while a hub is there, or an action (of the campaign, for a campaign's list): their hiding
    must not end by a click. Without an `actor` it is the instance itself (the demo)."""
    if actor is not None:
        if campaign is None:
            check_campaign_permission(actor, "can_run_instance")
        else:
            check_campaign_permission(actor, "can_edit_campaign", campaign)
    chosen = {country.pk for country in countries}
    with transaction.atomic():
        if campaign is None:
            current = set(Country.objects.filter(high_risk=True).values_list("pk", flat=True))
        else:
            campaign = lock(Campaign.objects.filter(pk=campaign.pk)).get()
            current = set(campaign.high_risk_countries.values_list("pk", flat=True))
        added, removed = chosen - current, current - chosen
        if not added and not removed:
            return
        actions = (
            Q(cities__actions__isnull=False)
            if campaign is None
            else Q(cities__actions__campaign=campaign)
        )
        in_use = Country.objects.filter(Q(cities__hubs__isnull=False) | actions, pk__in=removed)
        if in_use.exists():
            raise StaysHighRisk(_stays_high_risk(list(in_use.distinct()), campaign))
        if campaign is None:
            Country.objects.filter(pk__in=added).update(high_risk=True)
            Country.objects.filter(pk__in=removed).update(high_risk=False)
        else:
            campaign.high_risk_countries.add(*added)
            campaign.high_risk_countries.remove(*removed)
        codes = dict(Country.objects.filter(pk__in=added | removed).values_list("pk", "code"))
        record(
            "campaign.high_risk_countries_changed" if campaign else "instance.high_risk_changed",
            actor=actor,
            target=campaign,
            data={
                "added": sorted(codes[pk] for pk in added),
                "removed": sorted(codes[pk] for pk in removed),
            },
        )


# Count-only participation (docs/privacy.md, "Count-only participation"): presses of "I joined"
# per client network and campaign within the window. Mobile carriers inside put thousands of
# phones behind one address, so the limit is generous; it bounds what one machine can add.
INSIDE_PRESSES_PER_CLIENT = 20
INSIDE_WINDOW_SECONDS = 600


class CountingClosed(Conflict):
    default_message = _("The campaign is not open: nobody can join its day any more.")


class NotInside(DomainError):
    default_message = _("Choose a city in one of the countries this page is for.")


class TooManyPresses(RateLimited):
    default_message = _(
        "Too many people pressed this button from your network just now. Try again in ten minutes."
    )
    retry_after = INSIDE_WINDOW_SECONDS


def inside_client_key(address: str, campaign: Campaign) -> str:
    """The key the count-only button is limited under: an HMAC, with a key of its own derived
    from SECRET_KEY, of the client's network (as core.ratelimit reads it) salted with the
    campaign, so that one network's presses in two campaigns are two unrelated keys. Only the
    cache holds it, for INSIDE_WINDOW_SECONDS; no table and no log ever does."""
    key = hmac.new(
        settings.SECRET_KEY.encode(), b"streetwave.campaigns.inside", hashlib.sha256
    ).digest()
    network = ratelimit.pseudonymous_address(address)
    return hmac.new(key, f"{campaign.public_id}|{network}".encode(), hashlib.sha256).hexdigest()


def count_joined_inside(campaign: Campaign, *, city: City, client_address: str) -> None:
    """Someone inside a high-risk country joined the open campaign's day in `city`: its counter
    goes up by one, and nothing else is written. No actor and no audit row: a row saying that
    someone pressed, or when, is what this rule keeps out of the database. `client_address` is
    the client's address as core.ratelimit derives it; only its keyed hash reaches the cache."""
    if not campaign.is_open():
        raise CountingClosed()
    if not is_high_risk_city(city, campaign):
        raise NotInside(field="city")
    if not ratelimit.allow_key(
        "inside",
        inside_client_key(client_address, campaign),
        limit=INSIDE_PRESSES_PER_CLIENT,
        window=INSIDE_WINDOW_SECONDS,
    ):
        raise TooManyPresses()
    with transaction.atomic():
        InsideCount.add_one(campaign.pk, city.pk)


# The state changes by the name the page's buttons use.
TRANSITIONS = {"open": open_campaign, "end": end_campaign, "archive": archive_campaign}

"""Actions and RSVPs.

Only public fields leave here: never the private meeting point, never an exact count under
the public threshold, never anything about who RSVPed. An RSVP answer is the same whether or
not the email had RSVPed before (no oracle, see THREATS).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Path, Query, Router, Schema, Status

from streetwave.actions import services
from streetwave.actions.access import get_action_to_rsvp, get_public_action
from streetwave.actions.forms import RSVPForm
from streetwave.actions.models import Action
from streetwave.actions.queries import public_actions
from streetwave.core import ratelimit
from streetwave.core.hosts import site_url
from streetwave.core.text import render_markdown
from streetwave.hubs.models import Hub

from .errors import InvalidInput, errors
from .idempotency import HEADER, KEY_PATTERN, body_fingerprint, run_once
from .pagination import Keyset, PageQuery, cursor_field, paginate
from .schemas import PUBLIC_ID_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN, CityOut, HubRef, links

router = Router(tags=["actions"])

BY_TIME = Keyset("actions", ("starts_at", "public_id"))
BY_DISTANCE = Keyset("actions-near", ("distance", "public_id"))
PHASES = [phase.value for phase in Action.Phase]
# `near`: a latitude in [-90, 90] and a longitude in [-180, 180], in decimal degrees.
_LATITUDE = r"[-+]?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"[-+]?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
NEAR = re.compile(rf"({_LATITUDE}),({_LONGITUDE})")
# A GeoNames id is a positive 32-bit integer; a larger one names no city and no database column
# holds it.
MAX_GEONAMEID = 2**31 - 1
# What validate_one_line (the form's LineField) refuses: control characters, line separators.
ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"


class ActionQuery(PageQuery):
    cursor: str | None = cursor_field("actions")
    campaign: str | None = Field(
        None,
        description="Only actions of the campaign with this slug.",
        pattern=SLUG_PATTERN,
        max_length=SLUG_MAX_LENGTH,
    )
    country: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. `FR`."
    )
    city: int | None = Field(
        None,
        ge=1,
        le=MAX_GEONAMEID,
        description=(
            "GeoNames id of the city (`city.geonameid` in each item). Names are not accepted: "
            "many cities share a name, spelled in several scripts."
        ),
    )
    near: str | None = Field(
        None,
        description=(
            "`<latitude>,<longitude>` in decimal degrees: nearest first, with `distance_km` in "
            "each item. A `cursor` continues the list it came from, with or without `near`."
        ),
        examples=["48.8566,2.3522"],
        json_schema_extra={"pattern": f"^{NEAR.pattern}$"},
    )
    phase: list[str] = Field(
        [],
        description=(
            "Only actions in these phases now: `upcoming` (not started), `now` (started, not "
            "ended), `ended`. Repeat the parameter or give a comma list, e.g. `upcoming,now` "
            "for what one can still attend."
        ),
        json_schema_extra={"items": {"type": "string", "enum": [*PHASES]}},
    )


class ActionSummary(Schema):
    id: str
    title: str
    kind: Action.Kind
    # Literal rather than Action.Status: a draft is never public.
    status: Literal["published", "cancelled", "completed"]
    starts_at: datetime | None = Field(
        description="In the action's own time zone, with its offset; null for an action "
        "reported after it happened inside a high-risk country, which has a `day` instead."
    )
    ends_at: datetime | None = Field(
        description="In the action's own time zone, with its offset; null when `day` is set."
    )
    day: date | None = Field(
        description="The day, in the city's calendar, of an action reported after it happened "
        "inside a high-risk country: no hour of it is published, only its city (its point is "
        "the city's centre) and no hub. Null for any other action."
    )
    time_zone: str = Field(description="IANA time zone of the action, e.g. `Europe/Paris`.")
    place: str
    latitude: float
    longitude: float
    city: CityOut
    hub: HubRef | None = Field(description="Null when `day` is set.")
    campaign: str | None = Field(description="Slug of the campaign the action answers.")
    phase: Action.Phase = Field(
        description="Where the action stands in time when the answer was made: `upcoming`, "
        "`now` (started, not ended) or `ended`; independent of `status`."
    )
    url: str = Field(
        description="The action's public page, without a language: the site sends each reader "
        "to the page in their own language."
    )
    capacity: int | None
    is_full: bool = Field(
        description="Whether every place is taken (new RSVPs join the waitlist); always false "
        "for a capacity under the public threshold (10), which would tell how many are going."
    )
    going: int | None = Field(
        description="How many are going, rounded down; null below the public threshold (10)."
    )

    @staticmethod
    def resolve_id(action: Action) -> str:
        return action.public_id

    @staticmethod
    def resolve_starts_at(action: Action) -> datetime | None:
        return None if action.after_the_fact else action.local_start

    @staticmethod
    def resolve_ends_at(action: Action) -> datetime | None:
        return None if action.after_the_fact else action.local_end

    @staticmethod
    def resolve_day(action: Action) -> date | None:
        return action.local_start.date() if action.after_the_fact else None

    @staticmethod
    def resolve_hub(action: Action) -> Hub | None:
        return None if action.after_the_fact else action.hub

    @staticmethod
    def resolve_time_zone(action: Action) -> str:
        return action.city.timezone

    @staticmethod
    def resolve_campaign(action: Action) -> str | None:
        # Actions of draft campaigns are not public (ActionQuerySet.public), so the slug may show.
        return action.campaign.slug if action.campaign else None

    @staticmethod
    def resolve_url(action: Action, context: dict[str, Any]) -> str:
        return action_page_url(context["request"], action.public_id)

    @staticmethod
    def resolve_going(action: Action) -> int | None:
        return action.public_going

    @staticmethod
    def resolve_is_full(action: Action) -> bool:
        return action.public_is_full


class ActionListItem(ActionSummary):
    distance_km: float | None = Field(
        description="Distance from the `near` point, in km; null without `near`."
    )

    @staticmethod
    def resolve_distance_km(action: Action) -> float | None:
        distance = getattr(action, "distance", None)
        return None if distance is None else round(distance, 1)


class ActionDetail(ActionSummary):
    description: str = Field(description="As written by the hub, in Markdown.")
    description_html: str = Field(description="The description as sanitized HTML.")

    @staticmethod
    def resolve_description_html(action: Action) -> str:
        return render_markdown(action.description)


class ActionPage(Schema):
    items: list[ActionListItem]
    next: str | None


class KeySchema:
    """The Idempotency-Key's schema, in `Annotated` (pydantic asks its metadata for it): a
    string, never null, since a header is a string or absent. The pattern only documents:
    run_once checks the key, with its own message."""

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        return {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$"}


def _news_need_an_email(schema: dict) -> None:
    # As RSVPForm.clean: campaign news go to the email given, so asking for them needs one.
    schema["if"] = {"properties": {"campaign_news": {"const": True}}, "required": ["campaign_news"]}
    schema["then"] = {"properties": {"email": {"type": "string"}}, "required": ["email"]}


class RSVPIn(Schema):
    # The rules are RSVPForm's, which validates the body; the schema states them for clients.
    model_config = {"json_schema_extra": _news_need_an_email}

    pseudonym: str | None = Field(
        None,
        json_schema_extra={"maxLength": 60, "pattern": ONE_LINE},
        description="Optional, on one line. Only the organizers of this action see it.",
    )
    email: str | None = Field(
        None,
        json_schema_extra={"format": "email", "maxLength": 320},
        description=(
            "Optional. The manage link and messages about this action go there; organizers never "
            "see it."
        ),
    )
    language: str = Field(
        json_schema_extra={"enum": [code for code, _name in settings.LANGUAGES]},
        description="Language of the messages.",
    )
    consent: bool = Field(
        json_schema_extra={"const": True},
        description="Must be true: the supporter read how their data is used.",
    )
    campaign_news: bool = Field(
        False,
        description=(
            "Optional. Ask for news of the campaign at the email given (needs `email`; ignored "
            "for an action outside a campaign). The confirmation mail then holds a link that "
            "starts them: nothing is sent before the owner of the address confirms. Stopped "
            "with one click in any such mail."
        ),
    )


class RSVPReceiptOut(Schema):
    status: Literal["received"]
    emailed: bool = Field(description="Whether the manage link went to the email given.")
    manage_url: str | None = Field(
        None,
        description=(
            "Only when no email was given: the one link to change or cancel this RSVP. It is "
            "shown once; keep it."
        ),
    )


def action_page_url(request: HttpRequest, public_id: str) -> str:
    """The public page of an action without a language prefix: the site sends each reader to
    the page in their language (their language cookie, else their browser's), so a link that a
    client passes on reads right for the next person too, and the API's answer does not depend
    on the language of the request. On the name of the instance the request came by (an
    onion's client gets the onion's pages: core.hosts)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("actions:detail", args=[public_id])
    return site_url(request) + path.removeprefix(f"/{settings.LANGUAGE_CODE}")


def _phases(values: list[str]) -> list[str]:
    """The phases asked for, from repeated parameters and comma lists alike."""
    phases = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if any(phase not in PHASES for phase in phases):
        raise InvalidInput(
            {"phase": [_("Choose one or more phases among upcoming, now and ended.")]}
        )
    return phases


def _near_point(value: str) -> tuple[float, float]:
    # The schema's pattern, so that what it calls valid and what is taken are the same.
    point = NEAR.fullmatch(value)
    if point is None:
        raise InvalidInput(
            {
                "near": [
                    _("Give a point as latitude,longitude in decimal degrees, e.g. 48.8566,2.3522.")
                ]
            }
        )
    return float(point[1]), float(point[2])


@router.get(
    "",
    response={200: ActionPage, **errors(400)},
    summary="Public actions",
    openapi_extra=links(
        first=("get_action", {"action_id": "$response.body#/items/0/id"}),
        rsvp=("create_rsvp", {"action_id": "$response.body#/items/0/id"}),
        report_back=("get_report_back", {"action_id": "$response.body#/items/0/id"}),
    ),
)
def list_actions(request: HttpRequest, query: Query[ActionQuery]):
    """Published, cancelled and completed actions, by start time (or by distance with `near`).
    One database query per page."""
    near = _near_point(query.near) if query.near is not None else None
    actions = public_actions(
        campaign=query.campaign,
        country=query.country,
        city=query.city,
        phases=_phases(query.phase) if query.phase else None,
        near=near,
    )
    rows, next_cursor = paginate(actions, BY_TIME if near is None else BY_DISTANCE, query)
    return {"items": rows, "next": next_cursor}


@router.get(
    "/{action_id}",
    response={200: ActionDetail, **errors(400, 404)},
    summary="One action",
    openapi_extra=links(
        rsvp=("create_rsvp", {"action_id": "$response.body#/id"}),
        hub=("get_hub", {"hub_id": "$response.body#/hub/id"}),
        campaign=("get_campaign", {"slug": "$response.body#/campaign"}),
    ),
)
def get_action(request: HttpRequest, action_id: str = Path(..., pattern=PUBLIC_ID_PATTERN)):
    return get_public_action(action_id)


@router.post(
    "/{action_id}/rsvps",
    response={201: RSVPReceiptOut, **errors(400, 404, 409, 429)},
    exclude_none=True,
    summary="RSVP to an action",
)
def create_rsvp(
    request: HttpRequest,
    payload: RSVPIn,
    action_id: str = Path(..., pattern=PUBLIC_ID_PATTERN),
    idempotency_key: Annotated[str | None, KeySchema()] = Header(None, alias=HEADER),
):
    """No account needed. The answer is the same whether or not the email had RSVPed before.
    Send an `Idempotency-Key` header (a random UUID) to retry safely: a retry with the same key
    and body within an hour returns the first answer and creates nothing."""
    action = get_action_to_rsvp(action_id)
    body = payload.model_dump()
    form = RSVPForm(
        data={**body, "pseudonym": body["pseudonym"] or "", "email": body["email"] or ""},
        action=action,
    )
    if not form.is_valid():
        raise InvalidInput(
            {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        )
    # After validation, as on the RSVP form (actions.views.public.rsvp): only an RSVP that could
    # be stored counts towards the limit, so a typo does not spend the allowance of everyone
    # behind the same address (an event's mobile network); a refused one stores and sends
    # nothing, so it needs no limit.
    ratelimit.limit("rsvp", request, limit=settings.RSVP_RATE_LIMIT)

    def rsvp() -> tuple[int, dict]:
        receipt = services.create_rsvp(action, **form.cleaned_data)
        answer: dict = {"status": "received", "emailed": receipt.emailed}
        if receipt.token is not None:
            answer["manage_url"] = services.manage_url(receipt.token, form.cleaned_data["language"])
        return 201, answer

    status, answer = run_once(
        f"rsvp:{action.public_id}", idempotency_key, body_fingerprint(body), rsvp
    )
    # The answer may carry a manage link: NoStoreMiddleware keeps it, as every POST's, out of
    # every cache.
    return Status(status, answer)

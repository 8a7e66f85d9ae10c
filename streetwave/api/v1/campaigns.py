"""Campaigns: the public ones (live, ended and archived), their texts in the reader's language,
and their tally (read from counters and cached, never counted from RSVP rows)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from streetwave.campaigns.access import get_public_campaign
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.tally import get_public_tally

from .errors import errors
from .pagination import Keyset, PageQuery, cursor_field, paginate
from .schemas import SLUG_MAX_LENGTH, SLUG_PATTERN, links

router = Router(tags=["campaigns"])

# Newest first, as on the site.
CAMPAIGNS = Keyset("campaigns", ("starts_at", "public_id"), descending=True)


class CampaignQuery(PageQuery):
    cursor: str | None = cursor_field("campaigns")


class CampaignSummary(Schema):
    slug: str
    # Literal rather than Campaign.Status: a draft is never public, and the schema would
    # otherwise name this enum "Status" like the actions' one. "live" is an open campaign.
    status: Literal["live", "ended", "archived"]
    language: str = Field(
        description="Language of the texts: the requested one, or the campaign's first one."
    )
    title: str
    languages: list[str]
    starts_at: datetime
    ends_at: datetime
    goal: int

    @staticmethod
    def resolve_language(campaign: Campaign) -> str:
        return campaign.text()["language"]

    @staticmethod
    def resolve_title(campaign: Campaign) -> str:
        return campaign.text()["title"]


class CampaignDetail(CampaignSummary):
    statement: str
    demands: list[str]

    @staticmethod
    def resolve_statement(campaign: Campaign) -> str:
        return campaign.text()["statement"]

    @staticmethod
    def resolve_demands(campaign: Campaign) -> list[str]:
        return campaign.text()["demands"]


class CampaignPage(Schema):
    items: list[CampaignSummary]
    next: str | None


class CountryTallyOut(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str
    name_fa: str = Field(description="The Persian name, where the gazetteer has one.")
    actions: int = Field(description="Actions planned in the country.")
    streets_taken: int
    cities: int


class CityInsideOut(Schema):
    name: str
    name_fa: str = Field(description="The Persian name, where the gazetteer has one.")
    streets_taken: int
    joined: int | None = Field(
        description="People who said they joined there, rounded down (to 10s below 100, 50s "
        "below 1,000, 100s above); null under 10."
    )


class TallyOut(Schema):
    actions: int = Field(
        description="Actions planned abroad (public, not called off): outside the campaign's "
        "high-risk countries, like every figure here not named inside."
    )
    cities: int
    countries: int
    hubs: int
    completed: int = Field(description="Streets taken abroad.")
    streets_taken: int = Field(
        description="Actions a second person verified as having taken place (a report-back), "
        "abroad and inside."
    )
    turnout: int = Field(description="The sum of the turnout of verified report-backs.")
    going: int
    waitlisted: int
    goal: int
    goal_counts: Literal["actions", "streets_taken"] = Field(
        description="What goal_percent counts: actions planned until the campaign's window "
        "opens, streets taken from then on."
    )
    goal_percent: int
    per_country: list[CountryTallyOut]
    inside: bool = Field(description="Whether the campaign has high-risk countries.")
    streets_taken_inside: int = Field(
        description="Streets taken in high-risk countries: actions filed after the fact, public "
        "once their report-back was verified a delay ago."
    )
    cities_inside: int = Field(description="Cities in high-risk countries with a street taken.")
    joined_inside: int | None = Field(
        description="People who said they joined in high-risk countries, rounded down like "
        "CityInsideOut.joined; null under 10."
    )
    per_city_inside: list[CityInsideOut] = Field(
        description="Cities inside with a street taken or a count of people shown."
    )


@router.get(
    "",
    response={200: CampaignPage, **errors(400)},
    summary="Public campaigns",
    openapi_extra=links(
        first=("get_campaign", {"slug": "$response.body#/items/0/slug"}),
        next=("list_campaigns", {"cursor": "$response.body#/next"}),
    ),
)
def list_campaigns(request: HttpRequest, page: Query[CampaignQuery]):
    """Live, ended and archived campaigns, newest first. Texts are in the language of the
    Accept-Language header when the campaign has it, otherwise in the campaign's first one."""
    rows, next_cursor = paginate(Campaign.objects.public(), CAMPAIGNS, page)
    return {"items": rows, "next": next_cursor}


@router.get(
    "/{slug}",
    response={200: CampaignDetail, **errors(400, 404)},
    summary="One campaign",
    openapi_extra=links(
        tally=("get_campaign_tally", {"slug": "$response.body#/slug"}),
        actions=("list_actions", {"campaign": "$response.body#/slug"}),
        report_backs=("list_report_backs", {"campaign": "$response.body#/slug"}),
    ),
)
def get_campaign(
    request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)
):
    return get_public_campaign(slug)


@router.get("/{slug}/tally", response={200: TallyOut, **errors(400, 404)}, summary="Campaign tally")
def get_campaign_tally(
    request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)
):
    """Exact campaign totals, at most 15 seconds old."""
    return get_public_tally(slug)

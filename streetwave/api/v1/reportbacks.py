"""Report-backs: what hubs reported after their actions, once a second person verified it. Only
the public part: never who filed or verified it."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from streetwave.campaigns.access import get_public_campaign
from streetwave.core.text import render_markdown
from streetwave.reportbacks.access import get_public_report_back
from streetwave.reportbacks.models import ReportBack
from streetwave.reportbacks.queries import campaign_wall

from .errors import errors
from .pagination import Keyset, PageQuery, cursor_field, paginate
from .schemas import PUBLIC_ID_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN, links

router = Router(tags=["report-backs"])

# Newest verification first, as on the report wall.
REPORT_BACKS = Keyset("report-backs", ("approved_at", "public_id"), descending=True)


class ReportBackOut(Schema):
    id: str = Field(description="The report-back's public id.")
    action: str = Field(description="The public id of the action it reports on.")
    action_title: str
    took_place: bool
    reason: str = Field(description="Why the action did not take place; empty when it did.")
    turnout: int | None
    turnout_is_estimate: bool = Field(description="The turnout is an estimate (“about”).")
    story_html: str = Field(description="The story, sanitised HTML from its Markdown.")
    language: str = Field(description="The language of the story.")
    attended_count: int = Field(description="Supporters who said “I was there”.")
    verified_at: datetime

    @staticmethod
    def resolve_id(report_back: ReportBack) -> str:
        return report_back.public_id

    @staticmethod
    def resolve_action(report_back: ReportBack) -> str:
        return report_back.action.public_id

    @staticmethod
    def resolve_action_title(report_back: ReportBack) -> str:
        return report_back.action.title

    @staticmethod
    def resolve_story_html(report_back: ReportBack) -> str:
        return render_markdown(report_back.story)

    @staticmethod
    def resolve_verified_at(report_back: ReportBack) -> datetime | None:
        return report_back.approved_at


class ReportBackPage(Schema):
    items: list[ReportBackOut]
    next: str | None


class ReportBackQuery(PageQuery):
    campaign: str = Field(
        description="The campaign's slug.", pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH
    )
    cursor: str | None = cursor_field("report-backs")


@router.get(
    "",
    response={200: ReportBackPage, **errors(400, 404)},
    summary="Report wall",
    openapi_extra=links(
        first=("get_report_back", {"action_id": "$response.body#/items/0/action"}),
        first_action=("get_action", {"action_id": "$response.body#/items/0/action"}),
        next=(
            "list_report_backs",
            {"campaign": "$request.query.campaign", "cursor": "$response.body#/next"},
        ),
    ),
)
def list_report_backs(request: HttpRequest, query: Query[ReportBackQuery]):
    """The verified report-backs of a public campaign, newest verification first."""
    campaign = get_public_campaign(query.campaign)
    rows, next_cursor = paginate(campaign_wall(campaign), REPORT_BACKS, query)
    return {"items": rows, "next": next_cursor}


@router.get(
    "/{action_id}", response={200: ReportBackOut, **errors(400, 404)}, summary="An action's report"
)
def get_report_back(request: HttpRequest, action_id: str = Path(..., pattern=PUBLIC_ID_PATTERN)):
    """The verified report-back of a public action (404 while none is verified)."""
    return get_public_report_back(action_id)

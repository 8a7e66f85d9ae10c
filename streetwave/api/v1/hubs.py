"""Hubs: active ones only. A hub is public; who belongs to it never is (the membership graph is
an asset, see THREATS), so no schema here has a field that leads to a person."""

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from streetwave.hubs.access import get_public_hub
from streetwave.hubs.models import Hub
from streetwave.hubs.queries import public_hubs, sponsored_by

from .errors import errors
from .pagination import Keyset, PageQuery, cursor_field, paginate
from .schemas import PUBLIC_ID_PATTERN, CityOut, links

router = Router(tags=["hubs"])

HUBS = Keyset("hubs", ("name", "public_id"))


class HubQuery(PageQuery):
    cursor: str | None = cursor_field("hubs")


class HubSummary(Schema):
    id: str
    name: str
    city: CityOut
    languages: list[str]
    sponsor: str | None = Field(
        description="Id of the hub that vouched for this one; null if none or no longer active."
    )

    @staticmethod
    def resolve_id(hub: Hub) -> str:
        return hub.public_id

    @staticmethod
    def resolve_sponsor(hub: Hub) -> str | None:
        sponsor = hub.public_sponsor
        return sponsor.public_id if sponsor else None


class HubDetail(HubSummary):
    sponsored: list[str] = Field(description="Ids of the active hubs this one vouched for.")

    @staticmethod
    def resolve_sponsored(hub: Hub) -> list[str]:
        return list(
            sponsored_by(hub).order_by("name", "public_id").values_list("public_id", flat=True)
        )


class HubPage(Schema):
    items: list[HubSummary]
    next: str | None


@router.get(
    "",
    response={200: HubPage, **errors(400)},
    summary="Active hubs",
    openapi_extra=links(
        first=("get_hub", {"hub_id": "$response.body#/items/0/id"}),
        next=("list_hubs", {"cursor": "$response.body#/next"}),
    ),
)
def list_hubs(request: HttpRequest, page: Query[HubQuery]):
    """Active hubs in the order of their names."""
    rows, next_cursor = paginate(public_hubs(), HUBS, page)
    return {"items": rows, "next": next_cursor}


@router.get(
    "/{hub_id}",
    response={200: HubDetail, **errors(400, 404)},
    summary="One hub",
    openapi_extra=links(
        sponsor=("get_hub", {"hub_id": "$response.body#/sponsor"}),
        sponsored=("get_hub", {"hub_id": "$response.body#/sponsored/0"}),
    ),
)
def get_hub(request: HttpRequest, hub_id: str = Path(..., pattern=PUBLIC_ID_PATTERN)):
    return get_public_hub(hub_id)

"""Output shapes shared by several resources. Each lists its public fields one by one, so that a
field added to a model never reaches the API by accident."""

from ninja import Schema

# What a campaign's slug (a SlugField of 80) and a public id (core.ids.new_public_id) can be: a
# parameter outside these names nothing, and is a 400 before any lookup.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SLUG_MAX_LENGTH = 80
PUBLIC_ID_PATTERN = r"^[a-z2-7]{16}$"


class CountryOut(Schema):
    code: str
    name: str
    name_fa: str


class CityOut(Schema):
    geonameid: int
    name: str
    name_fa: str
    country: CountryOut


class HubRef(Schema):
    id: str
    name: str

    @staticmethod
    def resolve_id(hub) -> str:
        return hub.public_id


def links(**targets: tuple[str, dict[str, str]]) -> dict:
    """`openapi_extra` for a GET whose answer leads on (OpenAPI links): name=(operation id,
    {parameter: runtime expression}), e.g. the first item of a list to its detail, or `next`
    to the following page. Clients and schema-driven tests follow them."""
    return {
        # An int, as django-ninja keys the responses it merges this into.
        "responses": {
            200: {
                "links": {
                    name: {"operationId": operation, "parameters": parameters}
                    for name, (operation, parameters) in targets.items()
                }
            }
        }
    }

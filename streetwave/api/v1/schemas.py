"""Output shapes shared by several resources. Each lists its public fields one by one, so that a
field added to a model never reaches the API by accident."""

from ninja import Schema


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

from django.db import transaction

from streetwave.audit.services import record
from streetwave.places.models import City

from .models import Hub


def create_hub(
    *,
    name: str,
    city: City,
    languages: list[str],
    sponsor: Hub | None = None,
    status: str = Hub.Status.PROPOSED,
    actor=None,
) -> Hub:
    with transaction.atomic():
        hub = Hub(name=name, city=city, languages=languages, sponsor=sponsor, status=status)
        hub.path, hub.depth = hub.tree_path_for(sponsor)
        hub.save()
        record(
            "hub.created",
            actor=actor,
            target=hub,
            hub=hub,
            data={"sponsor": sponsor.public_id if sponsor else None, "status": status},
        )
    return hub

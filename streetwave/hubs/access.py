from django.shortcuts import get_object_or_404

from .models import Hub


def get_public_hub(public_id: str) -> Hub:
    return get_object_or_404(
        Hub.objects.active().select_related("city", "city__country", "sponsor"),
        public_id=public_id,
    )

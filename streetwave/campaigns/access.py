from django.shortcuts import get_object_or_404

from .models import Campaign


def get_public_campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.public(), slug=slug)

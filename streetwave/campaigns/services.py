import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from streetwave.audit.services import record

from .models import COUNTER_SHARDS, Campaign, CampaignCounter


def create_campaign(
    *,
    slug: str,
    texts: dict[str, Any],
    languages: list[str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    goal: int,
    status: str = Campaign.Status.DRAFT,
    actor: AbstractBaseUser | None = None,
) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=slug,
            texts=texts,
            languages=languages,
            starts_at=starts_at,
            ends_at=ends_at,
            goal=goal,
            status=status,
        )
        # All shards exist from the start, so an RSVP only ever updates, never inserts, them.
        CampaignCounter.objects.bulk_create(
            CampaignCounter(campaign=campaign, shard=shard) for shard in range(COUNTER_SHARDS)
        )
        record("campaign.created", actor=actor, target=campaign, data={"status": status})
    return campaign

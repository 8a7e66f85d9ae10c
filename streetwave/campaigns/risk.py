"""Where the high-risk rules apply: the one answer to "is this hub, this action, this country
high-risk?" (docs/privacy.md, "High-risk countries").

A country is high-risk for the whole instance when an operator marks it (`Country.high_risk`),
and for one campaign when its coordinators add it (`Campaign.high_risk_countries`).

- An action is high-risk when its city's country is high-risk for the instance or for the
  action's campaign; an action of no campaign, as its hub would be (for any campaign).
- A hub belongs to no campaign: it is high-risk when its country is high-risk for the instance
  or for any campaign, so that a campaign's list can only ever hide more hubs, never show one.

Every rule asks here, as a filter (`*_q`, for querysets) or of one object (`is_*`); nothing keeps
a copy of the answer, so marking a country takes effect on the next request.
"""

from django.db.models import Exists, OuterRef, Q

from streetwave.places.models import City, Country

from .models import Campaign

CampaignCountry = Campaign.high_risk_countries.through


def _country_q(country_id_path: str, campaign_id_path: str | None) -> Q:
    """High-risk for the instance, or for the campaign at `campaign_id_path` (for any campaign
    when it is None). Paths are relative to the queryset's model, e.g. "city__country"."""
    extra = CampaignCountry.objects.filter(country_id=OuterRef(country_id_path))
    if campaign_id_path is not None:
        extra = extra.filter(campaign_id=OuterRef(campaign_id_path))
    return Q(**{f"{country_id_path.removesuffix('_id')}__high_risk": True}) | Q(Exists(extra))


def high_risk_action_q(prefix: str = "") -> Q:
    """Actions (or rows reaching an action through `prefix`, e.g. "action__") that are
    high-risk."""
    country = f"{prefix}city__country_id"
    of_no_campaign = Q(**{f"{prefix}campaign__isnull": True}) & _country_q(country, None)
    return _country_q(country, f"{prefix}campaign_id") | of_no_campaign


def high_risk_hub_q(prefix: str = "") -> Q:
    """Hubs (or rows reaching a hub through `prefix`, e.g. "hub__") that are high-risk."""
    return _country_q(f"{prefix}city__country_id", None)


def high_risk_country_q(campaign: Campaign | None = None) -> Q:
    """Countries high-risk for the instance, and for `campaign` (for any campaign when None)."""
    extra = CampaignCountry.objects.filter(country_id=OuterRef("pk"))
    if campaign is not None:
        extra = extra.filter(campaign_id=campaign.pk)
    return Q(high_risk=True) | Q(Exists(extra))


def is_high_risk_city(city: City, campaign: Campaign | None = None) -> bool:
    """Whether actions of `campaign` in `city` (hubs and actions of no campaign, when
    `campaign` is None) are high-risk."""
    return Country.objects.filter(high_risk_country_q(campaign), pk=city.country_id).exists()

"""Every URL of the campaigns app has a row: all are public, for anyone, signed in or not; a
campaign still in draft is a 404 everywhere, exactly like one that does not exist."""

import pytest
from django.urls import get_resolver

pytestmark = pytest.mark.django_db

# URL name -> path; every one is open to everyone for a public campaign.
TABLE = {
    "home": "/en/",
    "city_labels": "/en/map/cities.json",
    "detail": "/en/c/{slug}/",
    "tally": "/en/c/{slug}/tally/",
    "map": "/en/c/{slug}/map/",
    "map_data": "/en/c/{slug}/map.json",
    "places": "/en/c/{slug}/places/de/",
    "wave": "/en/c/{slug}/wave/",
    "wave_fragment": "/en/c/{slug}/wave/fragment/",
    "calendar": "/en/c/{slug}/calendar.ics",
    "inside": "/en/c/{slug}/inside/",
    "inside_save": "/en/c/{slug}/inside/save/",
}
OF_A_CAMPAIGN = sorted(name for name, path in TABLE.items() if "{slug}" in path)
# The organizer pages of the app: tested in test_manage.py, test_operator_console.py and the
# project's permission matrix; the high-risk pages in test_high_risk.py.
ORGANIZER_PAGES = {
    "manage_create",
    "manage_settings",
    "manage_state",
    "manage_high_risk",
    "instance",
    "instance_high_risk",
}


def test_every_url_of_campaigns_has_a_row():
    _prefix, campaigns = get_resolver().namespace_dict["campaigns"]
    names = {name for name in campaigns.reverse_dict if isinstance(name, str)}
    assert names == set(TABLE) | ORGANIZER_PAGES


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("signed_in", [False, True])
def test_anyone_may_read_a_public_campaign(
    client, login, make_user, make_campaign, make_action, name, signed_in
):
    campaign = make_campaign()
    make_action(campaign=campaign)
    if signed_in:
        login(client, make_user())

    assert client.get(TABLE[name].format(slug=campaign.slug)).status_code == 200


@pytest.mark.parametrize("name", OF_A_CAMPAIGN)
def test_a_draft_campaign_looks_exactly_like_a_missing_one(client, make_campaign, name):
    draft = make_campaign(slug="draft-plans", status="draft")

    hidden = client.get(TABLE[name].format(slug=draft.slug))
    missing = client.get(TABLE[name].format(slug="draft-plan"))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content.replace(b"draft-plan", b"draft-plans")

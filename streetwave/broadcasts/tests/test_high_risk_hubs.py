"""A broadcast's page names no hub in a high-risk country, nor how many people it has
(docs/privacy.md, "High-risk countries")."""

import pytest

from streetwave.broadcasts import services
from streetwave.broadcasts.audiences import acknowledgements_by_hub
from streetwave.broadcasts.models import Broadcast
from streetwave.hubs import services as hub_services
from streetwave.hubs.models import Membership
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db


def test_the_confirmations_per_hub_leave_high_risk_hubs_out(
    client, login, campaign, coordinator, hub, make_hub, make_city, make_member
):
    # Given the Tehran hub and a hub abroad in the campaign, Iran being high-risk.
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    inside = make_hub("Tehran hub", city=tehran)
    for one in (inside, hub):
        hub_services.answer_call(
            one, campaign=campaign, actor=make_member(one, Membership.Role.LEAD)
        )
    Country.objects.filter(code="IR").update(high_risk=True)

    # When the coordinators write to the hubs.
    broadcast = services.create_broadcast(
        campaign,
        audience=Broadcast.Audience.HUBS,
        texts={"en": {"subject": "Bring candles", "body": "At nine."}},
        actor=coordinator,
    )

    # Then the confirmations are counted per hub abroad only.
    assert [row["hub__name"] for row in acknowledgements_by_hub(broadcast)] == [hub.name]
    html = login(client, coordinator).get(
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/"
    )
    assert html.status_code == 200
    assert "Tehran" not in html.content.decode()

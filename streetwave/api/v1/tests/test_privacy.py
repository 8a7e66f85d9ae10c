"""Canaries: what supporters give and what organizers keep private never comes out of the API."""

from streetwave.actions.services import create_rsvp
from streetwave.campaigns.tally import get_public_tally

MEETING_POINT = "canary-meeting-point-5d1e"
PSEUDONYM = "canary-pseudonym-91c2"
EMAIL = "canary-91c2@example.org"


def test_no_get_endpoint_shows_meeting_points_contacts_or_small_counts(
    client, campaign, hub, make_action
):
    # given an action with a private meeting point and three RSVPs, one made through the API
    action = make_action(hub, meeting_point=MEETING_POINT)
    posted = client.post(
        f"/api/v1/actions/{action.public_id}/rsvps",
        {"pseudonym": PSEUDONYM, "email": EMAIL, "language": "fa", "consent": True},
        content_type="application/json",
    )
    assert posted.status_code == 201
    for name in ("canary-second-2b7f", "canary-third-8c0d"):
        create_rsvp(
            action, pseudonym=name, email=f"{name}@example.org", language="en", consent=True
        )
    get_public_tally(campaign.slug)  # the tally, cached, must not carry people either

    # when every GET endpoint is read, in every shape
    paths = [
        "/api/v1/campaigns",
        "/api/v1/campaigns/streets",
        "/api/v1/campaigns/streets/tally",
        "/api/v1/actions",
        "/api/v1/actions?near=48.85,2.35",
        "/api/v1/actions?campaign=streets&country=FR",
        f"/api/v1/actions/{action.public_id}",
        "/api/v1/hubs",
        f"/api/v1/hubs/{hub.public_id}",
        "/api/v1/openapi.json",
    ]
    bodies = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        bodies[path] = response.content.decode()

    # then no marker, no private field and no exact small count appears anywhere
    for path, body in bodies.items():
        for marker in (
            MEETING_POINT,
            PSEUDONYM,
            EMAIL,
            "canary-second",
            "canary-third",
            "meeting_point",
            "contact",
            "rsvps_count",
            "going_count",
        ):
            assert marker not in body, (marker, path)
    detail = client.get(f"/api/v1/actions/{action.public_id}").json()
    assert detail["going"] is None

"""The campaign's inside page saved as one file (core.selfcontained, campaigns:inside_save): to
download, named in the page's language, loading nothing when opened, with links back to the
name of the instance it was saved from, and the same for whoever saves it."""

import pytest
from django.test import override_settings

from .origins import host_of, read

pytestmark = pytest.mark.django_db

CLEAR = "streetwave.example.org"
ONION = "streetwavexyz2b4c6d3e5f7g2h4i6j3k5l7m2n4o6p3q5r7s2t4u6vw.onion"
HOSTS = override_settings(
    SITE_URL=f"https://{CLEAR}",
    ONION_HOST=ONION,
    ONION_SITE_URL=f"http://{ONION}",
    ALLOWED_HOSTS=[CLEAR, ONION],
)


@pytest.fixture
def inside(campaign, make_city):
    from streetwave.places.models import Country

    make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    Country.objects.filter(code="IR").update(high_risk=True)
    return campaign


def _save(client, campaign, *, language="fa", host=CLEAR):
    with HOSTS:
        return client.get(
            f"/{language}/c/{campaign.slug}/inside/save/", HTTP_HOST=host, secure=host == CLEAR
        )


def test_the_inside_page_links_to_its_saved_copy(client, inside):
    response = client.get(f"/fa/c/{inside.slug}/inside/")

    assert f'href="/fa/c/{inside.slug}/inside/save/"' in response.content.decode()


def test_the_saved_inside_page_is_one_file_that_loads_nothing(client, inside):
    response = _save(client, inside)

    html = response.content.decode()
    found = read(html)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["Content-Disposition"].endswith("-streetwave.html")
    assert found.scripts == 0
    assert [address for address in found.loads if not address.startswith("data:")] == []
    assert "<form" not in html and "csrfmiddlewaretoken" not in html
    assert {host_of(link) for link in found.links} == {None, CLEAR}
    assert f'href="https://{CLEAR}/fa/c/{inside.slug}/inside/"' in html
    assert 'lang="fa" dir="rtl"' in html


def test_saved_on_the_onion_it_links_to_the_onion_only(client, inside):
    response = _save(client, inside, host=ONION)

    html = response.content.decode()
    assert {host_of(link) for link in read(html).links} == {None, ONION}
    assert CLEAR not in html


def test_a_signed_in_organizer_saves_the_page_anyone_sees(client, inside, organizer, login):
    login(client, organizer)

    html = _save(client, inside, language="en").content.decode()

    assert "Sign out" not in html
    assert organizer.email not in html


def test_the_saved_copy_of_a_missing_campaign_is_a_404(client, inside):
    assert client.get("/fa/c/no-such-campaign/inside/save/").status_code == 404


@pytest.fixture
def taken_inside(campaign, make_city, make_hub, make_action):
    """A street taken in Tehran, filed after the fact and verified two days ago: public."""
    import datetime as dt

    from django.utils import timezone

    from streetwave.actions.models import Action
    from streetwave.approvals.models import Approval
    from streetwave.places.models import Country
    from streetwave.reportbacks.models import ReportBack

    now = timezone.now()
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    Country.objects.filter(code="IR").update(high_risk=True)
    action = make_action(
        hub=make_hub("Tehran hub", city=tehran),
        campaign=campaign,
        status=Action.Status.COMPLETED,
        starts_at=now - dt.timedelta(days=3),
        after_the_fact=True,
    )
    ReportBack.objects.create(
        action=action,
        turnout=500,
        language="fa",
        approval=Approval.APPROVED,
        approved_at=now - dt.timedelta(days=2),
    )
    return action


def test_the_page_of_a_street_taken_inside_offers_its_saved_copy(client, taken_inside):
    page = client.get(f"/fa/a/{taken_inside.public_id}/").content.decode()
    saved = _save_action(client, taken_inside)

    html = saved.content.decode()
    found = read(html)
    assert f'href="/fa/a/{taken_inside.public_id}/save/"' in page
    assert saved.status_code == 200
    assert saved["Content-Disposition"].startswith("attachment;")
    assert found.scripts == 0
    assert [address for address in found.loads if not address.startswith("data:")] == []
    assert {host_of(link) for link in found.links} == {None, CLEAR}


def test_an_action_announced_abroad_offers_no_saved_copy(client, campaign, make_action):
    action = make_action(campaign=campaign)

    page = client.get(f"/fa/a/{action.public_id}/").content.decode()

    assert f"/a/{action.public_id}/save/" not in page


def _save_action(client, action):
    with HOSTS:
        return client.get(f"/fa/a/{action.public_id}/save/", HTTP_HOST=CLEAR, secure=True)

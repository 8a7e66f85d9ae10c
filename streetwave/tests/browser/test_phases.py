"""Near-me results in a real browser, on a phone, in English and Persian, with and without
JavaScript: what one can still go to comes first, an ended action next door is listed apart and
said to be ended, and the results offer a calendar of themselves."""

import datetime as dt

import pytest

from .sharing import writes_rows_the_server_shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ended_next_door(site):
    """An action that ended an hour ago at the very place of the demo's open action."""
    from django.utils import timezone

    from streetwave.actions.models import Action

    open_action = Action.objects.get(public_id=site.open_action)
    starts = timezone.now() - dt.timedelta(hours=3)
    ended = Action.objects.create(
        hub=open_action.hub,
        campaign=open_action.campaign,
        title="Vigil that ended",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        city=open_action.city,
        place="Same square",
        latitude=open_action.latitude,
        longitude=open_action.longitude,
        status=Action.Status.PUBLISHED,
    )
    return open_action, ended


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("javascript", [True, False])
def test_near_me_on_a_phone_keeps_the_ended_action_apart(
    visit, screenshots, ended_next_door, language, javascript
):
    open_action, _ended = ended_next_door
    # given a supporter on a phone standing where an action ended an hour ago
    visit = visit(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript)
    page = visit.page
    near = f"{open_action.latitude:.2f},{open_action.longitude:.2f}"

    # when they search near their position
    visit.go(f"/{language}/c/{open_action.campaign.slug}/?near={near}#find-heading")
    results = page.locator("ol.nearby").first
    results.scroll_into_view_if_needed()
    suffix = "js" if javascript else "nojs"
    page.screenshot(path=screenshots / f"phone-{language}-near-me-phases-{suffix}.png")

    # then the first result is one they can still go to, and it says its phase
    first = results.locator("li").first
    assert "Vigil that ended" not in first.inner_text()
    assert first.locator(".phase").get_attribute("class") in {
        "phase phase-upcoming",
        "phase phase-now",
    }
    assert first.locator(".phase").is_visible()
    # and the ended action is listed apart, below, and said to be ended
    apart = page.locator("ol.nearby-ended li", has_text="Vigil that ended")
    assert apart.locator(".phase.phase-ended").is_visible()
    assert box(apart)["y"] > box(first)["y"]
    page.locator(".nearby-ended-heading").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"phone-{language}-near-me-ended-{suffix}.png")
    # and the results offer a calendar of themselves
    calendar = page.locator(".calendar-link a")
    assert calendar.is_visible()
    assert f"near={near.replace(',', '%2C')}" in calendar.get_attribute("href")


def box(locator):
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not visible"
    return found

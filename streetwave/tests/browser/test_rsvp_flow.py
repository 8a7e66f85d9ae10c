"""The RSVP journey on a phone: RSVP, land on one's own private link page, reload it, read it in
Persian, cancel after a confirmation, and RSVP again with the same link."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from streetwave.actions.models import RSVP, Action

# django_db makes pytest-django create the test database the `site` fixture fills; each test
# runs in a transaction rolled back after it (the server shares it on SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
MANAGE_URL = re.compile(r"/(en|fa)/rsvp/[\w-]+/(\?done=\w+)?$")


def overflow(page) -> int:
    """How many pixels the content of the page reaches past either side of the screen (the
    header and its language bar are the crawl's to check, on every page)."""
    return page.evaluate(
        """() => Math.max(0, ...[...document.querySelectorAll("main *")].map((element) => {
            const box = element.getBoundingClientRect();
            return Math.max(box.right - window.innerWidth, -box.left);
        }))"""
    )


def serious_violations(page) -> list[str]:
    """What axe-core finds serious or critical on the page (evaluated: no inline script)."""
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target)}))"
    )
    return [f"{v['id']} {v['nodes']}" for v in found if v["impact"] in ("serious", "critical")]


def statuses(action_id: str, pseudonym: str) -> list[str]:
    """The statuses of the RSVPs to the action under a pseudonym this module's tests use (the
    demo has made others; on PostgreSQL the server commits what another test made)."""
    mine = RSVP.objects.filter(action__public_id=action_id, pseudonym=pseudonym)
    return list(mine.values_list("status", flat=True))


def test_rsvp_reload_switch_language_cancel_and_rsvp_again_on_a_phone(visit, screenshots):
    # given a supporter on an action's page, on a phone
    visit = visit(viewport=PHONE)
    page = visit.page
    action_id = visit.site.open_action
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=visit.site.url)
    visit.go(f"/en/a/{action_id}/")
    before = Action.objects.get(public_id=action_id)

    # when they RSVP without an email
    page.fill("#id_pseudonym", "Niloufar-h2")
    page.locator("label[for=id_consent]").click()
    page.locator("section.rsvp button[type=submit]").click()

    # then they land on their own private link page: their status, the link to keep, a recap
    page.wait_for_url(MANAGE_URL)
    landing = page.url
    assert page.locator(".rsvp-status").inner_text().strip() == "You are going."
    assert "your private link: keep it" in page.locator(".private-link h2").inner_text()
    assert page.input_value("#private-link-field") == landing
    assert page.locator(".recap a[href$='calendar.ics']").is_visible()
    assert overflow(page) <= 0

    # and the link copies with one tap
    page.locator("button[data-copy]").click()
    expect(page.locator("#private-link-status")).to_have_text("The link is copied.")
    assert page.evaluate("navigator.clipboard.readText()") == landing
    assert serious_violations(page) == []
    page.screenshot(path=screenshots / "phone-en-confirmation.png", full_page=True)

    # when they reload it, nothing is sent again
    page.reload()
    assert page.url == landing
    assert statuses(action_id, "Niloufar-h2") == ["going"]
    after = Action.objects.get(public_id=action_id)
    assert after.going_count == before.going_count + 1

    # when they switch to Persian, the same page answers right to left with the Jalali date
    page.locator(".languages a[hreflang=fa]").click()
    page.wait_for_url(MANAGE_URL)
    assert page.url == landing.replace("/en/rsvp/", "/fa/rsvp/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert re.search(r"[۰-۹]{4} — [۰-۹]", page.locator(".recap time").inner_text())
    assert overflow(page) <= 0
    assert serious_violations(page) == []
    page.screenshot(path=screenshots / "phone-fa-confirmation.png", full_page=True)

    # when they choose to cancel, they are asked first, and nothing is cancelled yet
    page.locator(".rsvp-cancel a").click()
    page.wait_for_url("**/cancel/")
    assert statuses(action_id, "Niloufar-h2") == ["going"]
    assert overflow(page) <= 0
    assert serious_violations(page) == []
    page.screenshot(path=screenshots / "phone-fa-cancel-confirmation.png", full_page=True)
    page.locator(".confirm-cancel button[type=submit]").click()

    # then their link still works, says they cancelled, and offers to RSVP again
    page.wait_for_url(MANAGE_URL)
    assert page.url.endswith("?done=cancelled")
    assert statuses(action_id, "Niloufar-h2") == ["cancelled"]
    rejoin = page.locator("button[name=rejoin]")
    assert rejoin.is_visible()
    assert serious_violations(page) == []
    page.screenshot(path=screenshots / "phone-fa-cancelled.png", full_page=True)

    # when they RSVP again
    rejoin.click()

    # then the same RSVP is going again, and the counters are back where they were
    page.wait_for_url(MANAGE_URL)
    assert page.url.endswith("?done=rejoined")
    assert statuses(action_id, "Niloufar-h2") == ["going"]
    again = Action.objects.get(public_id=action_id)
    assert (again.going_count, again.cancelled_count) == (
        before.going_count + 1,
        before.cancelled_count,
    )
    page.screenshot(path=screenshots / "phone-fa-manage.png", full_page=True)
    page.locator(".languages a[hreflang=en]").click()
    page.wait_for_url(MANAGE_URL)
    assert page.locator(".rsvp-edit select option:checked").inner_text() != "---------"
    assert overflow(page) <= 0
    page.screenshot(path=screenshots / "phone-en-manage.png", full_page=True)


def test_without_javascript_the_private_link_is_text_to_select(visit):
    # given a supporter's private link, opened on a phone without JavaScript
    visit = visit(viewport=PHONE, java_script_enabled=False)
    page = visit.page
    visit.go(visit.site.manage_path)

    # then the link is shown as text one can select, and no button promises what cannot work
    field = page.locator("#private-link-field")
    assert field.is_visible()
    assert field.input_value().endswith(visit.site.manage_path)
    assert not page.locator("button[data-copy]").is_visible()
    # and cancelling is a plain link to its confirmation page
    page.locator(".rsvp-cancel a").click()
    page.wait_for_url("**/cancel/")
    assert page.locator(".confirm-cancel button[type=submit]").is_visible()


def test_an_rsvp_with_email_lands_on_a_page_safe_to_reload_without_javascript(visit, screenshots):
    # given a supporter on an action's page, on a phone without JavaScript
    visit = visit(viewport=PHONE, java_script_enabled=False)
    page = visit.page
    action_id = visit.site.open_action
    visit.go(f"/fa/a/{action_id}/")

    # when they RSVP with an email
    page.fill("#id_pseudonym", "Sepideh-h2")
    page.fill("#id_email", "sepideh-h2@example.org")
    page.locator("#id_consent").check()
    page.locator("section.rsvp button[type=submit]").click()

    # then they land on a page that says where their link went, and reloading it sends nothing
    page.wait_for_url(f"**/fa/a/{action_id}/rsvp/sent/?status=going")
    assert page.locator(".private-link").is_visible()
    assert page.locator(".recap time").is_visible()
    page.reload()
    assert statuses(action_id, "Sepideh-h2") == ["going"]
    assert overflow(page) <= 0
    page.screenshot(path=screenshots / "phone-fa-confirmation-email.png", full_page=True)

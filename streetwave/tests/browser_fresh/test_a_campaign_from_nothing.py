"""A whole campaign run from the browser on a fresh install: no demo, a few countries' places,
and the first operator made by `create_operator --no-input`. Everything else happens through
the pages, each person in a browser of their own, each invitation opened from its mail:

1. the operator signs in, sets up an authenticator app and reaches the operator's console;
2. creates a campaign with texts in Persian and English, previews it (a visitor gets a 404),
   opens it;
3. appoints a coordinator, who takes up the role from the mail with an authenticator app;
4. the coordinator founds a hub in Berlin and invites its lead, who joins the same way;
5. the lead plans and publishes an action; the coordinator approves it (the new hub is on
   probation); it is on the map, the calendar, the API and the wave;
6. a visitor reports it;
7. the coordinator takes it down from the moderation queue: it leaves the map, the calendar,
   the API and the wave, and its page says it was removed.

Each step is timed (the table is printed after the run). The console's pages are photographed
in Persian on a phone and a desktop (console-fa-<page>-<phone|desktop>.png)."""

import datetime as dt
import re
import time
from contextlib import contextmanager
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from streetwave.tests.browser.leaflet import open_a_popup
from streetwave.tests.browsing import totp

from .conftest import STEP_TIMES

pytestmark = pytest.mark.browser

OPERATOR = ("operator-fresh@example.org", "a long operator passphrase 7q")
COORDINATOR = ("coordinator-fresh@example.org", "a long coordinator passphrase 7q")
LEAD = ("lead-fresh@example.org", "a long lead passphrase 7q")
SLUG = "streets-fresh"
TITLE_FA = "خیابان‌ها از آن ماست"
TITLE_EN = "The streets are ours"
ACTION_TITLE = "Vigil at the Brandenburg Gate"
BERLIN = ZoneInfo("Europe/Berlin")
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Cached public documents (map, wave) are at most this old (DESIGN.md, "Performance").
STALE_SECONDS = 20


@contextmanager
def step(name: str):
    started = time.monotonic()
    yield
    STEP_TIMES.append((name, time.monotonic() - started))


def submit(page, label: str | None = None):
    """Press the main form's submit button (the one named `label`, if given) and wait for the
    next page."""
    buttons = page.locator("main form[method=post] button[type=submit]")
    if label is not None:
        buttons = buttons.filter(has_text=label)
    with page.expect_navigation():
        buttons.first.click()


def overflow(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def photograph(someone, screenshots, name: str, path: str, check=None) -> None:
    """The console page `path` in Persian on a phone and a desktop, in a tab of its own: it
    reads right to left and fits the screen, and passes `check(page)` if given."""
    page = someone.context.new_page()
    try:
        for screen, size in SCREENS.items():
            page.set_viewport_size(size)
            response = page.goto(someone.url + path)
            assert response is not None and response.status == 200, path
            page.screenshot(
                path=str(screenshots / f"console-fa-{name}-{screen}.png"), full_page=True
            )
            assert page.locator("html").get_attribute("dir") == "rtl", path
            assert overflow(page) <= 0, f"{path} is wider than a {screen}"
            if check is not None:
                check(page)
    finally:
        page.close()


def slug_under_title(page) -> None:
    """In the console's list of campaigns, a campaign's short name stands on a line of its own
    under its title (on a phone too, where the table's cells are stacked)."""
    cell = page.locator("#campaigns-heading ~ table tbody td").first
    title = cell.locator("bdi").first.bounding_box()
    slug = cell.locator("bdi[dir=ltr]").bounding_box()
    assert title is not None and slug is not None
    assert slug["y"] >= title["y"] + title["height"] - 1, (title, slug)


def labels_above_fields(page) -> None:
    """On the campaign's settings, grouped in a card per section, each field's label stands
    above its field, as on every other form of the console."""
    for name in ("title_fa", "statement_fa", "demands_en", "zone", "goal"):
        label = page.locator(f"label[for=id_{name}]").bounding_box()
        field = page.locator(f"#id_{name}").bounding_box()
        assert label is not None and field is not None
        assert label["y"] + label["height"] <= field["y"] + 1, (name, label, field)
    assert page.locator("main form fieldset.card").count() == 5


def set_up_authenticator(page, password: str) -> None:
    """From the second-factor page: confirm the password (allauth asks again before a factor
    is added), then add an authenticator app, typing the code for the secret the page shows,
    as a person copying it into their phone would."""
    with page.expect_navigation():
        page.locator("main a[href$='/accounts/2fa/totp/activate/']").click()
    if "/accounts/reauthenticate/" in page.url:
        page.fill("input[name=password]", password)
        submit(page)
    page.wait_for_url("**/2fa/totp/activate/")
    secret = page.locator(".secret").inner_text().strip()
    for _attempt in range(2):
        page.fill("input[name=code]", totp(secret))
        submit(page)
        if "/2fa/totp/activate/" not in page.url:
            return
        # The code's 30 seconds ran out on the way to the server: the next one.
        time.sleep(30.5 - time.time() % 30)
    raise AssertionError("the authenticator app was not accepted")


def invitation_path(address: str) -> str:
    """The invitation link of the last mail to `address`, as a path on the live server."""
    bodies = [str(message.body) for message in mail.outbox if address in message.to]
    assert bodies, f"no mail to {address}"
    found = re.search(r"(/[a-z]{2}/accounts/invitation/[^/\s]+/)", bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


def accept_invitation(someone, address: str, password: str, name: str) -> None:
    """Open the mailed invitation, create the account, set up an authenticator app, and take up
    what the invitation offers."""
    page = someone.page
    someone.go(invitation_path(address))
    page.fill("input[name=display_name]", name)
    page.select_option("select[name=language]", "en")
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    submit(page)
    # The invitation asks for a second factor before the role.
    page.locator("main a[href*='/accounts/2fa/']").click()
    set_up_authenticator(page, password)
    # The recovery codes are shown once, with the way back to the invitation
    page.wait_for_url("**/2fa/recovery-codes/")
    page.locator("main .actions a[href*='/accounts/invitation/']").click()
    page.wait_for_url("**/accounts/invitation/**")
    submit(page)
    # in the language of the invitation's link
    page.wait_for_url("**/manage/")


def eventually(check, *, seconds: float = STALE_SECONDS):
    """`check()` until it holds: a cached public document is renewed within seconds."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "still not so after the cache's staleness budget"
        time.sleep(0.5)


def public_traces(visitor, action_id: str) -> dict[str, bool]:
    """Where a visitor finds the action: the map's data, the calendar, the API, the wave."""
    request = visitor.context.request
    api = request.get(f"{visitor.url}/api/v1/actions?campaign={SLUG}").json()
    return {
        "map": action_id in request.get(f"{visitor.url}/en/c/{SLUG}/map.json").text(),
        "calendar": ACTION_TITLE in request.get(f"{visitor.url}/en/c/{SLUG}/calendar.ics").text(),
        "api": any(item["id"] == action_id for item in api["items"]),
        "api detail": request.get(f"{visitor.url}/api/v1/actions/{action_id}").ok,
        "wave": ACTION_TITLE in request.get(f"{visitor.url}/en/c/{SLUG}/wave/").text(),
    }


def test_a_campaign_runs_from_an_empty_database(person, screenshots, monkeypatch):
    from streetwave.actions.models import Action
    from streetwave.campaigns.models import Campaign
    from streetwave.hubs.models import Hub
    from streetwave.places.services import load_places

    # Given a fresh instance: a few countries' places and its first operator from the
    # environment, as a deployment makes it
    with step("0. places and create_operator --no-input"):
        load_places(countries=["DE", "FR"], min_population=500_000)
        monkeypatch.setenv("STREETWAVE_OPERATOR_EMAIL", OPERATOR[0])
        monkeypatch.setenv("STREETWAVE_OPERATOR_PASSWORD", OPERATOR[1])
        call_command("create_operator", "--no-input", stdout=StringIO())

    # 1. The operator signs in, is sent to set up a second factor first, and reaches the console
    with step("1. operator signs in, sets up TOTP"):
        operator = person()
        page = operator.page
        operator.go("/en/accounts/login/")
        page.fill("input[name=login]", OPERATOR[0])
        page.fill("input[name=password]", OPERATOR[1])
        submit(page)
        page.wait_for_url("**/en/accounts/2fa/")
        set_up_authenticator(page, OPERATOR[1])
        operator.go("/en/manage/")
        page.locator("main a[href='/en/manage/instance/']").click()
        page.wait_for_url("**/en/manage/instance/")
        assert page.locator("h1").inner_text() == "Running this instance"

    # 2. creates a campaign in Persian and English, previews it, and opens it
    with step("2. campaign created, previewed, opened"):
        page.locator("main a[href='/en/manage/campaigns/new/']").click()
        today = dt.datetime.now(BERLIN).date()
        page.fill("input[name=slug]", SLUG)
        page.select_option("select[name=fallback_language]", "fa")
        page.check("input[name=other_languages][value=en]")
        page.fill("input[name=title]", TITLE_FA)
        page.fill("input[name=start_date]", (today - dt.timedelta(days=1)).isoformat())
        page.fill("input[name=start_time]", "00:00")
        page.fill("input[name=end_date]", (today + dt.timedelta(days=14)).isoformat())
        page.fill("input[name=end_time]", "23:00")
        page.fill("input[name=zone]", "Europe/Berlin")
        page.fill("input[name=goal]", "100")
        submit(page)
        page.wait_for_url(f"**/en/manage/campaigns/{SLUG}/settings/")
        page.fill("textarea[name=statement_fa]", "خیابان‌ها را پس می‌گیریم، در هر شهر.")
        page.fill("textarea[name=demands_fa]", "آزادی همهٔ زندانیان سیاسی")
        page.fill("input[name=title_en]", TITLE_EN)
        page.fill("textarea[name=statement_en]", "We take the streets back, in every city.")
        page.fill("textarea[name=demands_en]", "Free all political prisoners")
        submit(page, "Save changes")
        assert "The campaign's settings are saved." in page.locator("main").inner_text()
        campaign = Campaign.objects.get(slug=SLUG)
        assert campaign.languages == ["fa", "en"] and campaign.status == Campaign.Status.DRAFT
        assert campaign.texts["en"]["title"] == TITLE_EN

        # The preview: the draft's public page with its banner, for the operator only
        page.locator("main a", has_text="Preview its public page").click()
        page.wait_for_url(f"**/c/{SLUG}/")
        assert page.locator(".preview-banner").is_visible()
        assert TITLE_EN in page.locator("h1").inner_text()
        visitor = person()
        assert visitor.go(f"/en/c/{SLUG}/").status == 404
        assert visitor.go(f"/en/c/{SLUG}/map.json").status == 404
        # (the browser logs each of those 404s as an error: they were the point)
        visitor.errors.clear()

        operator.go(f"/en/manage/campaigns/{SLUG}/settings/")
        page.locator("main a.button", has_text="Open the campaign").click()
        page.wait_for_url(f"**/manage/campaigns/{SLUG}/state/")
        submit(page, "Open the campaign")
        assert "The campaign is open." in page.locator("main").inner_text()
        assert visitor.go(f"/en/c/{SLUG}/").status == 200
        photograph(
            operator, screenshots, "operator", "/fa/manage/instance/", check=slug_under_title
        )
        photograph(
            operator,
            screenshots,
            "settings",
            f"/fa/manage/campaigns/{SLUG}/settings/",
            check=labels_above_fields,
        )

    # 3. appoints a coordinator, who takes up the role from the mailed invitation
    with step("3. coordinator appointed, joins with TOTP"):
        operator.go("/en/manage/instance/")
        page.locator("main a", has_text="Coordinators").click()
        page.wait_for_url(f"**/manage/campaigns/{SLUG}/coordinators/")
        page.fill("input[name=email]", COORDINATOR[0])
        page.select_option("select[name=language]", "en")
        submit(page, "Send the invitation")
        assert "The invitation is on its way." in page.locator("main").inner_text()
        photograph(
            operator, screenshots, "coordinators", f"/fa/manage/campaigns/{SLUG}/coordinators/"
        )

        coordinator = person()
        accept_invitation(coordinator, COORDINATOR[0], COORDINATOR[1], "Coordinator")
        assert "You coordinate" in coordinator.page.locator("main").inner_text()
        assert coordinator.go(f"/en/manage/campaigns/{SLUG}/answers/").status == 200

    # 4. the coordinator founds a hub in Berlin and invites its lead, who joins the same way
    with step("4. founding hub, its lead joins with TOTP"):
        page = coordinator.page
        coordinator.go(f"/en/manage/campaigns/{SLUG}/hubs/new/")
        photograph(
            coordinator, screenshots, "founding-hub", f"/fa/manage/campaigns/{SLUG}/hubs/new/"
        )
        page.fill("input[name=name]", "Streets for Freedom Berlin")
        page.fill("input[name=city_name]", "Berlin")
        page.fill("input[name=lead_email]", LEAD[0])
        page.select_option("select[name=lead_language]", "fa")
        submit(page, "Found the hub and invite its lead")
        page.wait_for_url(f"**/manage/campaigns/{SLUG}/answers/")
        hub = Hub.objects.get(name="Streets for Freedom Berlin")
        assert hub.city.name == "Berlin" and hub.status == Hub.Status.ACTIVE
        assert "/fa/accounts/invitation/" in invitation_path(LEAD[0])
        photograph(coordinator, screenshots, "answers", f"/fa/manage/campaigns/{SLUG}/answers/")

        lead = person()
        accept_invitation(lead, LEAD[0], LEAD[1], "Lead")
        assert "Streets for Freedom Berlin" in lead.page.locator("main").inner_text()

    # 5. the lead plans and publishes an action; the coordinator approves it; it is public
    with step("5. action planned, approved, public"):
        page = lead.page
        lead.go("/en/manage/")
        page.locator(".card a", has_text="Plan a new action").click()
        page.wait_for_url(f"**/en/manage/hubs/{hub.public_id}/actions/new/")
        assert page.input_value("#id_campaign") == SLUG
        start = (dt.datetime.now(BERLIN) + dt.timedelta(days=2)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )
        page.fill("#id_title", ACTION_TITLE)
        page.fill("#id_place", "Pariser Platz")
        page.fill("#id_start_date", start.date().isoformat())
        page.fill("#id_start_time", "18:00")
        page.fill("#id_end_time", "20:00")
        submit(page)
        page.wait_for_url("**/manage/actions/*/")
        action = Action.objects.get(title=ACTION_TITLE)
        submit(page, "Publish")
        action.refresh_from_db()
        # The hub is new, on probation: its action waits for a coordinator
        assert action.status == Action.Status.PENDING

        coordinator.go(f"/en/manage/campaigns/{SLUG}/approvals/")
        form = coordinator.page.locator(f"main form[action*='{action.public_id}']")
        with coordinator.page.expect_navigation():
            form.locator("button", has_text="Approve and publish").click()
        action.refresh_from_db()
        assert action.status == Action.Status.PUBLISHED

        eventually(lambda: all(public_traces(visitor, action.public_id).values()))
        visitor.go(f"/en/c/{SLUG}/map/")
        visitor.page.wait_for_selector("[data-map-ready]")
        popup = open_a_popup(visitor.page)
        assert ACTION_TITLE in popup.inner_text()

    # 6. a visitor reports it
    with step("6. a visitor reports it"):
        page = visitor.page
        visitor.go(f"/en/a/{action.public_id}/")
        page.locator("a", has_text="Report this action").click()
        page.check("input[name=kind][value=fake]")
        page.fill("textarea[name=text]", "Nobody in Berlin has heard of this hub.")
        submit(page)
        page.wait_for_url(f"**/a/{action.public_id}/report/sent/")

    # 7. the coordinator takes it down from the queue: it is gone from every public place
    with step("7. taken down, gone everywhere"):
        page = coordinator.page
        coordinator.go(f"/en/manage/campaigns/{SLUG}/moderation/")
        assert "Nobody in Berlin has heard of this hub." in page.locator("main").inner_text()
        photograph(
            coordinator, screenshots, "moderation", f"/fa/manage/campaigns/{SLUG}/moderation/"
        )
        page.locator("main a", has_text="Take this action down").click()
        page.check("input[name=reason][value=fake]")
        submit(page, "Take the action down")
        action.refresh_from_db()
        assert action.status == Action.Status.REMOVED

        traces = public_traces(visitor, action.public_id)
        assert not any(traces.values()), traces
        # (a 410, Gone, which the browser logs as an error: it is the point)
        assert visitor.go(f"/en/a/{action.public_id}/").status == 410
        assert visitor.page.locator("h1").inner_text() == "This action was removed"
        visitor.errors.clear()

"""Every page a person can reach, public and organizer, in English and Persian, on a phone and a
desktop: no page wider than the screen, no 4xx or 5xx (of the page or of anything it loads), no
error in the console, no request to another origin, and no serious or critical accessibility
violation found by axe-core.

The crawl starts from the home page (signed out) and from the organizer dashboard (signed in as
a hub lead and as the coordinator of the demo campaign), follows the links of this site, and
keeps one page per URL pattern: the pages differ by their data, not by their shape. Pages that
no link reaches (sign-in, a supporter's private link, a search's results) are added by hand.
"""

import html.parser
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 360, "desktop": 1280}
HEIGHT = 800
# Enough for every pattern a hub lead or a coordinator reaches; a bound, not a target.
MAX_PAGES = 80
# Views whose answer is not a page to look at, or that change state on GET by design.
SKIPPED_VIEWS = {
    "account_logout",
    "accounts:data",
    "actions:calendar",
    "actions:manage_export_download",
    "campaigns:calendar",
    "campaigns:map_data",
    "campaigns:wave_fragment",
    "hubs:calendar",
}
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Page:
    # who looks at it: "anonymous", "lead" or "coordinator"
    who: str
    # the English path; the Persian one differs only by its prefix
    path: str
    # the URL pattern it stands for
    pattern: str
    status: int = 200

    def path_in(self, language: str) -> str:
        return f"/{language}/{self.path.removeprefix('/en/')}"


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(base: str, body: str) -> list[str]:
    parser = _Links()
    parser.feed(body)
    return [urljoin(base, href) for href in parser.hrefs]


def _pattern(path: str) -> str | None:
    """The URL pattern of an English page of this site, or None for what is not one to crawl."""
    if not path.startswith("/en/"):
        return None
    try:
        with translation.override("en"):
            match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    if name in SKIPPED_VIEWS or name.startswith("admin:"):
        return None
    return name


def _discover(context, site, who: str, starts: list[str], seen: set[str]) -> list[Page]:
    """Breadth first from `starts`, one page per pattern not in `seen` (which it extends)."""
    found: list[Page] = []
    queue = list(starts)
    queued = set(queue)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        pattern = _pattern(urlsplit(path).path)
        if pattern is None or (pattern in seen and path not in starts):
            continue
        answer = context.request.get(site.url + path, max_redirects=0)
        location = answer.headers.get("location")
        if 300 <= answer.status < 400 and location:
            # A page that sends elsewhere (to confirm one's factor again, say) stands for the
            # page it sends to.
            target = urlsplit(urljoin(site.url + path, location))
            link = target.path + (f"?{target.query}" if target.query else "")
            if f"{target.scheme}://{target.netloc}" == site.url and link not in queued:
                queued.add(link)
                queue.append(link)
            continue
        if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
            # Errors are not followed here: the visit reports them.
            found.append(Page(who, path, pattern))
            seen.add(pattern)
            continue
        found.append(Page(who, path, pattern))
        seen.add(pattern)
        for url in _links(site.url + path, answer.text()):
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != site.url:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in queued and _pattern(parts.path) not in seen:
                queued.add(link)
                queue.append(link)
    return found


@dataclass
class Crawl:
    pages: list[Page]
    states: dict[str, dict]


def _other_actions(slug: str) -> list[Page]:
    """The page of an action of the demo that has ended, and of one whose seats are all taken
    (where the hour of the day has them: the demo day is today's)."""
    from django.db.models import F
    from django.utils import timezone

    from streetwave.actions.models import Action

    published = Action.objects.filter(campaign__slug=slug, status=Action.Status.PUBLISHED)
    ended = published.filter(ends_at__lt=timezone.now()).order_by("ends_at").first()
    full = published.filter(
        capacity__isnull=False, going_count__gte=F("capacity"), ends_at__gt=timezone.now()
    ).first()
    return [
        Page("anonymous", f"/en/a/{action.public_id}/", f"actions:detail ({state})")
        for action, state in ((ended, "ended"), (full, "full"))
        if action is not None
    ]


@pytest.fixture(scope="module")
def crawl(browser, site, states, django_db_blocker) -> Crawl:
    with django_db_blocker.unblock():
        seen: set[str] = set()
        pages: list[Page] = []
        for who, starts in (
            ("anonymous", ["/en/", "/en/accounts/login/", "/en/accounts/password/reset/"]),
            ("lead", ["/en/manage/", "/en/accounts/sessions/", "/en/accounts/2fa/"]),
            ("coordinator", ["/en/manage/"]),
        ):
            context = browser.new_context(storage_state=states[who])
            try:
                pages += _discover(context, site, who, starts, seen)
            finally:
                context.close()
        pages += _other_actions(site.slug)
    # Pages that no link reaches, or whose other state matters.
    pages += [
        Page("anonymous", site.manage_path, "actions:manage (private link)"),
        Page("anonymous", f"/en/c/{site.slug}/?near=52.52,13.38", "campaigns:detail (near)"),
        Page("anonymous", "/en/no-such-page/", "404", status=404),
        Page("lead", "/en/admin/", "admin (not staff)", status=403),
    ]
    return Crawl(pages=pages, states=states)


OVERFLOW = """() => {
    const root = document.scrollingElement;
    const width = Math.min(window.innerWidth, root.clientWidth);
    if (root.scrollWidth <= width) return null;
    // The outermost boxes that reach past the screen, outside any box that clips or scrolls.
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const culprits = [];
    const walk = (el) => {
        for (const child of el.children) {
            const box = child.getBoundingClientRect();
            if (box.width && (box.right > width + 1 || box.left < -1)) {
                culprits.push(`${describe(el)} > ${describe(child)} (${Math.round(box.width)} px)`);
            } else if (getComputedStyle(child).overflowX === 'visible') {
                walk(child);
            }
        }
    };
    walk(document.body);
    return {width: root.scrollWidth, screen: width, culprits: culprits.slice(0, 5)};
}"""

AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
    }));
}"""


def _axe_violations(page) -> list[dict]:
    # Evaluated rather than added as a <script>: the pages' policy forbids inline script, and
    # the crawl must still see every violation of that policy.
    page.evaluate(AXE.read_text())
    return page.evaluate(AXE_RUN)


def _failed(response, failed: list[str]) -> None:
    """Records a 4xx or 5xx of anything a page loads; the page's own answer is checked apart."""
    request = response.request
    if response.status >= 400 and not (
        request.is_navigation_request() and request.frame.parent_frame is None
    ):
        failed.append(f"{response.status} {response.url}")


def _problems(visitor, failed: list[str], page: Page, language: str, axe: bool) -> list[str]:
    """What is wrong with one page of the crawl, each as a line that says where."""
    path = page.path_in(language)
    where = f"{page.who} {path} ({page.pattern})"
    try:
        answer = visitor.go(path, wait_until="load")
    except PlaywrightError as error:
        return [f"{where}: {error.message.splitlines()[0]}"]
    problems = []
    if answer is None or answer.status != page.status:
        problems.append(f"{where}: answered {answer and answer.status}")

    # Once what the page's scripts load has come (the map drawn, say), it is looked at.
    visitor.page.wait_for_load_state("networkidle")
    overflow = visitor.page.evaluate(OVERFLOW)
    if overflow:
        problems.append(
            f"{where}: {overflow['width']} px wide on a {overflow['screen']} px screen: "
            + "; ".join(overflow["culprits"])
        )
    if axe:
        problems += [
            f"{where}: axe {violation['impact']} {violation['id']} ({violation['help']}): "
            + ", ".join(violation["targets"])
            for violation in _axe_violations(visitor.page)
            if violation["impact"] in BLOCKING
        ]

    problems += [f"{where}: a part answered {line}" for line in failed]
    errors = visitor.errors[:]
    if page.status >= 400:
        errors = [error for error in errors if f"status of {page.status}" not in error]
    problems += [f"{where}: console: {error}" for error in errors]
    problems += [f"{where}: request to another origin: {url}" for url in visitor.blocked]
    failed.clear()
    visitor.errors.clear()
    visitor.blocked.clear()
    return problems


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("language", ["en", "fa"])
def test_every_page_fits_loads_and_passes_axe(crawl, visit, language: str, device: str) -> None:
    # given every page of the crawl, each seen by the person who reaches it
    assert {page.who for page in crawl.pages} == {"anonymous", "lead", "coordinator"}
    problems: list[str] = []
    for who in ("anonymous", "lead", "coordinator"):
        visitor = visit(
            viewport={"width": WIDTHS[device], "height": HEIGHT},
            storage_state=crawl.states[who],
        )
        failed: list[str] = []
        visitor.page.on("response", lambda response, failed=failed: _failed(response, failed))
        # when they open each page (axe-core once per page and language: on the phone, where
        # a page is most crowded)
        for page in crawl.pages:
            if page.who == who:
                problems += _problems(visitor, failed, page, language, axe=device == "phone")

    # then each answered as expected, fits the screen, loaded everything it asked for, logged
    # no error, asked no other origin, and has no serious or critical accessibility violation
    assert problems == [], "\n".join(["", *problems])


def test_the_crawl_sees_overflow_and_accessibility_violations(crawl, visit):
    # The crawl's checks must be able to fail: a page made too wide, with an image without
    # a text alternative.
    visitor = visit(viewport={"width": WIDTHS["phone"], "height": HEIGHT})
    visitor.go("/en/about/")
    visitor.page.evaluate(
        """() => {
            const wide = document.createElement('div');
            wide.className = 'too-wide';
            wide.style.inlineSize = '500px';
            wide.innerHTML = '<img src="/static/favicon.svg">';
            document.querySelector('main').append(wide);
        }"""
    )

    overflow = visitor.page.evaluate(OVERFLOW)
    assert overflow["width"] >= 500 and "div.too-wide (500 px)" in overflow["culprits"][0]
    violations = _axe_violations(visitor.page)
    assert {"image-alt"} <= {v["id"] for v in violations if v["impact"] in BLOCKING}


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["en", "fa"])
def test_phone_screenshots_of_the_main_pages(crawl, visit, screenshots, language):
    # given a supporter and a hub lead on a phone
    supporter = visit(viewport=PHONE)
    lead = visit(viewport=PHONE, storage_state=crawl.states["lead"])
    site = supporter.site
    taken = []

    def shot(visitor, name):
        visitor.page.wait_for_load_state("networkidle")
        assert visitor.page.evaluate(OVERFLOW) is None, name
        path = screenshots / f"phone-{language}-{name}.png"
        visitor.page.screenshot(path=path, full_page=True)
        taken.append(path.name)

    # when they go through the day: the home page, the campaign, an action, an RSVP
    supporter.go(f"/{language}/")
    shot(supporter, "home")
    supporter.go(f"/{language}/c/{site.slug}/")
    supporter.page.wait_for_selector("[data-map-ready]")
    shot(supporter, "campaign")
    supporter.go(f"/{language}/a/{site.open_action}/")
    shot(supporter, "action")
    supporter.page.fill("#id_pseudonym", "نیلوفر" if language == "fa" else "Niloufar")
    supporter.page.locator("label[for=id_consent]").click()
    supporter.page.locator("form:has(#id_consent) button[type=submit]").click()
    supporter.page.wait_for_load_state()
    shot(supporter, "confirmation")
    supporter.go(Page("anonymous", site.manage_path, "").path_in(language))
    shot(supporter, "manage")
    lead.go(f"/{language}/manage/")
    shot(lead, "dashboard")

    # then every page fits the phone, and each has its picture
    assert taken == [
        f"phone-{language}-{name}.png"
        for name in ("home", "campaign", "action", "confirmation", "manage", "dashboard")
    ]


def test_a_signed_in_organizer_signs_out_from_the_header_without_javascript(states, visit):
    # given a hub lead signed in, without JavaScript, on a public page
    visitor = visit(storage_state=states["other lead"], java_script_enabled=False)
    site = visitor.site
    page = visitor.page
    visitor.go("/fa/")

    # when they press "Sign out" in the header
    page.locator("header.site-header form.sign-out button[type=submit]").click()

    # then they are signed out, back on the home page, and organizer pages ask to sign in
    page.wait_for_url(f"{site.url}/fa/")
    assert page.locator("header.site-header form.sign-out").count() == 0
    visitor.go("/fa/manage/")
    assert "/fa/accounts/login/" in page.url


@pytest.mark.parametrize("language", ["en", "fa"])
def test_long_words_and_addresses_wrap_on_a_phone(visit, language):
    # given a phone showing text people wrote: an address, a title and a place in one word each
    visitor = visit(viewport={"width": WIDTHS["phone"], "height": HEIGHT})
    visitor.go(f"/{language}/about/")
    visitor.page.evaluate(
        """() => {
            const word = 'https://example.org/' + 'a-very-long-path-'.repeat(12);
            const block = document.createElement('section');
            block.innerHTML = `<h2>${'Solidaritätskundgebung'.repeat(4)}</h2><p>${word}</p>
                <dl class="facts"><dt>Where</dt><dd>${'Platz'.repeat(30)}</dd></dl>`;
            document.querySelector('main').append(block);
        }"""
    )

    # then they break where they must, and the page stays as wide as the screen
    assert visitor.page.evaluate(OVERFLOW) is None

"""A page saved as one self-contained HTML file, for people who pass it on by messenger where
the instance is blocked (docs/privacy.md, "Reach under censorship").

Opened from disk, the file asks nothing of any host: its stylesheets are inlined, the images
and fonts they and the page use are data: URIs, and there is no script, no form, no frame. Its
own Content-Security-Policy says so to the browser as well. Links stay links, made absolute to
the name of the instance the page was saved from, so a reader can follow them later. A notice
at the top says where and when the copy was made.

`save_page(view)` wraps the view of a public page: `<page>save/` answers the page as anyone
sees it (not as the signed-in reader), as such a file, to download.
"""

import base64
import copy
import mimetypes
import re
from collections.abc import Callable
from functools import wraps
from html import escape
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .hosts import site_url

# What the saved file may do when opened: show itself, with its inline styles and data: images
# and fonts. Nothing else, whatever the page held.
SAVED_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "form-action 'none'; base-uri 'none'"
)
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
# Elements left out with everything inside them: what runs, what sends, what embeds.
# Buttons too: without a script or a form, they would do nothing.
DROPPED = frozenset({"script", "form", "button", "iframe", "frame", "object", "template"})
# Void elements left out: what only a form or a script uses, and what loads by itself.
DROPPED_VOID = frozenset({"input", "source", "track", "base", "embed"})
# Attributes that hold an address. Only a link's (and a quotation's source) stays, absolute;
# every other would make the browser load it by itself.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "imagesrcset", "sizes", "action", "formaction", "poster", "cite"}
    | {"data", "background", "xlink:href", "ping", "manifest", "icon", "longdesc"}
)
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s[^;]*;""", re.IGNORECASE)
# mimetypes has no entry for fonts on every system.
TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".svg": "image/svg+xml"}


def _static_bytes(path: str) -> bytes | None:
    """The file a path under STATIC_URL names: the collected copy (hashed names included), or
    the app's own file where nothing was collected (development, tests)."""
    if not path.startswith(settings.STATIC_URL):
        return None
    name = path.removeprefix(settings.STATIC_URL)
    if ".." in PurePosixPath(name).parts:
        return None
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as file:
            return bytes(file.read())
    found = finders.find(name)
    if isinstance(found, str):
        with open(found, "rb") as file:
            return file.read()
    return None


def _data_uri(path: str) -> str | None:
    content = _static_bytes(path)
    if content is None:
        return None
    suffix = PurePosixPath(path).suffix.lower()
    kind = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


def _same_origin_path(address: str, base: str) -> str | None:
    """The path of `address` (relative to `base`) when it is on the instance, else None."""
    absolute = urlsplit(urljoin(base, address))
    if absolute.netloc != urlsplit(base).netloc:
        return None
    return absolute.path


def inline_css(css: str, *, css_url: str) -> str:
    """`css` with every url() a data: URI (a file of the instance's) or nothing, and no
    @import: a stylesheet that loads nothing."""

    def replace(match: re.Match[str]) -> str:
        address = match[2].strip()
        if address.startswith(("data:", "#")):
            return match[0]
        path = _same_origin_path(address, css_url)
        uri = _data_uri(path) if path else None
        return f'url("{uri}")' if uri else "none"

    return CSS_URL.sub(replace, CSS_IMPORT.sub("", css))


class _Rewriter(HTMLParser):
    def __init__(self, *, page_url: str, notice: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.notice = notice
        self.out: list[str] = []
        self.title: list[str] = []
        self._dropping: list[str] = []  # the open elements being left out
        self._raw: str | None = None  # "style" while inside one: its text is CSS, unescaped
        self._in_title = False

    # -- tags ------------------------------------------------------------------------------

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        if self._dropping:
            if tag == self._dropping[-1] and tag not in VOID and not closed:
                self._dropping.append(tag)
            return
        if tag in DROPPED:
            if not closed:
                self._dropping.append(tag)
            return
        if tag in DROPPED_VOID or tag == "noscript":
            return
        attributes = dict(attrs)
        if tag == "link":
            self._link(attributes)
            return
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() in (
            "refresh",
            "content-security-policy",
        ):
            return
        if tag == "img":
            source = _same_origin_path(attributes.get("src") or "", self.page_url)
            uri = _data_uri(source) if source else None
            if uri is None:
                # An image from elsewhere than the static files (a photo): its words only.
                alt = attributes.get("alt") or ""
                if alt:
                    self.out.append(f"<span>{escape(alt)}</span>")
                return
            attributes = {**attributes, "src": uri}
        self.out.append(f"<{tag}{self._attributes(tag, attributes)}>")
        if tag == "head":
            self.out.append(f'<meta http-equiv="Content-Security-Policy" content="{SAVED_POLICY}">')
        if tag == "body":
            self.out.append(self.notice)
        if tag == "style":
            self._raw = "style"
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[-1]:
                self._dropping.pop()
            return
        if tag in VOID or tag in DROPPED_VOID or tag == "noscript":
            return
        if tag == "style":
            self._raw = None
        if tag == "title":
            self._in_title = False
        self.out.append(f"</{tag}>")

    def _link(self, attributes: dict[str, str | None]) -> None:
        relations = (attributes.get("rel") or "").lower().split()
        path = _same_origin_path(attributes.get("href") or "", self.page_url)
        if path is None:
            return
        if "stylesheet" in relations:
            css = _static_bytes(path)
            if css is not None:
                inlined = inline_css(css.decode("utf-8"), css_url=urljoin(self.page_url, path))
                self.out.append(f"<style>{inlined}</style>")
        elif "icon" in relations:
            uri = _data_uri(path)
            if uri:
                self.out.append(f'<link rel="icon" href="{escape(uri)}">')

    def _attributes(self, tag: str, attributes: dict[str, str | None]) -> str:
        parts = []
        for name, value in attributes.items():
            if name.startswith("on") or name == "nonce":
                continue
            if name in URL_ATTRIBUTES and not (tag == "img" and name == "src"):
                if not ((name == "href" and tag in ("a", "area")) or name == "cite"):
                    continue
                value = self._absolute(value or "")
            if value is None:
                parts.append(f" {name}")
                continue
            if name == "style":
                value = inline_css(value, css_url=self.page_url)
            parts.append(f' {name}="{escape(value)}"')
        return "".join(parts)

    def _absolute(self, address: str) -> str:
        """Links stay links, absolute to the instance; a link within the page stays one."""
        if address.startswith("#"):
            return address
        absolute = urljoin(self.page_url, address)
        scheme = urlsplit(absolute).scheme.lower()
        return absolute if scheme in ("http", "https", "mailto", "geo") else "#"

    # -- text ------------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if self._in_title:
            self.title.append(data)
        if self._raw == "style":
            self.out.append(inline_css(data, css_url=self.page_url))
        else:
            self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        return


def self_contained(html: str, *, page_url: str, notice: str) -> tuple[str, str]:
    """`html`, a page of the instance at `page_url`, as a file that loads nothing, with the
    HTML `notice` at the start of its body; and the page's title."""
    rewriter = _Rewriter(page_url=page_url, notice=notice)
    rewriter.feed(html)
    rewriter.close()
    return "".join(rewriter.out), " ".join("".join(rewriter.title).split())


def save_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view answering `<page>save/` with the page of `view` at `<page>` as one self-contained
    file to download, named after the page's title in its language. Anything but a page (a
    404, a redirect) is answered as the page's view answered it."""

    @require_GET
    @wraps(view)
    def saved(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        page_request = copy.copy(request)
        page_request.path = request.path.removesuffix("save/")
        page_request.path_info = request.path_info.removesuffix("save/")
        page_request.META = {**request.META, "PATH_INFO": page_request.path_info}
        # The page as anyone sees it: a copy passed on carries nobody's account.
        page_request.user = AnonymousUser()
        page = view(page_request, *args, **kwargs)
        if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
            return page
        page_url = site_url(request) + page_request.path
        notice = render_to_string(
            "core/saved_notice.html", {"page_url": page_url, "saved_at": timezone.now()}
        )
        html, title = self_contained(
            page.content.decode(page.charset or "utf-8"), page_url=page_url, notice=notice
        )
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        filename = (slugify(title, allow_unicode=True) or "streetwave") + ".html"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Content-Security-Policy"] = SAVED_POLICY
        response["Cache-Control"] = "private, no-store"
        return response

    return saved

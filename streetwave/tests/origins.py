"""What a document names and what it would load, read the way a browser reads it: the addresses
in its attributes (href, src, srcset, action, ...), in CSS (`url()`, `@import`, in style
elements and attributes), in a meta refresh and in inline JSON, and any absolute address in
its text. For the tests that one page speaks of one origin only (test_one_origin.py) and that
a saved page loads nothing at all (streetwave/core/tests/test_selfcontained.py)."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Attributes whose value is an address (HTML's URL attributes).
URL_ATTRIBUTES = frozenset(
    {
        *("href", "src", "action", "formaction", "poster", "data", "cite", "background"),
        *("ping", "manifest", "icon", "longdesc", "xlink:href"),
    }
)
# Elements whose address the browser loads by itself, without the reader following it.
LOADING = frozenset(
    {
        *("img", "script", "iframe", "frame", "embed", "object", "audio", "video", "source"),
        *("track", "input", "image", "use"),
    }
)
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
# An absolute address anywhere in text: with a scheme that reaches a host, or without one
# ("//host/..."), which the browser completes with the page's scheme.
ABSOLUTE = re.compile(
    r"""(?i)\b(?:https?|wss?|ftp):(?://)?[^\s"'<>()\\]+"""
    r"""|(?<![:\w/])//[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'<>()\\]*"""
)
# Namespace names of inline SVG and MathML: names, never fetched.
NAMESPACES = ("http://www.w3.org/",)


@dataclass
class Found:
    links: list[str] = field(default_factory=list)  # followed only when the reader chooses
    loads: list[str] = field(default_factory=list)  # fetched by the browser on its own
    scripts: int = 0  # <script> elements that run (not inline JSON data)
    refreshes: list[str] = field(default_factory=list)  # addresses of a meta refresh
    texts: list[str] = field(default_factory=list)  # absolute addresses anywhere in the text


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Found()
        self._in: str | None = None  # "style" or "script"

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                loads = tag in LOADING or (
                    tag == "link" and (attributes.get("rel") or "").lower() != "alternate"
                )
                (self.found.loads if loads else self.found.links).append(value.strip())
            elif name in ("srcset", "imagesrcset"):
                self.found.loads += [part.split()[0] for part in value.split(",") if part.split()]
            elif name == "style":
                self.found.loads += css_urls(value)
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            content = attributes.get("content") or ""
            self.found.refreshes.append(content.partition("=")[2].strip(" '\""))
        if tag == "style":
            self._in = "style"
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            if kind.endswith("json"):
                self._in = "script"
            else:
                self.found.scripts += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found.loads += css_urls(data)


def css_urls(css: str) -> list[str]:
    return [(match[2] or match[4]).strip() for match in CSS_URL.finditer(css)]


# A data: URI holds its content (base64 has "/" and "+"), which names nothing.
DATA_URI = re.compile(r"""data:[^"'()\s]*""", re.IGNORECASE)


def absolute_addresses(text: str) -> list[str]:
    return [
        match.rstrip(".,;:!?")
        for match in ABSOLUTE.findall(DATA_URI.sub("", text))
        if not match.lower().startswith(NAMESPACES)
    ]


def read(html: str) -> Found:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.found.texts = absolute_addresses(html)
    return reader.found


def host_of(address: str) -> str | None:
    """The host an address reaches (None for a relative one, a fragment, data: and mailto:)."""
    parts = urlsplit(address.strip())
    if parts.scheme.lower() in ("data", "mailto", "tel"):
        return None
    return parts.hostname

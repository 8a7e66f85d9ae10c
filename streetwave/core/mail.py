"""Mail to one person, in their language, as plain text and HTML. Every mail of Streetwave goes
to exactly one recipient (no one ever sees another's address) and links back with absolute URLs;
the outbox (streetwave.broadcasts) sends it.

A mail is written once, as plain text (`<template>.txt` and `<template>_subject.txt`); the HTML
part is made from that text, so the two always say the same. The HTML part carries the
language and its direction (right-to-left for Persian) and loads nothing from anywhere: no
images, fonts or styles from another origin, nothing that tells a sender a mail was opened.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def absolute_url(name: str, *args: object, language: str) -> str:
    """The public address of a page in `language` (the URL carries the language prefix)."""
    with translation.override(language):
        return settings.SITE_URL + reverse(name, args=args)


def render_mail(
    template: str, context: dict[str, Any], *, language: str, subject_prefix: str = ""
) -> Mail:
    """Render `<template>_subject.txt` and `<template>.txt` in `language`, and the HTML part."""
    with translation.override(language):
        subject = subject_prefix + render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string("core/mail/base.html", {"subject": subject, "body": _html(text)})
    return Mail(subject=subject, text=text, html=html)


def _own_link() -> re.Pattern[str]:
    return re.compile(re.escape(settings.SITE_URL) + r"/[^\s<>\"']*[^\s<>\"'.,;:!?)]")


def own_links(text: str) -> list[str]:
    """The addresses of the site's own pages in a mail's text, in order."""
    return _own_link().findall(str.__str__(text))


def _html(text: str) -> SafeString:
    """The HTML part of a mail from its text: everything escaped, and only the site's own
    addresses made links. Organizers' text may name other hosts where the campaign allows it,
    but a link in a mail from Streetwave is one Streetwave built; anything else stays text.
    Links read left to right inside Persian text too (a `dir="ltr"` span isolates them)."""
    # The template engine took the rendered text for safe HTML: as a plain str it is escaped.
    text = str.__str__(text)
    parts, end = [], 0
    for match in _own_link().finditer(text):
        link = escape(match[0])
        parts += [
            escape(text[end : match.start()]),
            f'<span dir="ltr"><a href="{link}">{link}</a></span>',
        ]
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe(linebreaks("".join(parts)))  # noqa: S308 - every piece escaped above

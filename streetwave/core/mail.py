"""Mail to one person, in their language, as plain text and HTML. Every mail of Streetwave goes
to exactly one recipient (no one ever sees another's address) and links back with absolute URLs;
the outbox (streetwave.broadcasts) sends it.

A mail is written once, as plain text (`<template>.txt` and `<template>_subject.txt`); the HTML
part is made from that text, so the two always say the same. The HTML part carries the
language and its direction (right-to-left for Persian) and loads nothing from anywhere: no
images, fonts or styles from another origin, nothing that tells a sender a mail was opened.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def absolute_url(name: str, *args, language: str) -> str:
    """The public address of a page in `language` (the URL carries the language prefix)."""
    with translation.override(language):
        return settings.SITE_URL + reverse(name, args=args)


def render_mail(template: str, context: dict, *, language: str, subject_prefix="") -> Mail:
    """Render `<template>_subject.txt` and `<template>.txt` in `language`, and the HTML part."""
    with translation.override(language):
        subject = subject_prefix + render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        # The template engine took the rendered text for safe HTML; as a plain str again, the
        # HTML template escapes what organizers typed while it turns addresses into links.
        html = render_to_string(
            "core/mail/base.html", {"subject": subject, "text": str.__str__(text)}
        )
    return Mail(subject=subject, text=text, html=html)

"""Plain-text mail to one person, in their language. Every mail of Streetwave goes to exactly
one recipient (no one ever sees another's address) and links back with absolute URLs."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def absolute_url(name: str, *args, language: str) -> str:
    """The public address of a page in `language` (the URL carries the language prefix)."""
    with translation.override(language):
        return settings.SITE_URL + reverse(name, args=args)


def send_mail(template: str, context: dict, *, to: str, language: str, subject_prefix="") -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in `language` and send them to `to`."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    EmailMessage(subject_prefix + subject, body, to=[to]).send()

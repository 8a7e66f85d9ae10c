"""Mails to supporters. Each task takes an id, looks the row up again and does nothing if the
row no longer needs the mail, so a retried task is harmless."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .models import RSVP


def _send(rsvp: RSVP, template: str, context: dict) -> None:
    with translation.override(rsvp.language):
        context = {"rsvp": rsvp, "action": rsvp.action, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"actions/mail/{template}_subject.txt", context).strip()
        body = render_to_string(f"actions/mail/{template}.txt", context)
    EmailMessage(subject, body, to=[rsvp.contact]).send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_manage_link(rsvp_id: int) -> None:
    from .services import manage_url, rotate_manage_token

    rsvp = RSVP.objects.select_related("action", "action__city").filter(pk=rsvp_id).first()
    if rsvp is None or not rsvp.contact or not rsvp.is_live:
        return
    # The token exists only in this mail: the database keeps its hash.
    token = rotate_manage_token(rsvp)
    _send(rsvp, "manage_link", {"manage_url": manage_url(token, rsvp.language)})


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_promotion_notice(rsvp_id: int) -> None:
    rsvp = RSVP.objects.select_related("action", "action__city").filter(pk=rsvp_id).first()
    if rsvp is None or not rsvp.contact or rsvp.status != RSVP.Status.GOING:
        return
    _send(rsvp, "promoted", {})


@shared_task
def erase_expired_personal_data() -> int:
    from .services import erase_expired_personal_data as erase

    return erase()

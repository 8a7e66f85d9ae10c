"""Mails to supporters. Each task takes an id, looks the row up again and does nothing if the
row no longer needs the mail, so a retried task is harmless."""

from celery import shared_task
from django.conf import settings

from streetwave.core.mail import absolute_url, send_mail

from .models import RSVP, Action, ActionChange, RelayMessage


def _send(rsvp: RSVP, template: str, context: dict) -> None:
    """One mail to one supporter, in their language. The only recipient is their own address
    and there is no Reply-To, so no mail shows anyone else's address."""
    action = rsvp.action
    send_mail(
        f"actions/mail/{template}",
        {
            "rsvp": rsvp,
            "action": action,
            "site_url": settings.SITE_URL,
            "action_url": absolute_url("actions:detail", action.public_id, language=rsvp.language),
            **context,
        },
        to=rsvp.contact,
        language=rsvp.language,
    )


def _live_rsvp_with_contact(rsvp_id: int, **action) -> RSVP | None:
    """The RSVP if it is still live, has a contact and its action matches `action` (field
    lookups on the action): a retried or late task finds nothing and sends nothing."""
    rsvp = (
        RSVP.objects.select_related("action", "action__city", "action__city__country")
        .filter(
            pk=rsvp_id,
            status__in=RSVP.LIVE,
            **{f"action__{name}": value for name, value in action.items()},
        )
        .first()
    )
    return rsvp if rsvp is not None and rsvp.contact else None


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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_change_notice(change_id: int, rsvp_id: int) -> None:
    """Tell one supporter that the time or place changed, with before and after."""
    change = ActionChange.objects.filter(pk=change_id, status=ActionChange.Status.APPLIED).first()
    if change is None:
        return
    # A change of an action cancelled since is not worth a mail: the cancellation notice says it.
    rsvp = _live_rsvp_with_contact(rsvp_id, id=change.action_id, status=Action.Status.PUBLISHED)
    if rsvp is None:
        return
    change.action = rsvp.action
    _send(rsvp, "changed", {"change": change})


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_cancellation_notice(rsvp_id: int) -> None:
    rsvp = _live_rsvp_with_contact(rsvp_id, status=Action.Status.CANCELLED)
    if rsvp is not None:
        _send(rsvp, "cancelled", {})


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_relay_copy(message_id: int, rsvp_id: int) -> None:
    """One supporter's copy of an organizers' message."""
    message = RelayMessage.objects.filter(pk=message_id, status=RelayMessage.Status.SENT).first()
    if message is None:
        return
    rsvp = _live_rsvp_with_contact(rsvp_id, id=message.action_id)
    if rsvp is not None:
        _send(rsvp, "relay", {"message": message})


@shared_task
def erase_expired_personal_data() -> int:
    from .services import erase_expired_personal_data as erase

    return erase()

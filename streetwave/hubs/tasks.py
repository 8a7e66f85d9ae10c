"""Mails about hubs, and their retention job.

Each mail task takes an id, looks the row up again and does nothing when the row no longer needs
the mail, so a retried task is harmless. The link token is made here and lives only in the mail:
the database keeps its hash, and a new mail replaces the link of the one before.

- `send_hub_verification`, after a hub is proposed: mails the applicant the confirmation link.
- `send_invitation`, after an invitation is made (the lead's too, on activation): mails the
  accept link.
- `erase_stale_hub_data`, hourly from beat: deletes expired proposals and invitations.
"""

from celery import shared_task

from streetwave.core.ids import hash_token, new_token
from streetwave.core.mail import absolute_url, send_mail

from .models import Hub, HubApplication, Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_hub_verification(application_id: int) -> None:
    application = (
        HubApplication.objects.select_related("hub", "hub__city").filter(pk=application_id).first()
    )
    if (
        application is None
        or application.verified_at is not None
        or application.is_expired()
        or application.hub.status != Hub.Status.PROPOSED
        or not application.email
    ):
        return
    token = new_token()
    HubApplication.objects.filter(pk=application.pk).update(token_hash=hash_token(token))
    send_mail(
        "hubs/mail/verify",
        {
            "hub": application.hub,
            "verify_url": absolute_url("hubs:verify", token, language=application.language),
            "expires_at": application.expires_at,
        },
        to=application.email,
        language=application.language,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("hub", "hub__city").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_open() or not invitation.email:
        return
    token = new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(token))
    send_mail(
        "hubs/mail/invitation",
        {
            "invitation": invitation,
            "hub": invitation.hub,
            # The accept page belongs to accounts: sign-up by invitation, second factor first.
            "accept_url": absolute_url("accounts:invitation", token, language=invitation.language),
        },
        to=invitation.email,
        language=invitation.language,
    )


@shared_task
def erase_stale_hub_data() -> dict[str, int]:
    from .services import erase_stale_hub_data as erase

    return erase()

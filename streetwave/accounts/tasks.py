"""Mails about an account. Tasks take ids and look the rows up again."""

from celery import shared_task
from django.conf import settings

from streetwave.core.mail import send_mail

from .models import UserSession


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sign_in_notice(session_id: int) -> None:
    """ "New sign-in to your account": sent even when that session has ended since, so that
    signing straight out again does not hide a sign-in from the owner. It holds no link: a
    mail that asks to sign in through a link is never ours, and users learn to expect that."""
    session = UserSession.objects.select_related("user").filter(pk=session_id).first()
    if session is None:
        return
    user = session.user
    send_mail(
        "account/email/new_sign_in",
        {"user": user, "session": session},
        to=user.email,
        language=user.language,
        subject_prefix=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX,
    )

"""How the outbox renders mails about an account ("account.sign_in")."""

from django.conf import settings

from streetwave.core.mail import render_mail
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import recipient_ids, renderer

from .models import UserSession


# Discreet by construction: it names a browser and a time, never a hub, place or person.
@renderer("account.sign_in", discreet=True)
def render_sign_in_notice(message, deliveries):
    """ "New sign-in to your account": sent even when that session has ended since, so that
    signing straight out again does not hide a sign-in from the owner. It holds no link: a
    mail that asks to sign in through a link is never ours, and users learn to expect that."""
    session = UserSession.objects.select_related("user").filter(pk=message.data["session"]).first()
    if session is None:
        return {}
    user = session.user
    return {
        pk: Envelope(
            to=user.email,
            mail=render_mail(
                "account/email/new_sign_in",
                {"user": user, "session": session},
                language=user.language,
                subject_prefix=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX,
            ),
        )
        for pk, user_id in recipient_ids(deliveries, "user").items()
        if user_id == user.pk and user.is_active
    }

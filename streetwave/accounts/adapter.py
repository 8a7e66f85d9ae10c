"""How allauth fits Streetwave: invitation-only sign-up, tracked sessions, mails in the
recipient's language without links or addresses, hashed client addresses, encrypted secrets."""

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.utils import timezone, translation

from streetwave.core import crypto
from streetwave.core.ratelimit import client_fingerprint

from . import services
from .devices import device_label
from .models import User
from .second_factor import PRIMARY_TYPES


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come only from invitations (accounts.views.public.invitation).
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # The rate limits count a keyed hash of the network, never the raw address.
        return client_fingerprint(request)

    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        services.start_session(request, user)

    def logout(self, request: HttpRequest) -> None:
        services.end_current_session(request, reason="signed_out")
        super().logout(request)

    def set_password(self, user, password: str) -> None:
        super().set_password(user, password)
        if self.request is not None:
            services.note_password_set(self.request, user)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = user.language if user is not None else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def send_notification_mail(
        self, template_prefix: str, user, context: dict | None = None, email: str | None = None
    ) -> None:
        # allauth's version puts the client's address in the mail; ours names the browser only.
        if not account_settings.EMAIL_NOTIFICATIONS:
            return
        email = email or EmailAddress.objects.get_primary_email(user) or user.email
        request = self.request
        mail_context = {
            "user": user,
            "timestamp": timezone.now(),
            "device": device_label(request.META.get("HTTP_USER_AGENT", "")) if request else "",
            **(context or {}),
        }
        self.send_mail(template_prefix, email, mail_context)


# What allauth passes through MFAAdapter.encrypt and keeps in Authenticator.data: the TOTP
# secret, the recovery-code seed, and recovery codes migrated from another MFA package. Registered
# in apps.py so that rotate_field_keys moves them to a new key with the contacts.
ENCRYPTED_MFA_DATA = crypto.EncryptedJSONKeys(
    "mfa.Authenticator", "data", ("secret", "seed", "migrated_codes")
)


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        # TOTP secrets and the recovery code seed are encrypted at rest like contacts are.
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_label(self, user) -> str:
        # What an authenticator app shows on a phone that may be seized: not the email address.
        return user.display_name or user.public_id

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """The last factor stays: without it, whoever learns the password could enrol their own."""
        if authenticator.type not in PRIMARY_TYPES:
            return True
        return (
            Authenticator.objects.filter(user_id=authenticator.user_id, type__in=PRIMARY_TYPES)
            .exclude(pk=authenticator.pk)
            .exists()
        )

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "streetwave.accounts"
    label = "accounts"

    def ready(self):
        # allauth announces added and removed factors only through its signals.
        from allauth.mfa import signals

        from . import receivers

        signals.authenticator_added.connect(receivers.authenticator_added)
        signals.authenticator_removed.connect(receivers.authenticator_removed)
        signals.authenticator_reset.connect(receivers.authenticator_reset)

        from streetwave.core import crypto

        from .adapter import ENCRYPTED_MFA_DATA

        crypto.register_encrypted_json(ENCRYPTED_MFA_DATA)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from streetwave.core import crypto


class AccountsConfig(AppConfig):
    name = "streetwave.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Imported here: these load models (allauth's, ours), which exist once the apps are ready.
        from allauth.mfa import signals

        from . import receivers
        from .adapter import ENCRYPTED_MFA_DATA

        # allauth announces added and removed factors only through its signals.
        signals.authenticator_added.connect(receivers.authenticator_added)
        signals.authenticator_removed.connect(receivers.authenticator_removed)
        signals.authenticator_reset.connect(receivers.authenticator_reset)

        crypto.register_encrypted_json(ENCRYPTED_MFA_DATA)

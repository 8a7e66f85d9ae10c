"""allauth's MFA signals, handed to the services (allauth offers no other hook for these)."""

from . import services


def authenticator_added(sender, request, user, authenticator, **kwargs):
    services.note_authenticator_added(request, authenticator)


def authenticator_removed(sender, request, user, authenticator, **kwargs):
    services.note_authenticator_removed(request, authenticator)


def authenticator_reset(sender, request, user, authenticator, **kwargs):
    services.note_recovery_codes_replaced(request, authenticator)

"""Key rotation as .env.example describes it (prepend a new key, run rotate_field_keys, drop the
old key) keeps every second factor that allauth stores encrypted with the field keys."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.core.management import call_command

from streetwave.core import crypto
from streetwave.core.management.commands import rotate_field_keys

from .conftest import sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

SESSIONS = "/en/accounts/sessions/"


@pytest.fixture
def old_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return settings.FIELD_ENCRYPTION_KEYS[0]


def run_rotation() -> list[str]:
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    return out.getvalue().splitlines()


def rotate_and_drop(settings, old_key) -> None:
    """Follow .env.example: a new key in front, the command, then the new key alone."""
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    run_rotation()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]


def test_totp_signs_in_after_the_old_key_is_dropped(
    client, settings, old_key, make_organizer, with_totp
):
    # given an organizer whose authenticator app was set up under the old key
    user = make_organizer()
    secret = with_totp(user)

    # when the keys are rotated and the old one dropped
    rotate_and_drop(settings, old_key)

    # then password and a code from the app still open organizer pages
    sign_in_with_password(client, user.email)
    second = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert second.status_code == 302
    assert client.get(SESSIONS).status_code == 200


def test_a_recovery_code_signs_in_after_the_old_key_is_dropped(
    client, settings, old_key, make_organizer, with_totp
):
    # given an organizer who wrote down their recovery codes under the old key
    user = make_organizer()
    with_totp(user)
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(recovery).get_unused_codes()[0]

    # when the keys are rotated and the old one dropped
    rotate_and_drop(settings, old_key)

    # then password and a recovery code still open organizer pages
    sign_in_with_password(client, user.email)
    second = client.post("/en/accounts/2fa/authenticate/", {"code": code})
    assert second.status_code == 302
    assert client.get(SESSIONS).status_code == 200


def test_codes_migrated_from_another_package_sign_in_after_the_old_key_is_dropped(
    client, settings, old_key, make_organizer, with_totp
):
    # given recovery codes that allauth keeps one by one, as a migration from another MFA
    # package leaves them, instead of a seed
    user = make_organizer()
    with_totp(user)
    Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).update(
        data={"migrated_codes": [crypto.encrypt("31415926")], "used_mask": 0}
    )

    # when the keys are rotated and the old one dropped
    rotate_and_drop(settings, old_key)

    # then such a code still opens organizer pages
    sign_in_with_password(client, user.email)
    second = client.post("/en/accounts/2fa/authenticate/", {"code": "31415926"})
    assert second.status_code == 302
    assert client.get(SESSIONS).status_code == 200


def test_a_second_run_finds_nothing_left_under_the_old_key(
    settings, old_key, make_organizer, with_totp, monkeypatch
):
    # given an authenticator app and recovery codes under the old key, a new key in front, and
    # batches of one row, so that the two rows take two batches
    with_totp(make_organizer())
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    monkeypatch.setattr(rotate_field_keys, "BATCH_SIZE", 1)

    # when the command runs twice
    first = run_rotation()
    second = run_rotation()

    # then the first run re-encrypts both factors beside the contacts, the second nothing
    mfa = "mfa.Authenticator (data: secret, seed, migrated_codes)"
    assert f"{mfa}: 2 of 2 rows re-encrypted" in first
    assert "actions.RSVP (contact): 0 of 0 rows re-encrypted" in first
    assert f"{mfa}: 0 of 2 rows re-encrypted" in second

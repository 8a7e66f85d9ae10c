"""Sign-in throttling without a lockout, and no answer that tells known accounts apart."""

import pytest
from django.core.cache import cache

from streetwave.core.ratelimit import pseudonymous_address

from .conftest import sign_in_with_password

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"


def errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def test_failed_sign_ins_are_throttled_the_same_for_known_and_unknown(client, make_organizer):
    known = make_organizer("known@example.org")

    answers = {}
    for email in (known.email, "nobody@example.org"):
        cache.clear()
        attempts = [sign_in_with_password(client, email, "wrong password") for _ in range(6)]
        answers[email] = [(response.status_code, errors(response)) for response in attempts]

    # the same statuses and messages, attempt by attempt, whether the account exists or not
    assert answers[known.email] == answers["nobody@example.org"]
    first, *_, last = answers[known.email]
    assert TOO_MANY not in " ".join(first[1])
    assert TOO_MANY in " ".join(last[1])


def test_the_throttle_holds_even_for_the_right_password_then_lifts(client, make_organizer):
    known = make_organizer()
    for _ in range(5):
        sign_in_with_password(client, known.email, "wrong password")

    blocked = sign_in_with_password(client, known.email)
    assert blocked.status_code == 200
    assert TOO_MANY in " ".join(errors(blocked))

    # no hard lockout: once the window has passed (here: the limit's cache entries expire)
    cache.clear()
    assert sign_in_with_password(client, known.email).status_code == 302


def test_password_reset_answers_the_same_and_mails_only_known(client, make_organizer, mailoutbox):
    known = make_organizer()

    for_known = client.post("/en/accounts/password/reset/", {"email": known.email})
    for_unknown = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})

    assert (for_known.status_code, for_known["Location"]) == (
        for_unknown.status_code,
        for_unknown["Location"],
    )
    assert [message.to for message in mailoutbox] == [[known.email]]


def test_sign_up_is_closed(client):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "new@example.org", "password1": "x" * 16, "password2": "x" * 16},
    )

    assert response.status_code == 200
    assert "by invitation" in response.content.decode()


def test_rate_limits_keep_no_raw_address(client, make_organizer, settings):
    # A local-memory cache whatever the run uses, so its keys can be read back.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    known = make_organizer()
    sign_in_with_password(
        client,
        known.email,
        "wrong password",
    )

    keys = " ".join(str(key) for key in cache._cache)
    assert "127.0.0.1" not in keys
    assert pseudonymous_address("127.0.0.1") in keys


def test_production_hashes_passwords_with_argon2():
    from django.conf import settings

    # The autouse fixture swaps the hasher for tests; the project's own setting is argon2.
    from streetwave import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.PASSWORD_HASHERS != project_settings.PASSWORD_HASHERS

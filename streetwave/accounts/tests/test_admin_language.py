"""The admin speaks the operator's language and reads right to left in Persian: the instance's
name in its titles, never the framework's, and translated names for its sections and models."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import timezone
from django.utils.functional import Promise

from streetwave.audit.models import AuditEntry
from streetwave.audit.services import record
from streetwave.core.i18n import format_date, format_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, login, client):
    user = make_user("operator@example.org", is_staff=True, is_superuser=True)
    login(client, user)
    return user


@pytest.mark.parametrize("path", ["", "audit/", "audit/auditentry/", "accounts/user/reason/"])
def test_the_persian_admin_reads_right_to_left_without_the_frameworks_name(client, staff, path):
    response = client.get(f"/fa/admin/{path}")

    assert response.status_code == 200
    assert b'<html lang="fa" dir="rtl">' in response.content
    assert b"Django" not in response.content


def test_the_admin_titles_name_the_instance(client, staff):
    response = client.get("/en/admin/")

    assert b"<title>Administration | Streetwave administration</title>" in response.content
    assert b"Streetwave administration" in response.content


def test_every_app_and_model_in_the_admin_has_a_translated_name():
    # A name that is a plain string stays English in every language.
    untranslated = []
    for model in admin.site._registry:
        opts = model._meta
        for what, name in [
            ("app", opts.app_config.verbose_name),
            ("model", opts.verbose_name),
            ("model, plural", opts.verbose_name_plural),
        ]:
            if not isinstance(name, Promise):
                untranslated.append(f"{opts.label} ({what}): {name!r}")

    assert untranslated == []


def test_every_app_of_ours_has_a_translated_name():
    # Its section in the admin, once a model of it is registered there.
    ours = [config for config in apps.get_app_configs() if config.name.startswith("streetwave.")]

    assert ours
    assert [c.label for c in ours if not isinstance(c.verbose_name, Promise)] == []


def test_the_admin_greets_staff_by_name_in_its_own_direction(client, make_user, login):
    login(client, make_user(is_staff=True, is_superuser=True, display_name="Sara Ahmadi"))

    response = client.get("/fa/admin/")

    assert b"<bdi>Sara Ahmadi</bdi>" in response.content


def test_a_password_is_changed_on_the_accounts_own_page(client, staff):
    # There, the change is recorded and the account's other sessions end.
    response = client.get("/fa/admin/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/fa/accounts/password/change/"
    assert b'href="/fa/accounts/password/change/"' in client.get("/fa/admin/").content


def test_the_persian_audit_log_reads_in_the_readers_calendar_and_digits(client, staff):
    # given one entry besides those the sign-in wrote
    entries = AuditEntry.objects.count() + 1
    entry = record("hub.vouched", actor=staff)

    response = client.get("/fa/admin/audit/auditentry/")

    # then its time reads in the Jalali calendar beside the Gregorian one, and the count of
    # entries in Persian digits
    day = format_date(timezone.localtime(entry.created_at), "fa")
    assert day.encode() in response.content
    assert "—" in day
    assert f"\n{format_number(entries, 'fa')} ".encode() in response.content


def test_an_account_reads_in_the_readers_calendar_and_digits(client, staff, make_user):
    # given an account that never signed in, and a reason given for the accounts' pages
    newcomer = make_user("newcomer@example.org")
    client.post(
        "/fa/admin/accounts/user/reason/",
        {"reason": "The lead of the Leipzig hub lost access to their account."},
    )

    response = client.get(f"/fa/admin/accounts/user/{newcomer.pk}/change/")

    # then the day it joined reads in the Jalali calendar, and "never" is an empty mark
    assert response.status_code == 200
    joined = format_date(timezone.localtime(newcomer.date_joined), "fa")
    assert joined.encode() in response.content
    assert b"None" not in response.content

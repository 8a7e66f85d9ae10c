"""The data map's own workings, on a map declared here (the apps' declarations are tested in
test_datamap_coverage.py and by each app)."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.accounts.models import User, UserSession
from streetwave.core import datamap


@pytest.fixture
def own_registry(monkeypatch):
    monkeypatch.setattr(datamap, "_registry", {})
    monkeypatch.setattr(datamap, "_loaded", True)


def _session(user, *, device="Firefox · Linux", days_old=0):
    seen = timezone.now() - dt.timedelta(days=days_old)
    return UserSession.objects.create(
        user=user, key_hash="h" * 64, device=device, last_seen_at=seen
    )


def _sessions_map(erase="blank"):
    return datamap.ModelMap(
        UserSession,
        fields=[
            datamap.Personal("device", "device", "its owner"),
            datamap.Personal("key_hash", "key", "nobody", exported=False),
        ],
        not_personal={"end_reason": "a choice"},
        lives="a day",
        expires=lambda now: UserSession.objects.filter(
            last_seen_at__lt=now - dt.timedelta(days=1)
        ).exclude(device=""),
        erase=erase,
        owners={"account": datamap.Owned("user")},
    )


def _users_map():
    return datamap.ModelMap(
        User,
        fields=[datamap.Personal("display_name", "name", "organizers")],
        erase="blank",
        owners={"account": datamap.Owned("pk")},
    )


def test_expire_blanks_only_rows_past_their_time(own_registry, make_user):
    # given an old and a fresh session, blanked when due
    datamap.register(_sessions_map())
    user = make_user()
    old, fresh = _session(user, days_old=3), _session(user)
    # when
    counts = datamap.expire(timezone.now())
    # then
    assert counts == {"accounts.UserSession": 1}
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.device, old.key_hash) == ("", "")
    assert fresh.device == "Firefox · Linux"
    assert datamap.expire(timezone.now()) == {}


def test_expire_deletes_rows_when_declared(own_registry, make_user):
    datamap.register(_sessions_map(erase="delete"))
    user = make_user()
    _session(user, days_old=3)
    fresh = _session(user)
    assert datamap.expire(timezone.now()) == {"accounts.UserSession": 1}
    assert list(UserSession.objects.all()) == [fresh]


def test_collect_gives_the_exported_fields_of_the_owners_rows_only(own_registry, make_user):
    datamap.register(_sessions_map(), _users_map())
    user, other = make_user(display_name="Ana"), make_user()
    _session(user)
    _session(other, device="Other · Device")
    sections = datamap.collect("account", user.pk)
    found = {section.model_map.label: section.rows for section in sections}
    assert found == {
        "accounts.User": [[("name", "Ana")]],
        "accounts.UserSession": [[("device", "Firefox · Linux")]],
    }


def test_erase_owned_erases_the_owners_rows_and_no_one_elses(own_registry, make_user):
    datamap.register(_sessions_map(erase="delete"), _users_map())
    user, other = make_user(display_name="Ana"), make_user(display_name="Bo")
    _session(user)
    kept = _session(other)
    counts = datamap.erase_owned("account", user.pk, now=timezone.now())
    assert counts == {"accounts.UserSession": 1, "accounts.User": 1}
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.display_name, other.display_name) == ("", "Bo")
    assert list(UserSession.objects.all()) == [kept]


def test_register_refuses_a_field_the_model_lacks(own_registry):
    from django.core.exceptions import FieldDoesNotExist

    with pytest.raises(FieldDoesNotExist):
        datamap.register(datamap.ModelMap(UserSession, fields=[datamap.Personal("nope", "x", "y")]))


def test_markdown_has_a_row_per_field(own_registry):
    datamap.register(_sessions_map())
    table = datamap.markdown()
    assert (
        "| `accounts.UserSession` | `device` | device | its owner | a day | field blanked |"
        in table
    )
    assert "| `accounts.UserSession` | `end_reason` | not personal: a choice | | | |" in table


def test_an_owner_of_some_fields_gets_and_loses_only_those(own_registry, make_user):
    # given sessions whose device alone is declared the account's (the hash is not exported)
    datamap.register(
        datamap.ModelMap(
            UserSession,
            fields=[
                datamap.Personal("device", "device", "its owner"),
                datamap.Personal("key_hash", "key", "nobody"),
            ],
            erase="delete",
            owners={"account": datamap.Owned("user", fields=("device",))},
        )
    )
    user = make_user()
    session = _session(user)
    # then the export holds the device only
    [section] = datamap.collect("account", user.pk)
    assert section.rows == [[("device", "Firefox · Linux")]]
    # and the erasure blanks it, keeping the row and its other fields
    assert datamap.erase_owned("account", user.pk, now=timezone.now()) == {
        "accounts.UserSession": 1
    }
    session.refresh_from_db()
    assert (session.device, session.key_hash) == ("", "h" * 64)


def test_a_field_kept_with_the_row_is_not_erased_by_retention(own_registry, make_user):
    datamap.register(
        datamap.ModelMap(
            UserSession,
            fields=[
                datamap.Personal("device", "device", "its owner", erased=False, lives="ever"),
                datamap.Personal("key_hash", "key", "nobody"),
            ],
            lives="a day",
            expires=lambda now: UserSession.objects.exclude(key_hash=""),
        )
    )
    session = _session(make_user())
    assert datamap.expire(timezone.now()) == {"accounts.UserSession": 1}
    session.refresh_from_db()
    assert (session.device, session.key_hash) == ("Firefox · Linux", "")
    assert "| `device` | device | its owner | ever | kept with the row |" in datamap.markdown()

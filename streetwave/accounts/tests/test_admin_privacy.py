"""Staff see people's data in the admin only for a reason they give, which the audit log keeps
(DESIGN.md, privacy rule 1)."""

import time
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.test import RequestFactory

from streetwave.accounts.admin_privacy import GRANT_SESSION_KEY, PersonalDataAdmin, has_grant
from streetwave.accounts.services import ReasonTooShort, open_personal_data
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import record
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.errors import NotAllowed

pytestmark = pytest.mark.django_db

USERS = "/en/admin/accounts/user/"
REASON = "/en/admin/accounts/user/reason/"
GOOD_REASON = "The lead of the Leipzig hub lost access to their account."


@pytest.fixture
def staff(make_user, login, client):
    user = make_user("operator@example.org", is_staff=True, is_superuser=True)
    login(client, user)
    return user


@pytest.fixture
def someone(make_user):
    return make_user("somebody.private@example.org", display_name="Private Name")


def opened_entries():
    return list(AuditEntry.objects.filter(verb="admin.personal_data_opened"))


# -- the pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", [USERS, "/en/admin/accounts/user/{pk}/change/", "/en/admin/accounts/user/{pk}/history/"]
)
def test_the_pages_of_accounts_ask_for_a_reason_first(client, staff, someone, page):
    # given a verified staff member who has given no reason
    path = page.format(pk=someone.pk)

    # when they open a page that shows accounts
    response = client.get(path)

    # then they are asked why, and nothing about anyone is shown
    assert response.status_code == 302
    assert response["Location"] == f"{REASON}?next={quote(path, safe='')}"
    assert opened_entries() == []


def test_the_reason_page_shows_a_form_and_no_one(client, staff, someone):
    response = client.get(REASON, {"next": USERS})

    assert response.status_code == 200
    assert b'name="reason"' in response.content
    assert someone.email.encode() not in response.content
    assert b"Private Name" not in response.content


def test_a_reason_is_recorded_and_opens_the_pages(client, staff, someone):
    # when the staff member gives a reason
    response = client.post(REASON, {"reason": f"  {GOOD_REASON} ", "next": USERS})

    # then it is in the audit log, with the model and under their account
    assert response.status_code == 302
    assert response["Location"] == USERS
    [entry] = opened_entries()
    assert entry.actor == staff
    assert entry.data == {"model": "accounts.user", "reason": GOOD_REASON}

    # and the pages of accounts open, without asking again
    listing = client.get(USERS)
    assert listing.status_code == 200
    assert someone.email.encode() in listing.content
    assert client.get(f"/en/admin/accounts/user/{someone.pk}/change/").status_code == 200
    assert len(opened_entries()) == 1


@pytest.mark.parametrize("reason", ["", "   ", "just looking"])
def test_no_reason_or_a_token_one_opens_nothing(client, staff, someone, reason):
    response = client.post(REASON, {"reason": reason, "next": USERS})

    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert opened_entries() == []
    assert client.get(USERS).status_code == 302


def test_the_short_reason_error_reads_in_persian_digits(client, staff):
    response = client.post("/fa/admin/accounts/user/reason/", {"reason": "نگاه"})

    assert response.status_code == 400
    assert "۱۵".encode() in response.content
    assert b'dir="rtl"' in response.content


def test_the_pages_close_again_after_a_while(client, staff):
    # given a reason given more than the while ago
    client.post(REASON, {"reason": GOOD_REASON, "next": USERS})
    session = client.session
    session[GRANT_SESSION_KEY] = {"accounts.user": time.time() - 1}
    session.save()

    # when the staff member opens the list, then they are asked again
    assert client.get(USERS)["Location"].startswith(REASON)


def test_a_reason_opens_one_model_only(client, staff):
    client.post(REASON, {"reason": GOOD_REASON, "next": USERS})
    request = RequestFactory().get("/")
    request.session = client.session

    assert has_grant(request, get_user_model())
    assert not has_grant(request, AuditEntry)


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_the_reason_page_sends_nowhere_else(client, staff, next_url):
    response = client.post(REASON, {"reason": GOOD_REASON, "next": next_url})

    assert response["Location"] == USERS


def test_staff_without_the_right_to_see_accounts_are_refused_without_a_form(
    client, make_user, login
):
    # given a staff member whose permissions name no account page
    clerk = make_user("clerk@example.org", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    login(client, clerk)

    # then the account pages and their reason page are refused, and nothing is recorded
    assert client.get(USERS).status_code == 403
    assert client.get(REASON).status_code == 403
    assert client.post(REASON, {"reason": GOOD_REASON}).status_code == 403
    assert opened_entries() == []


def test_a_search_from_another_page_finds_no_one_without_a_reason(client, staff, someone):
    # Autocomplete fields of other models search accounts through this admin.
    model_admin = admin.site._registry[get_user_model()]
    request = RequestFactory().get("/")
    request.user = staff
    request.session = client.session
    people = get_user_model().objects.all()

    found, _distinct = model_admin.get_search_results(request, people, "somebody")
    assert list(found) == []

    client.post(REASON, {"reason": GOOD_REASON})
    request.session = client.session
    found, _distinct = model_admin.get_search_results(request, people, "somebody")
    assert list(found) == [someone]


# -- the service ------------------------------------------------------------------------------


def test_open_personal_data_records_the_reason(make_user):
    staff = make_user(is_staff=True, is_superuser=True)

    entry = open_personal_data(get_user_model(), reason=GOOD_REASON, actor=staff)

    assert entry.verb == "admin.personal_data_opened"
    assert entry.actor == staff
    assert entry.data == {"model": "accounts.user", "reason": GOOD_REASON}


def test_open_personal_data_refuses_a_short_reason(make_user):
    staff = make_user(is_staff=True, is_superuser=True)

    with pytest.raises(ReasonTooShort):
        open_personal_data(get_user_model(), reason="because", actor=staff)
    assert opened_entries() == []


@pytest.mark.parametrize("extra", [{}, {"is_superuser": True}, {"is_staff": True}])
def test_open_personal_data_refuses_whoever_may_not_see_the_pages(make_user, extra):
    # An organizer, a superuser without staff status, staff without the model's permission.
    actor = make_user(**extra)

    with pytest.raises(NotAllowed):
        open_personal_data(get_user_model(), reason=GOOD_REASON, actor=actor)
    assert opened_entries() == []


# -- every admin that shows people ------------------------------------------------------------


def _points_at_a_person(field) -> bool:
    user_model = get_user_model()
    return isinstance(field, models.EmailField | EncryptedTextField) or (
        field.is_relation and field.related_model is user_model
    )


def _shown_fields(model, model_admin) -> set[str]:
    """The model's fields an admin shows: its list's columns and its form (all editable fields
    unless it names them)."""
    names = {name for name in model_admin.list_display if isinstance(name, str)}
    if model_admin.fields:
        names |= {name for name in model_admin.fields if isinstance(name, str)}
    else:
        names |= {
            field.name
            for field in model._meta.get_fields()
            if field.concrete and field.editable and field.name not in (model_admin.exclude or ())
        }
    names |= set(model_admin.readonly_fields) | set(model_admin.search_fields)
    return names


def admins_showing_people():
    """Every registered admin whose model is the account, or whose pages show an email address,
    an encrypted field or an account."""
    found = []
    for model, model_admin in admin.site._registry.items():
        fields = {
            field.name: field
            for field in model._meta.get_fields()
            if field.concrete or field.many_to_many
        }
        shown = [fields[name] for name in _shown_fields(model, model_admin) if name in fields]
        if model is get_user_model() or any(_points_at_a_person(field) for field in shown):
            found.append((model, model_admin))
    return found


def test_every_admin_that_shows_people_asks_for_a_reason():
    missing = [
        model._meta.label
        for model, model_admin in admins_showing_people()
        if not isinstance(model_admin, PersonalDataAdmin)
    ]

    assert missing == [], (
        f"admins that show personal fields without asking for a reason: {missing}; mix in "
        "streetwave.accounts.admin_privacy.PersonalDataAdmin"
    )


def test_the_check_finds_the_accounts_admin():
    # The check above would pass on an empty list: it must find the one admin known to show
    # people.
    assert get_user_model() in [model for model, _admin in admins_showing_people()]


def test_the_audit_log_names_actors_by_public_id_only(client, staff, someone):
    # given an entry written by an organizer
    entry = record("hub.vouched", actor=someone)

    # when staff read the log, without having given a reason
    listing = client.get("/en/admin/audit/auditentry/")
    detail = client.get(f"/en/admin/audit/auditentry/{entry.pk}/change/")

    # then the organizer appears by public id, never by address or name
    for response in (listing, detail):
        assert response.status_code == 200
        assert someone.public_id.encode() in response.content
        assert someone.email.encode() not in response.content
        assert b"Private Name" not in response.content


def test_the_admins_own_log_names_changed_accounts_by_public_id(client, staff, someone):
    # given a staff member who gave a reason and changed an account
    client.post(REASON, {"reason": GOOD_REASON})
    response = client.post(
        f"/en/admin/accounts/user/{someone.pk}/change/",
        {"display_name": "Renamed Person", "language": "de", "is_active": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == USERS

    # then Django's log of admin changes, and the index that lists it, name no one
    [entry] = LogEntry.objects.all()
    assert entry.object_repr == someone.public_id
    index = client.get("/en/admin/")
    assert someone.public_id.encode() in index.content
    assert someone.email.encode() not in index.content
    assert b"Renamed Person" not in index.content

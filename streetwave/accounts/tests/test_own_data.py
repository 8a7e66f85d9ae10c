"""An organizer downloads everything kept about their own account."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_an_organizer_downloads_their_accounts_data(client, make_user, login, hub, make_member):
    # Given an organizer of a hub, signed in
    user = make_user("nasrin@example.org", display_name="Nasrin")
    make_member(hub, user=user)
    login(client, user)

    # When they download their data
    response = client.get("/en/accounts/data/")

    # Then the file holds their account, their role and what the data map keeps about them
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="streetwave-account.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "nasrin@example.org"
    assert data["account"]["display_name"] == "Nasrin"
    assert data["hub_roles"] == [{"hub": hub.public_id, "hub_name": hub.name, "role": "organizer"}]
    personal = {section["model"]: section["rows"] for section in data["personal_data"]}
    assert set(personal["accounts.User"][0].values()) == {"nasrin@example.org", "Nasrin"}
    # (its sessions, this one included)
    assert personal["accounts.UserSession"]
    # and never a password hash
    assert "argon2" not in response.content.decode()
    assert user.password not in response.content.decode()


def test_nobody_else_is_in_the_file(client, make_user, login):
    user = make_user("me@example.org")
    make_user("someone.else@example.org", display_name="Someone else")
    login(client, user)

    body = client.get("/en/accounts/data/").content.decode()

    assert "someone.else@example.org" not in body and "Someone else" not in body


def test_the_sessions_page_links_to_it(client, make_user, login):
    login(client, make_user())

    assert 'href="/en/accounts/data/"' in client.get("/en/accounts/sessions/").content.decode()

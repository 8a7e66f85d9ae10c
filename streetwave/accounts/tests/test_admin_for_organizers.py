"""An organizer without staff status who opens the admin is told it is not for them, instead of
being sent round between the admin's sign-in and the account sign-in forever."""

import pytest

from .conftest import sign_in_with_password

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_signed_in_organizer_is_told_the_admin_is_for_operators(
    client, make_organizer, login, language
):
    # given an organizer signed in with their second factor, without staff status
    login(client, make_organizer())

    # when they open the admin and follow where it sends them
    response = client.get(f"/{language}/admin/", follow=True)

    # then they arrive, without a loop, at a refusal that leads to their own pages
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert response.redirect_chain[0][0].startswith(f"/{language}/admin/login/")
    assert response.templates[0].name == "403_admin.html"
    assert f'href="/{language}/manage/"'.encode() in response.content


def test_an_organizer_signed_in_with_the_password_only_is_told_the_same(client, make_organizer):
    # given an organizer who has not yet given the second factor
    sign_in_with_password(client, make_organizer().email)

    # when they open the admin, then the answer is the same refusal
    response = client.get("/en/admin/", follow=True)
    assert response.status_code == 403
    assert response.templates[0].name == "403_admin.html"


def test_anonymous_visitors_are_still_sent_to_sign_in(client):
    response = client.get("/en/admin/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/en/accounts/login/")


# The admin's index and pages below it, by path after "/<language>/admin/": a model's list, an
# object, the reason page, Django's own password pages, and a path that names nothing.
ADMIN_PATHS = [
    "",
    "accounts/user/",
    "accounts/user/1/change/",
    "accounts/user/reason/",
    "audit/auditentry/",
    "auth/",
    "password_change/",
    "nothing/here/",
]


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_every_admin_page_tells_an_organizer_it_is_for_operators(
    client, make_organizer, login, language, path
):
    # given an organizer signed in with their second factor, without staff status
    login(client, make_organizer())

    # when they open a page of the admin and follow where it sends them
    response = client.get(f"/{language}/admin/{path}", follow=True)

    # then one step takes them to the refusal, in their language, and no further
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 1
    assert response.templates[0].name == "403_admin.html"
    assert f'lang="{language}"'.encode() in response.content


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_every_admin_page_sends_anonymous_visitors_to_sign_in(client, path):
    response = client.get(f"/fa/admin/{path}", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/fa/accounts/login/")


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_every_admin_page_asks_staff_for_their_second_factor_first(client, make_organizer, path):
    # given a staff account signed in with its password only, with no second factor yet
    staff = make_organizer(is_staff=True, is_superuser=True)
    sign_in_with_password(client, staff.email, language="fa")

    # when it opens a page of the admin, then it is sent to set up its second factor
    response = client.get(f"/fa/admin/{path}", follow=True)

    assert response.redirect_chain[-1][0] == "/fa/accounts/2fa/"


def test_an_operator_without_staff_status_is_sent_to_their_organizer_pages(
    client, make_organizer, login
):
    # Operators run the instance from the organizer pages: staff status is a separate thing.
    login(client, make_organizer(is_operator=True))

    response = client.get("/fa/admin/", follow=True)

    assert response.status_code == 403
    assert response.templates[0].name == "403_admin.html"
    assert b'href="/fa/manage/"' in response.content

"""The sessions page tells a Persian reader how many sessions ended in Persian digits."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_signing_out_elsewhere_counts_in_persian_digits(make_user, login):
    # Given one account signed in on three browsers
    user = make_user()
    laptop = login(Client(), user)
    login(Client(), user)
    login(Client(), user)
    # When the laptop signs out everywhere else, on the Persian page
    page = laptop.post("/fa/accounts/sessions/", follow=True)
    # Then the message counts the two other sessions in a Persian digit
    html = page.content.decode()
    assert "۲ نشست دیگر بسته شد." in html
    assert "2 نشست" not in html

"""The error pages speak the visitor's language, in its direction, and fit a phone."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("fa", "rtl")])
def test_the_500_page_is_in_the_language_and_direction_of_the_request(language, direction):
    # given a request whose view failed, in English or in Persian
    request = RequestFactory().get(f"/{language}/")

    # when Django answers with the 500 page
    with translation.override(language):
        response = server_error(request)

    # then the page says its language and direction, and scales to a phone
    body = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}" dir="{direction}">' in body
    assert 'name="viewport"' in body

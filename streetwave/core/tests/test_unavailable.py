"""A database that does not answer gets a 503 with Retry-After in the reader's language; any
other failure stays a 500. Against a real PostgreSQL restart: bench/test_drills.py."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

from streetwave.core.errors import UNAVAILABLE_RETRY_AFTER
from streetwave.core.views.errors import server_error


def fail_with(error: Exception, language: str):
    request = RequestFactory().get(f"/{language}/")
    with translation.override(language):
        try:
            raise error
        except Exception:  # Django calls the handler inside its own except block
            return server_error(request)


@pytest.mark.parametrize("error", [OperationalError("refused"), InterfaceError("closed")])
def test_a_database_that_does_not_answer_is_a_503_with_retry_after(error):
    response = fail_with(error, "fa")

    assert response.status_code == 503
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER)
    body = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in body


def test_any_other_failure_is_a_500():
    response = fail_with(ValueError("a bug"), "en")

    assert response.status_code == 500
    assert not response.has_header("Retry-After")


def test_the_project_answers_its_failures_with_it():
    assert get_resolver().resolve_error_handler(500) is server_error


def test_the_api_answers_the_same_in_its_envelope(client, monkeypatch):
    def refused(slug):
        raise OperationalError("connection refused")

    monkeypatch.setattr("streetwave.api.v1.campaigns.get_public_tally", refused)

    response = client.get("/api/v1/campaigns/any/tally", HTTP_ACCEPT_LANGUAGE="fa")

    assert response.status_code == 503
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER)
    assert response.json()["error"]["code"] == "unavailable"

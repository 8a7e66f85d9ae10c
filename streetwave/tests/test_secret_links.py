"""Secret links: every URL whose route takes a `token` (RSVP manage links, invitations, hub
verification, the news links in mails). Whoever holds one sees what only its owner may see, so
no cache keeps what it answers. The list is read from the URLconf: a new secret link is covered
here without a row to add."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

# A token nobody was ever given: enough to reach each view, which answers it with a 404.
SAMPLE_TOKEN = "Sample-token_Rj0Qm3v7yWl2NcKx8sTq5ZbHdFu1GeAo9iPa4XnCk"


def secret_link_names() -> list[str]:
    """The namespaced names of every URL pattern whose route takes a `token`."""
    found: list[str] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, inner)
            elif isinstance(entry, URLPattern) and "token" in entry.pattern.converters:
                found.append(f"{namespace}:{entry.name}" if namespace else str(entry.name))

    walk(get_resolver(), "")
    return found


SECRET_LINKS = secret_link_names()


def secret_path(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, kwargs={"token": SAMPLE_TOKEN})


def test_the_secret_links_are_found():
    assert set(SECRET_LINKS) >= {
        "actions:manage",
        "hubs:verify",
        "accounts:invitation",
        "broadcasts:unsubscribe",
        "broadcasts:confirm_news",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", SECRET_LINKS)
def test_no_cache_keeps_what_a_secret_link_answers(client, name, method):
    # given a secret link
    path = secret_path(name)

    # when it is opened or its form sent
    response = getattr(client, method)(path)

    # then whatever it answers (here a 404) is kept by no cache and no browser history
    assert response.status_code == 404
    assert "no-store" in response.get("Cache-Control", "")

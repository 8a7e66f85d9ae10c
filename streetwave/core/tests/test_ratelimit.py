from django.core.cache import cache
from django.test import RequestFactory

from streetwave.core.ratelimit import allow, client_fingerprint


def request_from(address, **meta):
    return RequestFactory().post("/", REMOTE_ADDR=address, **meta)


def test_a_client_is_limited_per_window_and_others_are_not():
    cache.clear()
    first = request_from("198.51.100.7")
    assert all(allow("test", first, limit=3) for _ in range(3))
    assert not allow("test", first, limit=3)
    assert allow("test", request_from("198.51.100.8"), limit=3)
    assert allow("other-scope", first, limit=3)


def test_the_fingerprint_never_contains_the_address(settings):
    fingerprint = client_fingerprint(request_from("203.0.113.45"))
    assert "203.0.113" not in fingerprint and len(fingerprint) == 32


def test_a_trusted_proxy_header_names_the_client(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxied = request_from("10.0.0.1", HTTP_X_REAL_IP="198.51.100.9")
    assert client_fingerprint(proxied) == client_fingerprint(request_from("198.51.100.9"))

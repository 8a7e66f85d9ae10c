from django.test import RequestFactory

from streetwave.core.ratelimit import allow, client_fingerprint, pseudonymous_address


def request_from(address, **meta):
    return RequestFactory().post("/", REMOTE_ADDR=address, **meta)


def test_a_client_is_limited_per_window_and_others_are_not():
    first = request_from("198.51.100.7")
    assert all(allow("test", first, limit=3) for _ in range(3))
    assert not allow("test", first, limit=3)
    assert allow("test", request_from("198.51.100.8"), limit=3)
    assert allow("other-scope", first, limit=3)


def test_the_fingerprint_never_contains_the_address():
    fingerprint = client_fingerprint(request_from("203.0.113.45"))
    assert "203.0.113" not in fingerprint and len(fingerprint) == 37


def test_ipv6_clients_count_per_network():
    assert pseudonymous_address("2001:db8::1") == pseudonymous_address("2001:db8::2")
    assert pseudonymous_address("2001:db8::1") != pseudonymous_address("2001:db9::1")


def test_behind_a_trusted_proxy_the_forwarded_client_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # A client may forge entries on the left; only the one the proxy appended is trusted.
    proxied = request_from("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    assert client_fingerprint(proxied) == client_fingerprint(request_from("198.51.100.9"))

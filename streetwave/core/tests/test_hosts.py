"""The onion service beside the clear-web name (docs/deploy.md, "Onion service"): which name a
request came by, and the onion's exceptions to the clear-web name's security settings."""

import json

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory, override_settings

from streetwave.core.hosts import is_onion, site_url
from streetwave.core.middleware import OnionMiddleware
from streetwave.core.ratelimit import pseudonymous_address

from .test_settings import PRODUCTION_ENV, run_python

CLEAR = "streetwave.example.org"
ONION = "streetwavexyz2b4c6d3e5f7g2h4i6j3k5l7m2n4o6p3q5r7s2t4u6vw.onion"
# What settings.py makes of the production environment with an onion (see the last tests).
PRODUCTION = override_settings(
    SITE_URL=f"https://{CLEAR}",
    ONION_HOST=ONION,
    ONION_SITE_URL=f"http://{ONION}",
    ONION_LOCATION=False,
    ALLOWED_HOSTS=[CLEAR, ONION],
    SECURE_SSL_REDIRECT=False,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)


def _answer(request):
    response = HttpResponse("<p>page</p>", content_type="text/html; charset=utf-8")
    response.set_cookie("csrftoken", "x", secure=True, httponly=False, samesite="Lax")
    return response


def _through_middleware(host: str, *, secure: bool, path: str = "/en/c/streets/", **headers):
    """As settings.MIDDLEWARE orders them: the onion's middleware around Django's."""
    request = RequestFactory().get(path, HTTP_HOST=host, secure=secure, **headers)
    return OnionMiddleware(_django_security)(request)


def _django_security(request: HttpRequest) -> HttpResponseBase:
    response = SecurityMiddleware(_answer)(request)
    assert isinstance(response, HttpResponseBase)
    return response


@PRODUCTION
def test_the_clear_web_name_sends_hsts_and_secure_cookies():
    secure = _through_middleware(CLEAR, secure=True)

    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secure.cookies["csrftoken"]["secure"] is True


@PRODUCTION
def test_the_onion_is_served_over_http_without_hsts_or_secure_cookies():
    response = _through_middleware(ONION, secure=False)

    assert response.status_code == 200
    assert not response.has_header("Strict-Transport-Security")
    assert not response.cookies["csrftoken"]["secure"]
    assert not response.has_header("Onion-Location")


@PRODUCTION
def test_no_hsts_on_the_onion_even_when_a_proxy_says_https():
    response = _through_middleware(ONION, secure=False, HTTP_X_FORWARDED_PROTO="https")

    assert not response.has_header("Strict-Transport-Security")
    assert not response.cookies["csrftoken"]["secure"]


@PRODUCTION
@override_settings(ONION_LOCATION=True)
def test_onion_location_on_clear_web_pages_when_the_operator_allows_it():
    page = _through_middleware(CLEAR, secure=True, path="/fa/c/streets/?q=Berlin")

    assert page["Onion-Location"] == f"http://{ONION}/fa/c/streets/?q=Berlin"


@PRODUCTION
def test_site_url_is_the_name_the_request_came_by():
    factory = RequestFactory()
    onion = factory.get("/", HTTP_HOST=ONION)
    clear = factory.get("/", HTTP_HOST=CLEAR, secure=True)
    stranger = factory.get("/", HTTP_HOST="attacker.example")

    assert (is_onion(onion), site_url(onion)) == (True, f"http://{ONION}")
    assert (is_onion(clear), site_url(clear)) == (False, f"https://{CLEAR}")
    assert is_onion(stranger) is False


@override_settings(ONION_HOST="", ONION_SITE_URL="", SITE_URL=f"https://{CLEAR}")
def test_without_an_onion_every_request_is_on_the_clear_web_name():
    request = RequestFactory().get("/", HTTP_HOST=CLEAR, secure=True)

    assert (is_onion(request), site_url(request)) == (False, f"https://{CLEAR}")


SHOW_ONION = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.ONION_SITE_URL, "
    "s.ONION_LOCATION, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS]))"
)


def test_the_onion_host_joins_the_allowed_hosts_but_not_the_trusted_origins(tmp_path):
    result = run_python(
        SHOW_ONION,
        {
            **PRODUCTION_ENV,
            "STREETWAVE_VAR_DIR": str(tmp_path),
            "CSRF_TRUSTED_ORIGINS": f"https://{CLEAR}",
            "STREETWAVE_ONION_HOST": ONION.upper(),
            "STREETWAVE_ONION_LOCATION": "1",
        },
    )

    assert json.loads(result.stdout) == [
        [CLEAR, ONION],
        [f"https://{CLEAR}"],
        f"http://{ONION}",
        True,
        # The clear-web proxy redirects to HTTPS (deploy/nginx.conf); the app cannot tell the
        # onion's plain HTTP from a clear-web request that should be redirected.
        False,
        31536000,
    ]


@pytest.mark.parametrize("host", ["streetwave.example.org", "short.onion", ONION + ".example"])
def test_an_onion_host_that_is_none_refuses_to_start(tmp_path, host):
    result = run_python(
        SHOW_ONION,
        {**PRODUCTION_ENV, "STREETWAVE_VAR_DIR": str(tmp_path), "STREETWAVE_ONION_HOST": host},
    )

    assert result.returncode != 0
    assert "STREETWAVE_ONION_HOST must be an onion service" in result.stderr


def test_each_tor_circuit_is_a_client_of_its_own():
    """Through the onion every visitor reaches nginx from Tor; deploy/torrc.example has Tor
    name each circuit by an address of fc00:dead:beef:4dad::/64, which rate limits must not
    take for one household as they do other IPv6 /64s."""
    circuit, other_circuit = "fc00:dead:beef:4dad::0:1a2b", "fc00:dead:beef:4dad::0:1a2c"
    home, same_home = "2001:db8:1:2::10", "2001:db8:1:2::20"

    assert pseudonymous_address(circuit) != pseudonymous_address(other_circuit)
    assert pseudonymous_address(home) == pseudonymous_address(same_home)

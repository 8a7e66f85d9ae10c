import re

import pytest

LANGUAGES = [("fa", "rtl"), ("en", "ltr"), ("fr", "ltr"), ("de", "ltr"), ("nl", "ltr")]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), LANGUAGES)
def test_pages_carry_lang_and_dir_of_the_active_language(client, language, direction):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


@pytest.mark.django_db
def test_root_redirects_by_accept_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fa-IR,fa;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/fa/"


@pytest.mark.django_db
def test_language_switcher_links_to_the_same_page_in_each_language(client):
    html = client.get("/en/about/").content.decode()
    for code in ("fa", "en", "fr", "de", "nl"):
        assert f'href="/{code}/about/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/fa/about/", "/healthz", "/en/no-such-page/"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert not re.search(r"https?://", csp)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_have_no_inline_script_and_no_third_party_origin(client):
    html = client.get("/fa/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r'(src|href)="https?://', html)


@pytest.mark.django_db
def test_missing_page_is_a_translated_404(client):
    response = client.get("/fa/no-such-page/")
    assert response.status_code == 404
    assert 'dir="rtl"' in response.content.decode()

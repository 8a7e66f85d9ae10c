"""A page as one self-contained file (core.selfcontained): opened from disk it asks nothing of
any host, and its links lead back to the instance it was saved from."""

import base64
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import translation

from streetwave.core.selfcontained import SAVED_POLICY, inline_css, save_page, self_contained
from streetwave.tests.origins import host_of, read

FAVICON = Path(__file__).resolve().parents[2] / "static" / "favicon.svg"
SITE = "https://streetwave.example.org"
PAGE = f"{SITE}/fa/c/streets/inside/"

PAGE_HTML = """<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5; url=https://elsewhere.example/">
<title>داخل: خیابان برای آزادی · Streetwave</title>
<link rel="stylesheet" href="/static/css/site.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="preload" href="https://cdn.example/font.woff2">
<script src="/static/js/live.js"></script>
<style>@import url("https://fonts.example/css"); .x { background: url(/static/favicon.svg) }</style>
</head><body>
<a class="skip" href="#main">پرش</a>
<nav><a href="/en/c/streets/inside/" hreflang="en">English</a>
<a href="javascript:alert(1)">x</a></nav>
<main id="main"><h1>داخل &amp; بیرون &lt;b&gt;</h1>
<form method="post" action="/fa/c/streets/inside/">
<input name="csrfmiddlewaretoken" value="SECRET-TOKEN"><button>پیوستم</button></form>
<img src="/static/favicon.svg" srcset="/static/favicon.svg 2x" alt="نشان">
<img src="/fa/photos/abc.jpg" alt="عکس گزارش">
<img src="https://tracker.example/p.gif" alt="">
<iframe src="https://elsewhere.example/"></iframe><script src="/static/js/geo.js"/>
<video poster="/static/favicon.svg" src="https://elsewhere.example/v.mp4"></video>
<svg><image href="https://elsewhere.example/i.png"/><use xlink:href="/static/x.svg#a"/></svg>
<p style="background: url('https://elsewhere.example/bg.png')" onclick="steal()">متن</p>
<noscript><p>بدون اسکریپت</p></noscript>
<!-- a comment naming https://elsewhere.example/ -->
</main><script>document.write("x")</script></body></html>"""


def _saved() -> tuple[str, str]:
    with translation.override("fa"):
        notice = render_to_string("core/saved_notice.html", {"page_url": PAGE, "saved_at": None})
    return self_contained(PAGE_HTML, page_url=PAGE, notice=notice)


def test_the_saved_file_loads_nothing_and_runs_nothing():
    html, _title = _saved()
    found = read(html)

    assert found.scripts == 0
    assert found.refreshes == []
    assert [address for address in found.loads if not address.startswith("data:")] == []
    assert "<form" not in html and "<iframe" not in html and "<button" not in html
    assert "@import" not in html
    assert "SECRET-TOKEN" not in html
    assert "onclick" not in html
    assert f'<meta http-equiv="Content-Security-Policy" content="{SAVED_POLICY}">' in html
    assert "elsewhere.example" not in html and "tracker.example" not in html


def test_the_saved_file_keeps_its_looks_inline():
    html, _title = _saved()

    # The stylesheet's rules, and its Persian font as data (no request for it either).
    assert "--accent: #b3261e" in html
    assert html.count("data:font/woff2;base64,") == 2
    favicon = base64.b64encode(FAVICON.read_bytes()).decode()
    assert f"data:image/svg+xml;base64,{favicon}" in html
    assert '<img src="data:image/svg+xml;base64,' in html and 'alt="نشان"' in html
    # A photo is no static file: its words stand in for it.
    assert "<span>عکس گزارش</span>" in html
    assert "<p>بدون اسکریپت</p>" in html
    assert "داخل &amp; بیرون &lt;b&gt;" in html


def test_links_lead_back_to_the_instance():
    html, title = _saved()
    found = read(html)

    assert f'href="{SITE}/en/c/streets/inside/"' in html
    assert 'href="#main"' in html
    assert 'href="#"' in html  # the javascript: link goes nowhere
    assert {host_of(link) for link in found.links} <= {None, "streetwave.example.org"}
    assert f'<a href="{PAGE}" dir="ltr">' in html
    assert title == "داخل: خیابان برای آزادی · Streetwave"


def test_css_urls_of_other_hosts_become_none():
    css = "a { background: url(https://elsewhere.example/x.png) } b { background: url(#f) }"

    assert inline_css(css, css_url=f"{SITE}/static/css/site.css") == (
        "a { background: none } b { background: url(#f) }"
    )


def _page_view(request, slug):
    if slug != "streets":
        raise Http404
    who = "anonymous" if isinstance(request.user, AnonymousUser) else "signed in"
    return HttpResponse(
        f"<!doctype html><html><head><title>Inside: {slug}</title></head>"
        f'<body><p>{who} at {request.path}</p><a href="save/">save</a></body></html>',
        content_type="text/html; charset=utf-8",
    )


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["streetwave.example.org"])
def test_save_page_answers_the_page_as_anyone_sees_it_to_download():
    request = RequestFactory().get(
        "/fa/c/streets/inside/save/", HTTP_HOST="streetwave.example.org", secure=True
    )
    request.user = object()  # a signed-in reader
    with translation.override("fa"):
        response = save_page(_page_view)(request, slug="streets")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="inside-streets.html"'
    assert response["Content-Security-Policy"] == SAVED_POLICY
    assert "no-store" in response["Cache-Control"]
    assert "anonymous at /fa/c/streets/inside/" in body
    assert f'href="{SITE}/fa/c/streets/inside/save/"' in body
    assert 'class="notice saved-copy"' in body


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["streetwave.example.org"])
def test_save_page_names_the_file_in_the_pages_language():
    def persian(request):
        return HttpResponse(
            "<html><head><title>داخل: خیابان‌ها · Streetwave</title></head><body></body></html>",
            content_type="text/html; charset=utf-8",
        )

    request = RequestFactory().get("/fa/c/x/inside/save/", HTTP_HOST="streetwave.example.org")
    response = save_page(persian)(request)

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        "%D8%AF%D8%A7%D8%AE%D9%84-%D8%AE%DB%8C%D8%A7%D8%A8%D8%A7%D9%86%D9%87%D8%A7-streetwave.html"
    )


def test_save_page_passes_on_what_is_no_page():
    request = RequestFactory().get("/fa/c/other/inside/save/")
    request.user = AnonymousUser()

    with pytest.raises(Http404):
        save_page(_page_view)(request, slug="other")
    assert save_page(_page_view)(RequestFactory().post("/x/save/")).status_code == 405

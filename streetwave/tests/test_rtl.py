"""Right-to-left where Django's own templates render: the admin."""

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def test_the_admin_renders_right_to_left_with_its_rtl_styles_in_persian():
    request = RequestFactory().get("/fa/admin/login/")
    with translation.override("fa"):
        html = render_to_string("admin/login.html", {"site_header": "Streetwave"}, request)

    assert 'dir="rtl"' in html
    assert "admin/css/rtl.css" in html


def test_the_admin_stays_left_to_right_in_english():
    request = RequestFactory().get("/en/admin/login/")
    with translation.override("en"):
        html = render_to_string("admin/login.html", {"site_header": "Streetwave"}, request)

    assert 'dir="ltr"' in html and "admin/css/rtl.css" not in html

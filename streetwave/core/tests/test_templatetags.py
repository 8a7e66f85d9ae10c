"""The template filters and tags that write numbers, lists and place lines for the reader."""

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source, language, **context):
    with translation.override(language):
        return Template("{% load streetwave %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "12,345"), ("de", "12.345"), ("fr", "12\xa0345"), ("nl", "12.345"), ("fa", "۱۲٬۳۴۵")],
)
def test_digits_groups_a_count_as_the_reader_expects(language, expected):
    # Given a count of 12345 people
    # When a template shows it through |digits
    # Then it is grouped by thousands in the reader's way, in their digits
    assert render("{{ n|digits }}", language, n=12345) == expected


def test_digits_writes_a_distance_with_the_persian_decimal_separator():
    # Given a distance that floatformat already wrote out as "0.5"
    # Then Persian shows the momayyez between its digits, not a Latin point
    assert render("{{ km|floatformat:1|digits }}", "fa", km=0.46) == "۰٫۵"
    assert render("{{ km|floatformat:1|digits }}", "de", km=0.46) == "0,5"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Alexanderplatz, Berlin, Germany"),
        ("de", "Alexanderplatz, Berlin, Germany"),
        ("fr", "Alexanderplatz, Berlin, Germany"),
        ("fa", "Alexanderplatz، Berlin، Germany"),
    ],
)
def test_place_line_joins_place_city_and_country_with_the_readers_comma(language, expected):
    line = render("{% place_line a b c %}", language, a="Alexanderplatz", b="Berlin", c="Germany")
    assert line == expected


def test_place_line_isolates_each_part_and_escapes_it():
    # Given a Latin place typed by an organizer, with markup in it, on a Persian page
    html = render("{% place_line a b isolate=True %}", "fa", a="<b>Tor</b>", b="برلین")
    # Then each part stands in its own <bdi>, escaped, joined by the Persian comma
    assert html == "<bdi>&lt;b&gt;Tor&lt;/b&gt;</bdi>، <bdi>برلین</bdi>"


def test_join_words_lists_languages_with_the_readers_comma():
    names = ["فارسی", "آلمانی & more"]
    assert render("{{ names|join_words }}", "fa", names=names) == "فارسی، آلمانی &amp; more"
    assert render("{{ names|join_words }}", "en", names=["Persian", "German"]) == "Persian, German"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "57%"), ("nl", "57%"), ("de", "57\xa0%"), ("fr", "57\u202f%"), ("fa", "۵۷٪")],
)
def test_percent_uses_the_readers_digits_and_sign(language, expected):
    # Given a campaign at 57% of its goal
    # Then each reader gets their own percent sign, Persian its own digits and sign
    assert render("{{ share|percent }}", language, share=57) == expected

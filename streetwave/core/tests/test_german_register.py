"""German speaks with «Sie» on every page, as our own strings do (docs/i18n.md, "Words"), also
where allauth's German catalog says «du» («Bitte gib dein aktuelles Passwort ein»)."""

import re

import polib
import pytest

from .test_persian_wording import LOCALE_DIR, THEIR_CATALOGS, seen_by_readers, texts

# «du», «dich», «dir», «dein…» and the imperatives allauth's German uses with them.
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein\w*|gib|bestätige|erstelle|lass|habe Geduld|klick auf)\b", re.I
)


def informal_words(text):
    return INFORMAL.findall(text)


def test_the_rule_hears_the_informal_address():
    assert informal_words("Bitte gib dein aktuelles Passwort ein.") == ["gib", "dein"]
    assert informal_words("Bitte geben Sie Ihr aktuelles Passwort ein.") == []


def test_our_german_catalog_says_sie():
    po = polib.pofile(str(LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"))
    informal = {
        entry.msgid: words
        for entry in po
        if not entry.obsolete
        for text in texts(entry)
        if (words := informal_words(text))
    }
    assert informal == {}


@pytest.mark.parametrize("catalog", ["allauth"])
def test_allauth_says_sie_on_our_pages(catalog):
    # Given allauth's messages that can reach our pages, as a German reader gets them
    po = polib.pofile(str(THEIR_CATALOGS[catalog]).replace("/fa/", "/de/"))
    informal = {
        entry.msgid: words
        for entry in po
        if not entry.obsolete and entry.msgid
        for text in seen_by_readers(entry, "de")
        if (words := informal_words(text))
    }
    # Then none of them says «du»
    assert informal == {}

"""The translation catalogs are complete, consistent with their sources, and compiled.

These tests fail whenever a source string is added or changed and the catalogs have not been
brought up to date: run `make messages`, translate what is new, and commit the .po and .mo files
(the compiled files are committed so that a machine without gettext still serves translations).
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "streetwave" / "locale"
LANGUAGES = ["fa", "fr", "de", "nl"]
DOMAINS = ["django", "djangojs"]

# printf-style placeholders as Python's % operator reads them: %(name)s, %s, %d, %(n)02d, %.1f.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text):
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def catalog_paths():
    """Every .po of our languages: django.po must exist; djangojs.po is checked if present."""
    paths = []
    for lang in LANGUAGES:
        for domain in DOMAINS:
            po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
            if domain == "django" or po.exists():
                paths.append(po)
    return paths


def live_entries(po):
    return [e for e in po if not e.obsolete]


def nplurals(po):
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "the catalog header has no valid Plural-Forms"
    return int(match.group(1))


def label(e):
    return f"{e.msgctxt}|{e.msgid}" if e.msgctxt else e.msgid


def forms(e):
    """(source, translation) pairs of an entry, one per form."""
    if not e.msgid_plural:
        return [(e.msgid, e.msgstr)]
    return [(e.msgid if i == 0 else e.msgid_plural, s) for i, s in sorted(e.msgstr_plural.items())]


@pytest.fixture(params=catalog_paths(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def catalog(request):
    path = request.param
    assert path.exists(), f"missing catalog {path}: run make messages"
    return path, polib.pofile(str(path))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_exists_with_valid_header(lang):
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing catalog {path}: run make messages"
    po = polib.pofile(str(path))
    assert po.metadata.get("Language") == lang
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert nplurals(po) >= 1
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert live_entries(po), "the catalog is empty"


def test_no_untranslated_entry(catalog):
    path, po = catalog
    missing = [label(e) for e in live_entries(po) if not e.translated() and "fuzzy" not in e.flags]
    assert not missing, f"{path}: {len(missing)} untranslated: {missing[:20]}"


def test_no_fuzzy_entry(catalog):
    path, po = catalog
    fuzzy = [label(e) for e in live_entries(po) if "fuzzy" in e.flags]
    assert not fuzzy, f"{path}: {len(fuzzy)} fuzzy (check them, then drop the flag): {fuzzy[:20]}"


def test_plural_entries_fill_every_form(catalog):
    path, po = catalog
    n = nplurals(po)
    bad = [
        label(e)
        for e in live_entries(po)
        if e.msgid_plural
        and (sorted(e.msgstr_plural) != list(range(n)) or not all(e.msgstr_plural.values()))
    ]
    assert not bad, f"{path}: plural entries without all {n} forms: {bad}"


def test_placeholders_match_the_source(catalog):
    path, po = catalog
    wrong = []
    for e in live_entries(po):
        # Every form of a plural entry carries the placeholders of msgid and msgid_plural.
        expected = set(placeholders(e.msgid) + placeholders(e.msgid_plural or ""))
        for _, text in forms(e):
            if text and set(placeholders(text)) != expected:
                wrong.append((label(e), sorted(expected), placeholders(text)))
    assert not wrong, f"{path}: placeholders differ from the source: {wrong}"


def test_compiled_catalog_matches_the_source(catalog):
    path, po = catalog
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"missing {mo_path}: run compilemessages and commit the .mo"
    mo = polib.mofile(str(mo_path))

    def table(cat):
        out = {}
        for e in cat:
            if e.obsolete or not e.msgid or "fuzzy" in e.flags:
                continue
            key = (e.msgctxt, e.msgid, e.msgid_plural or None)
            if e.msgid_plural:
                out[key] = tuple(v for _, v in sorted(e.msgstr_plural.items()))
            elif e.msgstr:
                out[key] = e.msgstr
        return out

    po_table, mo_table = table(po), table(mo)
    stale = sorted(str(k) for k in po_table.keys() ^ mo_table.keys())
    stale += sorted(str(k) for k in po_table.keys() & mo_table.keys() if po_table[k] != mo_table[k])
    assert not stale, f"{mo_path} is out of date with the .po (run compilemessages): {stale[:20]}"


def test_persian_uses_persian_letters():
    for path in catalog_paths():
        if path.parent.parent.name != "fa":
            continue
        po = polib.pofile(str(path))
        arabic = [
            label(e)
            for e in live_entries(po)
            for _, text in forms(e)
            if "\u064a" in text or "\u0643" in text  # Arabic yeh and kaf instead of ی and ک
        ]
        assert not arabic, f"{path}: Arabic ي/ك instead of Persian ی/ک in: {arabic}"


def test_base_template_renders_in_persian():
    request = RequestFactory().get("/fa/")
    request.user = AnonymousUser()
    with translation.override("fa"):
        html = render_to_string("base.html", request=request)
    assert 'lang="fa"' in html and 'dir="rtl"' in html
    assert "رفتن به محتوای اصلی" in html  # Skip to content
    assert "راه\u200cاندازی گروه محلی" in html  # Start a hub
    assert "اقدام\u200cها عمومی\u200cاند. هویت شرکت\u200cکنندگان محرمانه است." in html
    assert "Skip to content" not in html

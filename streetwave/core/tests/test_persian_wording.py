"""One register and one vocabulary in Persian, on every page: ours, and the strings Django and
allauth put on them (../shared/fa-style.md; docs/i18n.md, "Persian").

A reader meets Django's validation messages and allauth's sign-in, password and second-factor
pages beside ours. Where their Persian catalogs speak informally («وارد شدی»، «گذرواژه‌ات») or
use other words («ایمیل آدرس»، «رمز عبور»، «تایید»), our catalog restates their message in the
project's voice (core/borrowed_messages.py), and Django reads our catalog first.
"""

import re
from pathlib import Path

import allauth
import django
import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "streetwave" / "locale"
OUR_CATALOG = LOCALE_DIR / "fa" / "LC_MESSAGES" / "django.po"
OUR_TEMPLATES = Path(settings.BASE_DIR) / "streetwave" / "templates"
DJANGO_DIR = Path(django.__file__).parent
ALLAUTH_DIR = Path(allauth.__file__).parent

# The catalogs whose strings reach our pages: Django's forms, validators and error pages, its
# password validators and its admin (operators read it in Persian too), and allauth's accounts
# and second factor (not its social accounts, identity provider or user sessions, which
# Streetwave does not install).
THEIR_CATALOGS = {
    name: root / "locale" / "fa" / "LC_MESSAGES" / "django.po"
    for name, root in {
        "django": DJANGO_DIR / "conf",
        "django.contrib.auth": DJANGO_DIR / "contrib" / "auth",
        "django.contrib.admin": DJANGO_DIR / "contrib" / "admin",
        "allauth": ALLAUTH_DIR,
    }.items()
}
NOT_ON_OUR_PAGES = (
    "socialaccount",
    "idp",
    "usersessions",
    "headless",
    "templates/socialaccount",
    "templates/idp",
    "templates/usersessions",
    "templates/openid",
)

ZWNJ = "\u200c"

# The glossary's "not" column, and the spelling slips it names.
NOT_OUR_WORDS = {
    "ایمیل آدرس": "نشانی ایمیل",
    "آدرس ایمیل": "نشانی ایمیل",
    "آدرس‌های ایمیل": "نشانی‌های ایمیل",
    "رایانامه": "ایمیل",
    "رمز عبور": "گذرواژه",
    "رمزعبور": "گذرواژه",
    "تایید": "تأیید",
    "تائید": "تأیید",
    "رویداد": "اقدام (or رخداد for an incident)",
    "مراسم یادبود": "شمع‌افروزی",
    "پیوند مدیریت": "پیوند خصوصی",
    "بعدتر": "بعداً",
    "کاراکتر": "نویسه",
    "باموفقیت": "با موفقیت",
    "دومرحله": "عامل دوم",
    "دو مرحله": "عامل دوم",
    # Organizers see pseudonyms: the promise is that identities stay confidential.
    "ناشناس می\u200cمان": "هویت ... محرمانه است",
}
# Whole words of the "not" column that are also pieces of right words (رمزنگاری، تولیدکننده).
NOT_OUR_WHOLE_WORDS = {
    "رمز": "گذرواژه, or کلید مخفی for a TOTP secret",
    "رمزی": "گذرواژه‌ای",
    "حرف": "نویسه",
    "جدید": "تازه",
    "تولید": "ساختن",
    "برداشتن": "حذف",
    "ارسال": "فرستادن",
}

# The informal «تو»: second-person singular verbs and pronouns, and the possessive «ـت».
INFORMAL_WORDS = {
    "تو",
    "خودت",
    "برایت",
    "شدی",
    "کردی",
    "دادی",
    "زدی",
    "داشتی",
    "خواستی",
    "توانستی",
    "رفتی",
    "آمدی",
    "گرفتی",
    "دیدی",
    "بودی",
    "کنی",
    "شوی",
    "باشی",
    "داری",
    "هستی",
    "خواهی",
    "بخواهی",
    "بتوانی",
    "بزنی",
    "بدهی",
    "نداری",
    "نیستی",
    "نکردی",
    "نشدی",
    "بکنی",
    "بشوی",
    "توانی",
    "مطمئنی",
    "یه",
    # imperatives without the formal «ـید»
    "کن",
    "بکن",
    "نکن",
    "بزن",
    "بده",
    "بگیر",
    "بفرست",
    "ببین",
    "بنویس",
    "بساز",
    "برو",
    "بیا",
    "بگذار",
    "بگو",
    "بمان",
}
PARTICIPLES = {
    prefix + stem
    for prefix in ("", "ن")
    for stem in ("کرده", "شده", "داده", "زده", "داشته", "خواسته", "رفته", "گرفته", "دیده", "بوده")
}
INFORMAL_POSSESSIVES = {
    noun + "ت" for noun in ("حساب", "ایمیل", "رمز", "کد", "نام", "کلید", "دستگاه", "ورود", "نشانی")
}
WORD = re.compile(r"[\w\u200c]+")
# A Latin comma, semicolon or question mark right after a Persian word («برلین, آلمان»).
LATIN_PUNCTUATION = re.compile(r"[\u0600-\u06ff][,;?]")
# «می» and «نمی» joined to their verb by a space instead of a zero-width non-joiner.
LOOSE_PREFIX = re.compile(r"(?<![\w\u200c])(ن?می) (?=\w)")
# Strings that code splits at its commas, not text anyone reads as such, and Django's welcome page
# of a project without URLs, which no Streetwave page shows.
NOT_READ_ON_OUR_PAGES = {
    "yes,no,maybe",
    "The install worked successfully! Congratulations!",
    'You are seeing this page because <a href="https://docs.djangoproject.com/en/%(version)s/ref/'
    'settings/#debug" target="_blank" rel="noopener">DEBUG=True</a> is in your settings file '
    "and you have not configured any URLs.",
}


def style_slips(text):
    """What in a Persian text breaks the register or the glossary, each with its remedy."""
    slips = [f"{wrong} (say {right})" for wrong, right in NOT_OUR_WORDS.items() if wrong in text]
    slips += [f"{mark} (say ، ؛ ؟)" for mark in LATIN_PUNCTUATION.findall(text)]
    slips += [
        f"«{prefix} » (join with a zero-width non-joiner)" for prefix in LOOSE_PREFIX.findall(text)
    ]
    for word in WORD.findall(text):
        parts = word.split(ZWNJ)
        if word in NOT_OUR_WHOLE_WORDS:
            slips.append(f"{word} (say {NOT_OUR_WHOLE_WORDS[word]})")
        elif parts[0] in NOT_OUR_WHOLE_WORDS and len(parts) > 1:
            slips.append(f"{word} (say {NOT_OUR_WHOLE_WORDS[parts[0]]})")
        if parts[-1] in INFORMAL_WORDS or word in INFORMAL_WORDS:
            slips.append(f"{word} (informal: say شما, «ـید»)")
        elif parts[0] in ("می", "نمی") and len(parts) > 1 and parts[-1].endswith("ی"):
            slips.append(f"{word} (informal verb: «ـید»)")
        elif len(parts) == 2 and parts[1] == "ای" and parts[0] in PARTICIPLES:
            # «کرده‌ای» is «کرده‌اید»; «گذرواژه‌ای» (a password), «تأییدشده‌ای» are fine
            slips.append(f"{word} (informal verb: «ـاید»)")
        elif (len(parts) > 1 and parts[-1] in ("ات", "هایت")) or word in INFORMAL_POSSESSIVES:
            slips.append(f"{word} (informal possessive: «ـتان» or «خود»)")
    return slips


def texts(entry):
    if entry.msgid_plural:
        return [text for _, text in sorted(entry.msgstr_plural.items())]
    return [entry.msgstr]


def reaches_our_pages(entry):
    """Whether a message of Django or allauth can appear on our pages: not only in an app we do
    not install, nor only in one of their templates that ours replace."""

    def shown(path):
        replaced = (
            path.startswith("templates/")
            and (OUR_TEMPLATES / path.removeprefix("templates/")).exists()
        )
        return not path.startswith(NOT_ON_OUR_PAGES) and not replaced

    return not entry.occurrences or any(shown(path) for path, _ in entry.occurrences)


def seen_by_readers(entry, language="fa"):
    """What a reader of our pages gets for this entry in `language`: from our catalog if it
    restates it, else from its own."""
    if not reaches_our_pages(entry):
        return []
    with translation.override(language):
        if entry.msgid_plural:
            return [
                translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt
                else translation.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        if entry.msgctxt:
            return [translation.pgettext(entry.msgctxt, entry.msgid)]
        return [translation.gettext(entry.msgid)]


def test_the_rules_catch_what_the_walkthrough_found():
    # Given the Persian that readers met on the sign-in and invitation pages
    found = {
        "با %(name)s باموفقیت وارد شدی.": ["باموفقیت", "شدی"],
        "لطفا گذرواژه کنونی‌ات را وارد کن.": ["کنونی‌ات", "کن"],
        "یک ایمیل آدرس معتبر وارد کنید.": ["ایمیل آدرس"],
        "گذرواژه‌ات را فراموش کرده‌ای؟": ["گذرواژه‌ات", "کرده‌ای"],
        "واقعا می‌خواهی نشانی رایانامه را حذف کنی؟": ["می‌خواهی", "رایانامه", "کنی"],
        "ورودت به سایت با یکی از حساب‌هایت": ["ورودت", "حساب‌هایت"],
        "کد تایید تلفن": ["تایید"],
        "تولید کدهای جدید": ["تولید", "جدید"],
        "برلین, آلمان": ["ن,"],
        "این فیلد نمی تواند خالی باشد": ["«نمی »"],
    }
    # Then every slip is named, and the project's own voice passes
    for text, slips in found.items():
        named = " ".join(style_slips(text))
        assert all(slip in named for slip in slips), (text, named)
    for right in [
        "با %(name)s با موفقیت وارد شدید.",
        "لطفاً گذرواژهٔ کنونی خود را وارد کنید.",
        "یک نشانی ایمیل معتبر وارد کنید.",
        "گذرواژه‌تان را فراموش کرده‌اید؟",
        "هیچ گذرواژه‌ای برای حساب شما تعیین نشده است.",
        "ساختن کدهای بازیابی تازه",
        "رمزنگاری",
    ]:
        assert style_slips(right) == [], right


def test_our_persian_catalog_keeps_one_register_and_one_vocabulary():
    # Given every Persian string of our catalog, our own and those we restate for Django and
    # allauth
    po = polib.pofile(str(OUR_CATALOG))
    # Then none speaks informally or uses a word the glossary rules out
    slips = {
        entry.msgid: slip
        for entry in po
        if not entry.obsolete
        for text in texts(entry)
        if (slip := style_slips(text))
    }
    assert slips == {}


@pytest.mark.parametrize("catalog", THEIR_CATALOGS, ids=str)
def test_django_and_allauth_speak_our_persian_on_our_pages(catalog):
    # Given every message of Django and allauth that can appear on our pages
    po = polib.pofile(str(THEIR_CATALOGS[catalog]))
    # When a Persian reader sees it (through our catalog first, as Django looks it up)
    slips = {
        entry.msgid: slip
        for entry in po
        if not entry.obsolete and entry.msgid and entry.msgid not in NOT_READ_ON_OUR_PAGES
        for text in seen_by_readers(entry)
        if (slip := style_slips(text))
    }
    # Then it speaks in the same register and with the same words as the rest of the site
    assert slips == {}


# Messages that read the same in Persian: marks, units, technical names and bare placeholders.
SAME_IN_PERSIAN = {
    "IPv4",
    "IPv6",
    "WebAuthn",
    "salt",
    "hash",
    "…",
    ":",
    "%s KB",
    "%s MB",
    "%s GB",
    "%s TB",
    "%s PB",
    "%(truncated_text)s…",
    "%(class_name)s %(instance)s",
}
# Names of languages Streetwave does not offer, and the username rule of an account model
# without usernames.
NEVER_ON_OUR_PAGES = {
    "Central Kurdish (Sorani)",
    "Malay",
    "Uyghur",
    "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase "
    "A-Z letters, numbers, and @/./+/-/_ characters.",
}


def still_in_english(entry):
    sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
    seen = seen_by_readers(entry)
    return bool(seen) and any(text == source for text, source in zip(seen, sources, strict=True))


@pytest.mark.parametrize("catalog", THEIR_CATALOGS, ids=str)
def test_every_message_of_theirs_on_our_pages_is_in_persian(catalog):
    # Given every message Django or allauth can put on our pages, as their English catalog
    # lists it (newer messages are missing from their Persian catalogs)
    po = polib.pofile(str(THEIR_CATALOGS[catalog]).replace("/fa/", "/en/"))
    # When a Persian reader gets it
    english = [
        entry.msgid
        for entry in po
        if not entry.obsolete
        and entry.msgid
        and entry.msgid not in NOT_READ_ON_OUR_PAGES | SAME_IN_PERSIAN | NEVER_ON_OUR_PAGES
        and still_in_english(entry)
    ]
    # Then none of it is still in English
    assert english == []

"""Spellings of place names: the search key every spelling is reduced to, which spellings are
worth searching, and which of GeoNames' untagged Arabic-script names is the Persian one."""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

KEY_MAX_LENGTH = 200

# Letters NFKD does not decompose, so stripping combining marks alone would leave them;
# people type "Lodz" and "Malmo" for Łódź and Malmö.
_LATIN_FOLDS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"}
)

# Persian keyboards, Arabic keyboards and old Persian text write the same word with different
# code points; a search must not depend on which one was used.
_ARABIC_FOLDS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "\u200c": None,  # zero-width non-joiner: optional in Persian typing
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        "ـ": None,  # tatweel only stretches a letter
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
    }
)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_]+")

_ARABIC_SCRIPT = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_NAME = re.compile(rf"(?=.*[{_ARABIC_SCRIPT}])[{_ARABIC_SCRIPT}\W]+")
_LATIN_NAME = re.compile(r"[A-Za-z\u00c0-\u024f\u0250-\u02ff\u1e00-\u1eff\W\d]+")

# The Persian alphabet. A candidate with any other letter (Arabic ي ك ة, or the letters only
# Urdu, Kurdish, Pashto or Uyghur use) is some other language's name for the place.
_PERSIAN_LETTERS = frozenset("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءئؤۀ")
_PERSIAN_ALLOWED = _PERSIAN_LETTERS | frozenset(" -\u200c")
# Letters Persian has and Arabic lacks: a name using one is not an Arabic name.
_PERSIAN_MARKERS = frozenset("پچژگ")
# Arabic letters that Persian transliteration of foreign names avoids (Boston is بوستون,
# not بوسطن; Istanbul استانبول, not اسطنبول).
_ARABIC_FLAVOURED = frozenset("ثحذصضطظعغق")
_LIST_SEPARATOR = re.compile(r"[،,]")
_ARABIC_LETTER_CODES = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
_VOWEL_MARKS = re.compile("[\u064b-\u065f\u0670]")


def normalize_name(text: str) -> str:
    """The search key of a spelling: NFKC, casefolded, Latin diacritics and Arabic vowel
    marks removed, Arabic letter variants unified to the Persian ones, separators collapsed."""
    if text.isascii():
        # Most spellings are plain ASCII, for which every step below is the identity.
        return _collapse(text.lower())
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LATIN_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _collapse(unicodedata.normalize("NFKC", text).translate(_ARABIC_FOLDS))


def _collapse(text: str) -> str:
    return _SEPARATORS.sub(" ", text).strip()[:KEY_MAX_LENGTH].strip()


def is_searchable_spelling(name: str) -> bool:
    """Whether an alternate name deserves a search key: it does if it is a Latin name written
    as a proper noun, or a name in Arabic script.

    GeoNames also lists machine romanizations of other scripts in lower case ("bai lin",
    "berurin" for Berlin); they would only add noise to prefix search, so a Latin name needs a
    capital letter. Other scripts are left out because nobody here searches in them."""
    if _ARABIC_NAME.fullmatch(name):
        return True
    return bool(_LATIN_NAME.fullmatch(name)) and any(ch.isupper() for ch in name)


def search_keys(names: Iterable[str]) -> set[str]:
    """The distinct non-empty search keys of `names`."""
    keys = set()
    for name in names:
        keys.add(normalize_name(name))
        head = _first_item(name)
        if head != name:
            # "لندن، انتاریو" (London, Ontario) should also be found as "لندن".
            keys.add(normalize_name(head))
    keys.discard("")
    return keys


def _first_item(name: str) -> str:
    return _LIST_SEPARATOR.split(name, maxsplit=1)[0].strip()


def _arabic_variant_key(name: str) -> str:
    return normalize_name(name).replace(" ", "")


def pick_persian_name(names: Iterable[str], *, spoken_in_persian: bool = False) -> str:
    """The spelling among `names` most likely to be the Persian one, or "" if none can be.

    GeoNames does not say which language a spelling belongs to, so this ranks the candidates
    written only in Persian letters: a Persian-only letter first, then fewer Arabic-flavoured
    letters, then the shorter spelling, then how many spellings in the list agree with it.
    Against the curated table in `persian_names.py` this order agrees on about three cities
    in four; the table overrides it where it matters most.

    Where Persian is the local language (`spoken_in_persian`), GeoNames often has the Persian
    name typed with Arabic letter codes (ورامين for ورامین); those are read as Persian."""
    heads = [_first_item(name) for name in names if _ARABIC_NAME.fullmatch(name)]
    if spoken_in_persian:
        heads = [_VOWEL_MARKS.sub("", head).translate(_ARABIC_LETTER_CODES) for head in heads]
    agreement = Counter(_arabic_variant_key(head) for head in heads)
    candidates = {head for head in heads if head and set(head) <= _PERSIAN_ALLOWED}
    if not candidates:
        return ""

    def rank(name: str) -> tuple[bool, int, int, int, str]:
        return (
            not _PERSIAN_MARKERS.isdisjoint(name),
            -sum(ch in _ARABIC_FLAVOURED for ch in name),
            -len(name),
            agreement[_arabic_variant_key(name)],
            name,
        )

    return max(candidates, key=rank)

"""Sort keys that put names in the order a reader of the language expects.

Python compares strings by code point. For Persian that is wrong: the four letters Persian adds
to the Arabic alphabet (پ چ ژ گ) have code points after all the others, so «پاکستان» would come
after «یمن». The key below follows the Persian alphabet, and folds the Arabic variants of a
letter (ي ك ة أ) to the Persian one. Latin-script names are compared without case and accents,
so that «Österreich» sits among the O's.
"""

import unicodedata

# The Persian alphabet in dictionary order, alef with madda first, as Persian dictionaries list it.
_PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
# Other spellings of those letters: Arabic code points and letters carrying a hamza.
_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
    "ئ": "ی",
    "ي": "ی",
    "ى": "ی",
    "ك": "ک",
    "ة": "ه",
    "ۀ": "ه",
}
# Ignored: the zero-width non-joiner and its kin, the tatweel, and the vowel marks.
_IGNORED = frozenset("\u200c\u200d\u200e\u200fـ") | frozenset(
    chr(code) for code in range(0x064B, 0x0660)
)
_RANK = {letter: index for index, letter in enumerate(_PERSIAN_ALPHABET)}
# Anything that is not a Persian letter sorts after the alphabet, by code point; a space sorts
# first, so that «ساحل عاج» comes before «ساحلی».
_OTHER = len(_PERSIAN_ALPHABET) + 1


def _persian_key(text: str) -> tuple[int, ...]:
    key = []
    for character in text:
        if character in _IGNORED:
            continue
        character = _FOLDS.get(character, character)
        if character.isspace():
            key.append(-1)
        elif character in _RANK:
            key.append(_RANK[character])
        else:
            key.append(_OTHER + ord(character))
    return tuple(key)


def _latin_key(text: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    # The plain form decides; the exact text only breaks ties (e.g. "Lodz" and "Łódź").
    return base, text


def sort_key(text: str, language: str) -> tuple[int, tuple[int, ...] | tuple[str, str]]:
    """A key for sorted() that orders `text` as a reader of `language` expects."""
    if language == "fa":
        return (0, _persian_key(text))
    return (1, _latin_key(text))

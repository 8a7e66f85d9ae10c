"""Whether an emergency notice names a new place: the tripwire that keeps a notice, which one
organizer sends at once, from moving people (services/emergency.py).

A notice may say what happens where people are ("the police are at the north corner", "stay
together", "the action stops, go home safely"); it may not send them somewhere else. Moving
people is a change of place or of the meeting point, which waits for a second person
(services/changes.py). What counts as naming a new place, in the five languages:

- any link or address of a site (a scheme, "www.", a domain name: the same notion of a link as
  the link check of every message), a `geo:` URI, and a what3words address ("///a.b.c");
- coordinates: two decimal numbers with at least three decimals each (about 100 m), in Latin,
  Persian or Arabic digits, with a point, a comma or the Persian separator for decimals; or two
  numbers with degree signs;
- phrases that send people somewhere: "moved to", "new meeting point", "meet at", "go to" and
  their kin in English, French, German, Dutch and Persian (`_PHRASES`).

It is a tripwire, not a wall: a paraphrase it does not know, a street name with no verb ("North
exit. Now."), a place spelt out in words, all pass. The real protection is that nobody can move
the place or the private meeting point alone; this catches the obvious forged "the meeting point
moved" and tells an honest organizer where a move belongs. A place people are sent away from
("leave the square") is not a new place; a place named without sending anyone there ("the
police are at the corner") is not one either.
"""

import re

from streetwave.outbox.links import LINK

# Persian and Arabic-Indic digits read as Latin ones, the Persian decimal separator
# as a point, and the zero-width non-joiner as a space, so that one pattern matches every way
# of writing a number or a compound word.
_NORMALIZE = str.maketrans(
    {
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},
        "٫": ".",
        "،": ",",
        "\u200c": " ",
        "ي": "ی",
        "ك": "ک",
    }
)

_GEO = re.compile(r"\bgeo:\s*-?\d\S*", re.IGNORECASE)
_WHAT3WORDS = re.compile(r"///\s*\w+\.\w+\.\w+")
_DECIMAL = r"[-+−]?\d{1,3}[.,]\d{3,}"
_COORDINATES = re.compile(
    rf"(?<![\d.,]){_DECIMAL}\s*[°]?\s*[NSEW]?\s*[,;/]?\s*{_DECIMAL}(?![\d])", re.IGNORECASE
)
_DEGREES = re.compile(r"\d{1,3}(?:[.,]\d+)?\s*°[^°\n]{0,20}?\d{1,3}(?:[.,]\d+)?\s*°")

# Phrases that send people somewhere, by language. Lower case; a space stands for one or more
# spaces (the zero-width non-joiner in Persian is one), `\s*` for none or more.
_PHRASES = {
    "en": [
        r"\bmov(?:e|ed|ing) (?:over )?to\b",
        r"\brelocat(?:e|ed|ing)\b",
        r"\bnew (?:meeting point|meeting place|meeting spot|location|place|venue|address|spot)\b",
        r"\bmeeting point (?:is now|has (?:been )?(?:changed|moved))\b",
        r"\bmeet (?:us |up |everyone )?(?:at|by|in front of|outside)\b",
        r"\b(?:gather|regroup|assemble)(?: again)? (?:at|by|in front of|outside)\b",
        r"\bgo to\b",
        r"\bhead (?:over )?to\b",
        r"\bwalk to\b",
        r"\bproceed to\b",
    ],
    "fr": [
        r"\bd[ée]plac[ée]e?s? (?:à|au|aux|vers|devant)\b",
        r"\btransf[ée]r[ée]e?s? (?:à|au|aux|vers)\b",
        r"\bnouve(?:au|l|lle) (?:lieu|point de rendez-vous|point de rassemblement|rendez-vous|"
        r"endroit|adresse|place)\b",
        r"\b(?:rendez-vous|retrouvons-nous|retrouvez-nous|rejoignez-nous|on se retrouve|"
        r"rassemblez-vous|rassemblement) (?:à|au|aux|devant|place|sur)\b",
        r"\b(?:allez|dirigez-vous|rendez-vous|venez) (?:à|au|aux|vers|devant|jusqu)",
    ],
    "de": [
        r"\bverlegt\b",
        r"\bverlagert\b",
        r"\bumgezogen\b",
        r"\bneue[rnms]? (?:treffpunkt|ort|adresse|sammelpunkt|platz)\b",
        r"\btreffpunkt (?:ist jetzt|ist nun|hat sich ge[äa]ndert)\b",
        r"\b(?:treffen|sammeln|versammeln) (?:wir )?uns (?:\w+ )?"
        r"(?:an|am|bei|beim|im|in|vor|auf)\b",
        # "geht nach Hause" (go home) sends nobody to a gathering
        r"\b(?:geht|kommt|lauft|läuft|begebt euch|begeben sie sich) (?:\w+ )?"
        r"(?:zum|zur|nach(?! hause)|in die|an den|an die)\b",
    ],
    "nl": [
        r"\bverplaatst (?:naar|richting)\b",
        r"\bverhuisd naar\b",
        r"\bnieuwe? (?:locatie|verzamelpunt|verzamelplek|ontmoetingspunt|adres|plek|plaats)\b",
        r"\b(?:verzamelen|verzamel|ontmoeten|treffen) (?:we |elkaar )?(?:bij|op|aan|in|voor)\b",
        # "ga naar huis" (go home) sends nobody to a gathering
        r"\b(?:ga|gaan|kom|komen|loop|lopen) (?:\w+ )?naar(?! huis)\b",
        r"\bwe zien elkaar (?:bij|op|aan|in)\b",
    ],
    "fa": [
        # new place, new meeting point, new address (تازه is the house word, جدید the common one)
        r"(?:محل|مکان|جای|نشانی|آدرس) (?:قرار )?(?:تازه|جدید)",
        # moved, transferred
        r"منتقل (?:شد|شده|می\s*شود)",
        r"جا\s*به\s*جا (?:شد|شده)",
        r"تغییر (?:مکان|محل)",
        # go to / come to, in either order; "go home" (به خانه بروید) sends nobody to a gathering
        r"(?:بروید|بیایید|برید|بیاید|بروند) (?:به|سمت|طرف)",
        r"(?<!\S)به (?!خانه|منزل)(?:\S+ ){1,4}(?:بروید|بیایید|برید|بروند)",
        # gather (at)
        r"جمع (?:شوید|بشوید|شویم|بشیم)",
    ],
}
_PHRASE = re.compile("|".join(p for ps in _PHRASES.values() for p in ps).replace(" ", r"\s+"))


def names_a_new_place(text: str) -> str | None:
    """The first piece of `text` that names a new place (see the module), or None."""
    normalized = text.translate(_NORMALIZE).lower()
    links = [link for link in LINK.findall(normalized) if not _is_a_number(link)]
    if links:
        return links[0]
    for pattern in (_GEO, _WHAT3WORDS, _COORDINATES, _DEGREES, _PHRASE):
        found = pattern.search(normalized)
        if found:
            return found[0].strip()
    return None


def _is_a_number(link: str) -> bool:
    # LINK takes "52.5163" for no domain, but be sure: a decimal is never a link.
    return bool(re.fullmatch(r"[\d.,]+", link))

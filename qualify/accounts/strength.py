"""Whether a new password is easily guessed, and why: said in words, so that the person knows what to change.

German users pick German passwords: zxcvbn's lists are English, so the German words a workforce uses most, the
platform's name, and the person's own name, address, organisation and unit are checked here first."""

import re
import threading
from collections.abc import Iterable

from flask_babel import gettext as _

from qualify.core.text import spelt_out

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 2  # zxcvbn's 0–4: below 2 is found within about a million guesses
MIN_PERSONAL_LENGTH = 4  # shorter addresses or names ("jo@…") are in too many good passwords by chance
# zxcvbn keeps the words of the person in a module-wide dictionary while it scores: one check at a time, or a
# second thread's words replace them halfway (gunicorn may run threads).
_zxcvbn_turn = threading.Lock()
# zxcvbn knows the US keyboard; on a German one Y and Z change places: "qwertz" is the row "qwerty" there.
_GERMAN_KEYBOARD = str.maketrans("yzYZ", "zyZY")
# A common password's word with digits and signs around it ("Passwort2026!", "Sommer2026!!") scores 2 or 3 in
# zxcvbn, which counts the year and the sign as extra guesses; it is among the first any list tries. Words of
# zxcvbn's password list up to this rank count, and these, which a German workforce uses – alone, twice or two of
# them ("HalloSchatz1", "BVB09Dortmund") – spelt as an address would spell them (ä: ae, ß: ss).
COMMON_PASSWORD_RANK = 10_000
PLATFORM_WORDS = frozenset({"qualify"})
COMMON_GERMAN_WORDS = frozenset({
    "passwort", "kennwort", "geheim", "hallo", "willkommen", "sommer", "winter", "fruehling", "herbst", "sonne",
    "sonnenschein", "schatz", "schatzi", "liebe", "ichliebedich", "mausi", "maus", "hase", "hasi", "engel",
    "prinzessin", "schnecke", "baerchen", "spatz", "katze", "hund", "fussball", "schalke", "bayern", "dortmund",
    "borussia", "bvb", "fcbayern", "werder", "hertha", "eintracht", "arbeit", "schicht", "werk", "firma", "betrieb",
    "montage", "logistik", "lager", "produktion", "buero", "chef", "kollege", "mitarbeiter", "personal", "zugang",
    "anmelden", "anmeldung", "login", "benutzer", "schulung", "lernen", "ausbildung", "azubi", "weiterbildung",
    "kurs", "training", "test", "admin", "start", "neu", "deutschland", "berlin", "hamburg", "muenchen", "koeln",
    "frankfurt", "stuttgart", "duesseldorf", "leipzig", "dresden", "hannover", "bremen", "nuernberg",
    "januar", "februar", "maerz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
    "dezember", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "wochenende",
    "urlaub", "familie", "glueck", "freiheit", "sicher", "sicherheit", "schmetterling", "blume", "sonnenblume",
    "schokolade", "zuhause", "heimat",
}) | PLATFORM_WORDS
# Words of an organisation's name that name no organisation: "Muster GmbH" is "Muster".
LEGAL_FORMS = frozenset({"gmbh", "mbh", "kgaa", "haftungsbeschraenkt", "gruppe", "group", "holding"})

# Why a password is easily guessed, in words: the person sees what to change. None of them repeats what was typed.
TOO_EASY = {
    "personal": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es besteht vor allem aus Ihrem Namen oder "
                          "Ihrer E-Mail-Adresse."),
    "workplace": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es besteht vor allem aus dem Namen Ihrer "
                           "Organisation oder Ihrer Einheit."),
    "platform": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es besteht vor allem aus dem Namen dieser "
                          "Plattform."),
    "common": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es besteht vor allem aus einem häufigen Wort, "
                        "Namen oder Passwort – Ziffern und Zeichen daran machen es kaum sicherer."),
    "keyboard": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es folgt einer Reihe der Tastatur wie "
                          "„qwertz“ oder „asdf“."),
    "sequence": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es ist eine Folge wie „12345“ oder „abcde“."),
    "repeat": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es wiederholt dieselben Zeichen oder Wörter."),
    "date": lambda: _("Dieses Passwort ist zu leicht zu erraten: Es besteht vor allem aus einem Datum oder einer "
                      "Jahreszahl."),
}


def check_password_strength(password: str, *, email: str = "", name: str = "",
                            workplace: Iterable[str] = ()) -> str | None:
    """Return a problem with the password, or None when it is acceptable. `email`, `name` and `workplace` (the
    names of the person's organisation and unit): whose password it is, where known – a password made of them is
    the first a stranger, or a colleague, tries."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_PASSWORD_LENGTH)
    if password.strip() != password:
        return _("Das Passwort darf nicht mit Leerzeichen beginnen oder enden.")
    why = easily_guessed_because(password, email=email, name=name, workplace=workplace)
    if why is None:
        return None
    advice = _("Nehmen Sie zum Beispiel drei oder vier Wörter, die nichts miteinander zu tun haben.")
    if why in TOO_EASY:
        return f"{TOO_EASY[why]()} {advice}"
    return _("Dieses Passwort ist zu leicht zu erraten (ein häufiges Wort, eine Zahlenfolge oder Ihr Name). "
             "Nehmen Sie zum Beispiel drei oder vier Wörter, die nichts miteinander zu tun haben.")


def workplace_of(person) -> list[str]:
    """The names of the person's organisation and unit, those they have."""
    return [place.name for place in (person.organisation, person.unit) if place is not None]


def is_easily_guessed(password: str, *, email: str = "", name: str = "", workplace: Iterable[str] = ()) -> bool:
    """Whether the password is a common word, a keyboard row, a sequence or the person's address or name."""
    return easily_guessed_because(password, email=email, name=name, workplace=workplace) is not None


def _words(*texts: str) -> list[str]:
    """Each text whole and word by word: "max.mustermann", "max", "mustermann"."""
    return [text for text in texts if text] + [word for text in texts for word in re.split(r"[\W_]+", text) if word]


def easily_guessed_because(password: str, *, email: str = "", name: str = "",
                           workplace: Iterable[str] = ()) -> str | None:
    """Why the password is easily guessed – a key of TOO_EASY, or "other" – or None if it is not."""
    local_part, _at, domain = email.partition("@")
    # The address before the @ and the name; the address's domain without its ending ("stahlwerk-duisburg"),
    # which names the employer as often as not; the organisation and unit.
    personal = _words(local_part, name)
    address_domain = _words(domain.rpartition(".")[0])
    places = [word for word in _words(*workplace) if _letters_and_digits(word) not in LEGAL_FORMS]
    if _mostly_personal(password, personal):
        return "personal"
    if _mostly_personal(password, personal + address_domain + places):
        # Said as the organisation's name where it is one ("Stahlwerk" of both), else as the address.
        typed = _letters_and_digits(password)
        return "workplace" if any(len(text) >= MIN_PERSONAL_LENGTH and text in typed
                                  for text in map(_letters_and_digits, places)) else "personal"
    # Imported on the first check, not with the app: its word lists take longer to load than the app to start.
    from zxcvbn import zxcvbn
    from zxcvbn.matching import RANKED_DICTIONARIES

    letters = "".join(char for char in spelt_out(password).casefold() if char.isalpha())
    if letters in PLATFORM_WORDS:
        return "platform"
    passwords = RANKED_DICTIONARIES["passwords"]
    if (_common_words_only(letters) or passwords.get(letters, COMMON_PASSWORD_RANK + 1) <= COMMON_PASSWORD_RANK):
        return "common"  # a common word (or two) with digits and signs around it

    # Jürgen and Juergen: an umlaut is spelt out where an address or a keyboard has none.
    user_inputs = [variant for word in (email, *personal, *address_domain, *places)
                   for variant in {word, spelt_out(word)}]
    checked = password[:72]  # as far as zxcvbn looks; what follows only makes a password harder to guess
    with _zxcvbn_turn:
        # In this order, so that of two equally weak the reason is always the same (a set's order changes).
        result = min((zxcvbn(variant, user_inputs=user_inputs)
                      for variant in dict.fromkeys((checked, checked.translate(_GERMAN_KEYBOARD)))),
                     key=lambda result: result["score"])
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    return _reason(result["sequence"], {_letters_and_digits(word) for word in places})


def _common_words_only(letters: str) -> bool:
    """Whether the letters are one common word, the same one repeated ("hallohallo"), or two of them."""
    if not letters:
        return False
    period = (letters + letters).find(letters, 1)  # the shortest piece the letters repeat: all of them if none
    if letters[:period] in COMMON_GERMAN_WORDS:
        return True
    return any(letters[:cut] in COMMON_GERMAN_WORDS and letters[cut:] in COMMON_GERMAN_WORDS
               for cut in range(1, len(letters)))


# zxcvbn's kinds of pieces, as TOO_EASY names them.
_PATTERNS = {"spatial": "keyboard", "sequence": "sequence", "repeat": "repeat", "date": "date", "regex": "date",
             "dictionary": "common"}


def _reason(pieces: list[dict], places: set[str]) -> str:
    """Name the reason by the longest piece zxcvbn found that is no random run of characters."""
    known = [piece for piece in pieces if piece["pattern"] in _PATTERNS]
    if not known:
        return "other"
    piece = max(known, key=lambda piece: len(piece["token"]))
    if piece["pattern"] == "dictionary" and piece.get("dictionary_name") == "user_inputs":
        return "workplace" if _letters_and_digits(piece["matched_word"]) in places else "personal"
    return _PATTERNS[piece["pattern"]]


def _mostly_personal(password: str, words: list[str]) -> bool:
    """Whether the password is the person's address or name with a little around it ("max.mustermann2026"):
    what is left without them is shorter than a password may be. A name inside a longer word ("ad-mira-l") and
    a name beside other words are left to zxcvbn, which knows them as the person's too."""
    typed = rest = _letters_and_digits(password)
    personal = {text for text in map(_letters_and_digits, words) if len(text) >= MIN_PERSONAL_LENGTH}
    for text in sorted(personal, key=len, reverse=True):
        rest = rest.replace(text, "")
    return rest != typed and len(rest) < MIN_PASSWORD_LENGTH


def _letters_and_digits(text: str) -> str:
    """Small letters and digits only: "Max.Mustermann", "max-mustermann" and "Max Mustermann" alike."""
    return "".join(char for char in spelt_out(text).casefold() if char.isalnum())

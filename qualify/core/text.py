"""Plain text that other people read: names and titles kept on one line, without direction tricks; German
letters spelt out where only ASCII will do."""

import unicodedata

# Format characters that turn the direction of text or hide in it: with them "Mira" can display as someone
# else's name, or two names that look alike differ. They are taken out.
_INVISIBLE = set("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


def one_line(value: str | None) -> str | None:
    """Keep a name or title on one line: control characters, line and paragraph separators and unusual spaces
    become one space; direction controls and zero-width spaces go.

    Names and titles go into other people's pages and mails, where a line break could start a made-up
    paragraph ("Note from the administration: …"). A text field cannot hold a line break; a forged request, a
    CSV file or a course file can.
    """
    if not isinstance(value, str):
        return value
    kept = (" " if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Zs") else c for c in value if c not in _INVISIBLE)
    return " ".join("".join(kept).split())


_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def spelt_out(text: str) -> str:
    """Spell umlauts and ß out as a German would where only ASCII is allowed: "Größe" → "Groesse"."""
    return text.translate(_GERMAN_LETTERS)


# Letters Unicode does not split into a base letter and a mark, sorted (as ICU does) with their base letter.
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})


def german_sort_key(text: str) -> tuple[str, str, str, str]:
    """Sort as a German dictionary does (DIN 5007-1): "Ärger" beside "Arbeit", "Özdemir" before "Paul", not
    after "Zimmermann" where the code points put them; capitals and small letters together.

    Letters first without their accents, then with them, then by case, so that the order is total.
    """
    folded = text.casefold()  # ß → ss
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    bare = bare.translate(_UNDECOMPOSED)  # Ł is an L with a stroke that Unicode does not take apart
    # Small before capital letters, as PostgreSQL's ICU collation has it; "Strasse" before "Straße".
    return bare, folded, text.swapcase(), text

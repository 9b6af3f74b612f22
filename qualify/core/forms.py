"""Form pieces shared by features."""

import unicodedata

from wtforms import SelectMultipleField
from wtforms.validators import Email
from wtforms.widgets import CheckboxInput, ListWidget


def strip(value: str | None) -> str | None:
    """Drop the blanks that phones and copy-paste add around an address."""
    return value.strip() if isinstance(value, str) else value


def one_line(value: str | None) -> str | None:
    """Keep a name or title on one line: a text field cannot hold a line break, a forged request could.

    Names and titles go into other people's pages and mails, where a line break could start a made-up
    paragraph ("Note from the administration: …").
    """
    if not isinstance(value, str):
        return value
    return " ".join("".join(" " if _breaks_the_line(c) else c for c in value).split())


# Control characters, line and paragraph separators, other spaces, and the controls that turn text direction
# (with which "Mira" could display as someone else's name).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _breaks_the_line(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Zl", "Zp", "Zs") or character in _BIDI_CONTROLS


def email_address() -> Email:
    """WTForms' address check, accepting the reserved .test domain (RFC 2606) of the demo accounts.

    Such an address can never reach anyone; refusing it only made the demo's people impossible to edit.
    """
    return Email(test_environment=True)


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates/_forms.html renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

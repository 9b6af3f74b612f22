"""Form pieces shared by features."""

import unicodedata

import wtforms
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import Email, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from qualify.core.markdown import too_long


def strip(value: str | None) -> str | None:
    """Drop the blanks that phones and copy-paste add around an address."""
    return value.strip() if isinstance(value, str) else value


def email_address() -> Email:
    """WTForms' address check, accepting the reserved .test domain (RFC 2606) of the demo accounts.

    Such an address can never reach anyone; refusing it only made the demo's people impossible to edit.
    """
    return Email(test_environment=True, message=_l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. "
                                                    "name@firma.de."))


def at_most(limit: int, message=None):
    """Refuse a longer text with its length (or `message`), the text kept in the field to shorten. Unlike
    WTForms' Length, it puts no maxlength on the field: there a browser cuts a longer pasted text off without a
    word – a post, a reason or session notes mid-sentence – and people would send what they never wrote.
    Line breaks count one each (TextAreaField)."""

    def check(_form, field) -> None:
        if field.data and len(field.data) > limit:
            raise StopValidation(message or too_long(len(field.data), limit))  # one message is enough

    return check


class TextAreaField(wtforms.TextAreaField):
    """A text area whose line breaks arrive as one character each ("\n"). Browsers send each as two ("\r\n")
    while the field's maxlength counts one: a text the counter allowed was refused as too long."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates/_forms.html renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # WTForms' own message for a value that is no choice ("'4' is not a valid choice for this field.") has
        # no German translation: only a forged form sends one, but it should still read as the others do.
        kwargs.setdefault("invalid_choice_message", _l("Keine gültige Auswahl."))
        super().__init__(*args, **kwargs)


def visible_text(_form, field) -> None:
    """Refuse a text of nothing but spaces and invisible characters (zero-width spaces, direction marks), which
    DataRequired lets through and which would show as an empty post."""
    if field.data and not any(not char.isspace() and unicodedata.category(char) not in ("Cf", "Zs")
                              for char in field.data):
        raise StopValidation(_l("Bitte geben Sie einen Text ein."))

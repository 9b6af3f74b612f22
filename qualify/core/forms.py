"""Form pieces shared by features."""

from wtforms import SelectMultipleField
from wtforms.validators import Email
from wtforms.widgets import CheckboxInput, ListWidget


def strip(value: str | None) -> str | None:
    """Drop the blanks that phones and copy-paste add around an address."""
    return value.strip() if isinstance(value, str) else value


def email_address() -> Email:
    """WTForms' address check, accepting the reserved .test domain (RFC 2606) of the demo accounts.

    Such an address can never reach anyone; refusing it only made the demo's people impossible to edit.
    """
    return Email(test_environment=True)


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates/_forms.html renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

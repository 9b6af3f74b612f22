"""Forms for managing accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from qualify.accounts.forms import LANGUAGE_CHOICES
from qualify.accounts.roles import ROLE_LABELS


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices() -> list[tuple[str, str]]:
    return [(str(role), str(label)) for role, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Email(), Length(max=320)])
    personnel_number = StringField(_l("Personalnummer"), validators=[Optional(), Length(max=40)])
    unit = SelectField(_l("Organisation und Einheit"), coerce=str, validators=[Optional()])
    language = SelectField(_l("Sprache"), choices=LANGUAGE_CHOICES)
    roles = CheckboxListField(_l("Rollen"))
    send_invitation = BooleanField(_l("Einladung mit Link zum Setzen des Passworts senden"), default=True)
    submit = SubmitField(_l("Speichern"))


class ConfirmForm(FlaskForm):
    """A bare form for buttons that change state (deactivate, reactivate)."""

    submit = SubmitField(_l("Bestätigen"))

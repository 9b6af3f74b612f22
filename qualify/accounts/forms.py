"""Forms for signing in, passwords and the profile."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from qualify.accounts.strength import check_password_strength, workplace_of
from qualify.core.forms import at_most, email_address, strip
from qualify.core.text import one_line

LANGUAGE_CHOICES: list[SelectChoice] = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]


def strong_password(form, field) -> None:
    # Whose password: their address, name, organisation and unit make a weak one.
    person = getattr(form, "person", None)
    problem = check_password_strength(field.data or "", email=person.email if person else "",
                                      name=person.display_name if person else "",
                                      workplace=workplace_of(person) if person else ())
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=320)], filters=[strip],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Passwort"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Anmelden"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), email_address(), Length(max=320)],
                       filters=[strip], render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Link zum Zurücksetzen senden"))


class NewPasswordForm(FlaskForm):
    """A new password for `person`, the account it is for."""

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    password = PasswordField(_l("Neues Passwort"), validators=[DataRequired(), strong_password],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("Mindestens 10 Zeichen. Ein Satz, den Sie sich merken können, ist ideal."))
    confirm = PasswordField(_l("Neues Passwort wiederholen"),
                            validators=[DataRequired(),
                                        EqualTo("password", _l("Die Passwörter stimmen nicht überein."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Passwort speichern"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Aktuelles Passwort"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})

    def validate_password(self, field) -> None:
        if field.data and field.data == self.current.data:
            raise ValidationError(_l("Das neue Passwort muss sich vom aktuellen unterscheiden."))


class ProfileForm(FlaskForm):
    # at_most, not Length: its maxlength let a browser cut a longer pasted name off without a word.
    display_name = StringField(_l("Angezeigter Name"), validators=[DataRequired(), at_most(200)], filters=[one_line],
                               render_kw={"autocomplete": "name"})
    language = SelectField(_l("Sprache"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Speichern"))

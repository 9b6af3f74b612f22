"""Forms for deleting one's account and for the retention periods."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange


class EraseAccountForm(FlaskForm):
    posts = RadioField(_l("Ihre Beiträge im Austausch"), default="keep", choices=[
        SelectChoice("keep", _l("stehen lassen: unter Ihrem Namen Geschriebenes als „ehemaliges Mitglied“, unter "
                                "Pseudonym Geschriebenes weiter unter dem Pseudonym")),
        SelectChoice("delete", _l("löschen – mit den Titeln der Gespräche, die Sie eröffnet haben (Antworten anderer "
                                  "bleiben unter neutralem Titel stehen)"))])
    password = PasswordField(_l("Ihr Passwort zur Bestätigung"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    # No full stop: the list of errors above the form names the field by its label, followed by a colon.
    confirm = BooleanField(_l("Ich möchte mein Konto und meine Daten endgültig löschen"),
                           validators=[DataRequired(message=_l("Bitte bestätigen Sie, dass Sie Ihr Konto löschen "
                                                               "möchten."))])
    submit = SubmitField(_l("Konto endgültig löschen"))


class RetentionForm(FlaskForm):
    days = IntegerField(_l("Neue Frist in Tagen"), validators=[
        InputRequired(_l("Bitte eine Zahl von 1 bis 3650 Tagen angeben.")),
        NumberRange(min=1, max=3650, message=_l("Bitte eine Zahl von 1 bis 3650 Tagen angeben."))])
    submit = SubmitField(_l("Speichern"))

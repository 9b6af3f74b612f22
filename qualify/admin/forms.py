"""Forms for managing accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from qualify.accounts.addresses import sendable_address
from qualify.accounts.forms import LANGUAGE_CHOICES
from qualify.accounts.models import DEFAULT_SMALL_GROUP_THRESHOLD
from qualify.accounts.organisations import MAX_NAME_LENGTH, MAX_SMALL_GROUP_THRESHOLD
from qualify.accounts.roles import ROLE_LABELS
from qualify.accounts.small_groups import MIN_THRESHOLD
from qualify.core.forms import CheckboxListField, TextAreaField, at_most, email_address, strip
from qualify.core.text import one_line
from qualify.learning.mandatory import MAX_DAYS_TO_COMPLETE


def show_at_fields(form: FlaskForm, problems) -> None:
    """Add each refusal of the domain (an AccountError, which names its field) to its field, unless the form
    itself has refused that field already: every error of the form after one submit, not one per submit."""
    refused = {field.name for field in form if field.errors}
    for problem in problems:
        field = getattr(form, problem.field)
        if field.name not in refused:
            field.errors = [*field.errors, str(problem)]  # a tuple until the form has been validated


def role_choices(roles=ROLE_LABELS) -> list[SelectChoice]:
    """The roles to tick: all, or those the person editing may give (roles.Reach)."""
    return [SelectChoice(str(role), str(label)) for role, label in ROLE_LABELS.items() if role in roles]


class UserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), at_most(200)], filters=[one_line])
    email = EmailField(_l("E-Mail-Adresse"),
                       validators=[DataRequired(), sendable_address, email_address(), at_most(320)], filters=[strip])
    personnel_number = StringField(_l("Personalnummer"), validators=[Optional(), at_most(40)], filters=[one_line])
    unit = SelectField(_l("Organisation und Einheit"), coerce=str, validators=[Optional()])
    language = SelectField(_l("Sprache"), choices=LANGUAGE_CHOICES)
    roles = CheckboxListField(_l("Rollen"))
    send_invitation = BooleanField(_l("Einladung mit Link zum Setzen des Passworts senden"), default=True)
    submit = SubmitField(_l("Speichern"))


class ConfirmForm(FlaskForm):
    """A bare form for buttons that change state (deactivate, reactivate)."""

    submit = SubmitField(_l("Bestätigen"))


class ImportForm(FlaskForm):
    """Upload a CSV file of people for one organisation; the next page is a preview."""

    organisation = SelectField(_l("Organisation"),
                               validators=[DataRequired(_l("Bitte wählen Sie eine Organisation."))])
    file = FileField(_l("CSV-Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
                     description=_l("Spalten: E-Mail, Name (Pflicht); Personalnummer, Einheit, Rollen, "
                                    "Sprache. Trennzeichen Semikolon oder Komma, UTF-8 oder Excel-CSV."),
                     render_kw={"accept": ".csv,.txt,text/csv,text/plain"})
    deactivate_missing = BooleanField(
        _l("Wer in der Datei fehlt, wird deaktiviert"),
        description=_l("Nur für einen vollständigen Export aller Beschäftigten: Aktive Personen der Organisation, "
                       "die weder mit E-Mail-Adresse noch mit Personalnummer in der Datei stehen, werden "
                       "deaktiviert – abgemeldet, ihre Plätze in kommenden Terminen gehen an die Warteliste. "
                       "Administrationskonten bleiben aktiv. Die Vorschau nennt alle Betroffenen."))
    submit = SubmitField(_l("Datei prüfen"))


class ConfirmImportForm(FlaskForm):
    """Confirm the preview of a kept upload; the file is checked again, and must come out as previewed."""

    fingerprint = HiddenField(validators=[DataRequired()])  # what the preview showed (ImportPlan.fingerprint)
    submit = SubmitField(_l("Jetzt importieren"))


class MandatoryCourseForm(FlaskForm):
    """Make a course mandatory for a whole unit, e.g. the safety course everyone on a line must take."""

    course = SelectField(_l("Kurs"), coerce=int)
    unit = SelectField(_l("Einheit"), coerce=int)
    days_to_complete = IntegerField(
        _l("Frist in Tagen (freiwillig)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS_TO_COMPLETE,
                                            message=_l("Die Frist muss zwischen %(min)d und %(max)d Tagen liegen."))],
        description=_l("Zählt für jede Person ab ihrer Einschreibung, auch für alle, die später in die Einheit "
                       "kommen. Eine Woche vor Ablauf erinnert Qualify per E-Mail, wer noch nicht abgeschlossen "
                       "hat – wer das ist, sieht die Verwaltung nicht. Leer lassen: keine Frist."),
        render_kw={"inputmode": "numeric"})
    confirmed = HiddenField()  # set on the page that says how many people it concerns
    submit = SubmitField(_l("Alle Beschäftigten der Einheit einschreiben …"))


class MovePeopleForm(FlaskForm):
    """Place several people of one organisation in another of its units at once (after a reorganisation, say)."""

    people = CheckboxListField(_l("Ausgewählte Personen"))
    unit = SelectField(_l("Neue Einheit"), coerce=str,
                       validators=[DataRequired(_l("Bitte wählen Sie die neue Einheit."))])
    confirmed = HiddenField()  # set on the page that says how many people move
    back = HiddenField()  # the page of the list the people were chosen on, to return to
    submit = SubmitField(_l("Verschieben …"))

    def validate_people(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Bitte wählen Sie mindestens eine Person aus."))


REOPEN, VOID = "reopen", "void"


class WithdrawCertificateForm(FlaskForm):
    """Take a certificate back: why (the holder reads it), and whether the course opens again with modules to do
    or stays complete without a certificate."""

    reason = TextAreaField(_l("Grund"), validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")),
                                                    at_most(1000)],
                           description=_l("Die Person erfährt ihn per E-Mail; die Prüfseite nennt ihn nicht."))
    # Without this field in the request (an older page): the course opens again, as it always did.
    after = RadioField(_l("Und der Kurs?"), default=REOPEN, choices=[
        SelectChoice(REOPEN, _l("wieder öffnen: Die gewählten Module muss die Person erneut erledigen, danach "
                                "erhält sie ein neues Zertifikat")),
        SelectChoice(VOID, _l("bleibt abgeschlossen: Nur das Zertifikat wird ungültig, ein neues gibt es nicht – "
                              "etwa wenn es an die falsche Person ging"))])
    modules = CheckboxListField(_l("Diese Module muss die Person erneut erledigen"))
    submit = SubmitField(_l("Zertifikat zurückziehen"))

    def validate_modules(self, field) -> None:
        # As withdraw_certificate checks too, but here with the reason, so that both are said after one submit.
        # Not DataRequired, whose "required" flag would mark every checkbox as one that must be ticked.
        if self.after.data == REOPEN and not field.data:
            raise ValidationError(_l("Bitte wählen Sie mindestens ein Modul, das erneut erledigt werden muss."))


class EraseOtherAccountForm(FlaskForm):
    posts = RadioField(_l("Beiträge der Person im Austausch"), default="keep", choices=[
        SelectChoice("keep", _l("stehen lassen, angezeigt als „ehemaliges Mitglied“")),
        SelectChoice("delete", _l("löschen – mit den Titeln der Themen, die die Person eröffnet hat (Antworten "
                                  "anderer bleiben unter neutralem Titel stehen)"))])
    reason = TextAreaField(_l("Anlass, für das Protokoll"), validators=[DataRequired(), at_most(500)],
                           description=_l("z. B. „Löschantrag vom 3. Dezember, Austritt zum 30. November“"))
    # No full stop: the list of errors above the form names the field by its label, followed by a colon.
    confirm = BooleanField(_l("Ich lösche dieses Konto und seine Daten endgültig"), validators=[DataRequired(
        message=_l("Bitte bestätigen Sie, dass Sie dieses Konto endgültig löschen möchten."))])
    submit = SubmitField(_l("Konto endgültig löschen"))


UNITS_HINT = _l("Eine Einheit pro Zeile, zum Beispiel Montage, Logistik, Instandhaltung.")
MAX_UNITS_TEXT = 20_000


class OrganisationForm(FlaskForm):
    """An organisation's name and the smallest group its reports show."""

    name = StringField(_l("Name"), validators=[DataRequired(), at_most(MAX_NAME_LENGTH)], filters=[one_line])
    small_group_threshold = IntegerField(
        _l("Mindestgruppengröße für Berichte"), default=DEFAULT_SMALL_GROUP_THRESHOLD,
        validators=[InputRequired(_l("Bitte geben Sie eine Zahl ein.")),
                    NumberRange(min=MIN_THRESHOLD, max=MAX_SMALL_GROUP_THRESHOLD,
                                message=_l("Die Mindestgruppengröße muss zwischen %(min)d und %(max)d liegen."))],
        description=_l("Mit dem Betriebsrat vereinbart: Berichte zeigen keine Gruppe mit weniger Personen. "
                       "Nie unter 3; jede Änderung wird protokolliert."),
        render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Speichern"))


class NewOrganisationForm(OrganisationForm):
    """A new organisation: also its slug (made from the name when left empty) and its first units."""

    slug = StringField(_l("Kürzel"), validators=[Optional(), at_most(60)], filters=[strip],
                       description=_l("Leer lassen, dann wird es aus dem Namen gebildet. Unter dem Kürzel findet "
                                      "der CSV-Import auf der Kommandozeile die Organisation."),
                       render_kw={"autocapitalize": "off", "spellcheck": "false"})
    units = TextAreaField(_l("Einheiten"), validators=[Optional(), at_most(MAX_UNITS_TEXT)],
                          description=UNITS_HINT, render_kw={"rows": 6})
    submit = SubmitField(_l("Organisation anlegen"))


class AddUnitsForm(FlaskForm):
    """Add several units at once, one per line, as onboarding a company needs."""

    units = TextAreaField(_l("Neue Einheiten"), validators=[
        DataRequired(_l("Bitte geben Sie mindestens eine Einheit ein.")), at_most(MAX_UNITS_TEXT)],
        description=UNITS_HINT, render_kw={"rows": 6})
    submit = SubmitField(_l("Einheiten anlegen"))


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), at_most(MAX_NAME_LENGTH)], filters=[one_line],
                       description=_l("Der CSV-Import erkennt die Einheit danach am neuen Namen."))
    submit = SubmitField(_l("Umbenennen"))

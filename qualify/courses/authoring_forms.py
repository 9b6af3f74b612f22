"""Forms for editing courses in the browser."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, Regexp

from qualify.accounts.forms import LANGUAGE_CHOICES
from qualify.core.forms import at_most, email_address, strip
from qualify.core.templating import content_lang_attributes
from qualify.core.text import one_line
from qualify.courses.authoring_media import MAX_MEDIA_BYTES

SLUG_HINT = _l("Wird Teil der Adresse: a–z, 0–9 und Bindestriche, z. B. hochvolt-grundlagen.")
SLUG_RULE = Regexp(r"^[a-z0-9][a-z0-9-]*\Z",
                   message=_l("Nur a–z, 0–9 und Bindestriche, ohne Umlaute und Leerzeichen."))
KIND_CHOICES: list[SelectChoice] = [SelectChoice("self-study", _l("Selbstlernen")),
                                    SelectChoice("exchange", _l("Austausch")),
                                    SelectChoice("workshop", _l("Workshop"))]



SLUG_VALIDATORS = [DataRequired(), at_most(80), SLUG_RULE]


class NewCourseForm(FlaskForm):
    slug = StringField(_l("Kürzel"), validators=SLUG_VALIDATORS, description=SLUG_HINT)
    title = StringField(_l("Titel"), validators=[DataRequired(), at_most(200)], filters=[one_line])
    summary = TextAreaField(_l("Kurzbeschreibung"), validators=[Optional(), at_most(1000)],
                            description=_l("Ein, zwei Sätze für den Katalog."), render_kw={"rows": 3})
    # German unless chosen, whatever language the trainer reads these pages in: German is the platform's first.
    language = SelectField(_l("Sprache des Kurses"), default="de",
                           description=_l("In dieser Sprache schreiben Sie die Texte des Kurses; Qualify legt die "
                                          "ersten Zeilen darin an."))
    submit = SubmitField(_l("Kurs anlegen"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, and marked as such on a page in the other one.
        self.language.choices = [SelectChoice(choice.value, choice.label,
                                              render_kw=content_lang_attributes(choice.value))
                                 for choice in LANGUAGE_CHOICES]


class SourceForm(FlaskForm):
    """The whole text of one file: front matter and Markdown (or GIFT), as in the course folder."""

    # Its length is checked with the whole course, by the loader: the message then stands with the other problems
    # of the text, at the line where the text passes the limit, counted as the preview and the file count it.
    # A post without the field (not from our form) gives the empty text, which saving refuses with its reasons.
    text = TextAreaField(_l("Text der Datei"), default="",
                         render_kw={"rows": 28, "spellcheck": "true", "class": "source-editor",
                                    "autocapitalize": "off", "data-guard-unsaved": True})
    base = HiddenField()
    # Of a published course's module: the fingerprint of the draft the editor shows ("" for none; courses/drafts.py).
    draft_base = HiddenField()
    # Sent only by the button that saves over a version saved in between (the fingerprint of that version).
    overwrite = HiddenField()
    note = StringField(_l("Was haben Sie geändert? (optional)"), validators=[Optional(), at_most(300)],
                       description=_l("Erscheint in der Versionsgeschichte, z. B. „Tippfehler in Frage 3“."))
    submit = SubmitField(_l("Speichern"))


class NewModuleForm(FlaskForm):
    # InputRequired, not DataRequired: that one takes 0 for a missing number and hides the range it breaks.
    number = IntegerField(_l("Nummer"), validators=[InputRequired(), NumberRange(min=1, max=99)],
                          description=_l("Bestimmt die Reihenfolge (1 bis 99)."))
    slug = StringField(_l("Kürzel"), validators=SLUG_VALIDATORS, description=SLUG_HINT)
    title = StringField(_l("Titel"), validators=[DataRequired(), at_most(200)], filters=[one_line])
    kind = SelectField(_l("Art"), choices=KIND_CHOICES, default="self-study")
    submit = SubmitField(_l("Modul anlegen"))


class MediaForm(FlaskForm):
    # Ids of their own: the course page shows this form beside the question banks' (one "file" id each).
    file = FileField(_l("Bild oder PDF"), id="medien-datei", validators=[
        FileRequired(_l("Bitte wählen Sie eine Datei aus.")),
        FileSize(MAX_MEDIA_BYTES, message=_l("Die Datei ist größer als 5 MB."))],
        description=_l("PNG, JPEG, GIF, WebP, SVG oder PDF, höchstens 5 MB. Bilder einbinden mit "
                       "![Beschreibung](medien/bild.png), PDFs verlinken mit [Titel](medien/dokument.pdf)."),
        render_kw={"accept": ".png,.jpg,.jpeg,.gif,.webp,.svg,.pdf"})
    replace = BooleanField(_l("Eine vorhandene Datei gleichen Namens ersetzen"), id="medien-ersetzen",
                           description=_l("Texte, die sie zeigen oder verlinken, zeigen dann die neue."))
    submit = SubmitField(_l("Hochladen"))


class NewBankForm(FlaskForm):
    name = StringField(_l("Name der Fragensammlung"), id="fragen-name", validators=[Optional(), at_most(66)],
                       description=_l("Kleinbuchstaben, Ziffern und Bindestriche, z. B. notfall; leer lassen, "
                                      "um den Namen der hochgeladenen Datei zu nehmen."))
    file = FileField(_l("GIFT-Datei (optional)"), id="fragen-datei", validators=[
        FileSize(1024 * 1024, message=_l("Die Datei ist größer als 1 MB."))],
        render_kw={"accept": ".gift,.txt,text/plain"})
    submit = SubmitField(_l("Fragensammlung anlegen"))


class BankNameForm(FlaskForm):
    """One question bank of RenameBanksForm: its path now, and the name it is to have. Its label, which names the
    bank, and its hint, the loader's problem with the name it has, are set by the view."""

    class Meta:
        csrf = False  # the token of the form around it covers it; a FlaskForm for the messages in German

    old = HiddenField()
    new = StringField(_l("Neuer Name"), validators=[DataRequired(), at_most(66)])


class RenameBanksForm(FlaskForm):
    """New names for the course's misnamed question banks, all in one save: while one is left, none could be."""

    banks = FieldList(FormField(BankNameForm))
    submit = SubmitField(_l("Umbenennen"))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
    submit = SubmitField()


class RestoreForm(FlaskForm):
    submit = SubmitField(_l("Diese Version wiederherstellen"))


class OwnerForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse der Trainerin oder des Trainers"),
                       validators=[DataRequired(), email_address(), at_most(320)], filters=[strip])
    submit = SubmitField(_l("Als Mitverantwortliche/n hinzufügen"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Entfernen"))

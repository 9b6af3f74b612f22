"""Forms of the exchange: writing, reporting, moderating, spaces and minutes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Optional

from qualify.core.forms import CheckboxListField, TextAreaField, at_most, visible_text
from qualify.core.text import one_line
from qualify.exchange.text import MAX_POST_LENGTH, MAX_REASON, MAX_TITLE_LENGTH

BODY_HINT = _l(
    "Hervorheben mit **fett**, Listen mit - am Zeilenanfang, Zitate mit >. Höchstens 20.000 Zeichen."
)
# Refused with the text kept, never cut off by the browser: no maxlength on these fields (core.forms.at_most).
# The limit written as the hint writes it, "20.000". (A validator keeps no state.)
POST_LENGTH = at_most(MAX_POST_LENGTH, _l("Ihr Text ist zu lang: höchstens 20.000 Zeichen."))
# As the server says it when a decision comes with a longer reason (moderation_log.optional_reason).
REASON_LENGTH = at_most(MAX_REASON, _l("Der Grund ist zu lang: höchstens 2.000 Zeichen."))
TITLE_LENGTH = at_most(MAX_TITLE_LENGTH)
# A post typed and not sent is not lost without a word when the page is left (app.js asks first).
GUARDED = {"data-guard-unsaved": True}
ANONYMOUS_HINT = _l("Andere Teilnehmende und die Moderation sehen dann nur Ihr Pseudonym in diesem Raum.")


class PostForm(FlaskForm):
    body = TextAreaField(_l("Ihr Beitrag"), validators=[DataRequired(), visible_text, POST_LENGTH],
                         description=BODY_HINT, render_kw=GUARDED)
    anonymous = BooleanField(_l("Unter Pseudonym veröffentlichen"), description=ANONYMOUS_HINT)
    reply_to = HiddenField()


class ThreadForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), TITLE_LENGTH], filters=[one_line])
    body = TextAreaField(_l("Ihr Beitrag"), validators=[DataRequired(), visible_text, POST_LENGTH],
                         description=BODY_HINT, render_kw=GUARDED)
    anonymous = BooleanField(_l("Unter Pseudonym veröffentlichen"), description=ANONYMOUS_HINT)


class EditForm(FlaskForm):
    body = TextAreaField(_l("Ihr Beitrag"), validators=[DataRequired(), visible_text, POST_LENGTH],
                         description=BODY_HINT, render_kw=GUARDED)


class EditOpeningForm(EditForm):
    """Editing the opening post while it is not approved yet: its thread's title too (posting.title_editable)."""

    title = StringField(_l("Titel"), validators=[DataRequired(), TITLE_LENGTH], filters=[one_line])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Grund"), validators=[DataRequired(), REASON_LENGTH])


class OptionalReasonForm(FlaskForm):
    reason = TextAreaField(_l("Grund (freiwillig)"), validators=[Optional(), REASON_LENGTH])


class FollowForm(FlaskForm):
    mode = RadioField(
        _l("Benachrichtigung"),
        default="immediate",
        choices=[SelectChoice("immediate", _l("bei jedem neuen Beitrag")),
                 SelectChoice("digest", _l("einmal täglich"))],
    )


class SpaceForm(FlaskForm):
    title = StringField(_l("Thema"), validators=[DataRequired(), TITLE_LENGTH], filters=[one_line])
    description = TextAreaField(_l("Beschreibung, Leitfragen und Regeln"),
                                validators=[Optional(), POST_LENGTH], description=BODY_HINT)
    scope = SelectField(_l("Wer kann teilnehmen?"))
    moderation = SelectField(
        _l("Moderation"),
        choices=[
            SelectChoice("pre", _l("Beiträge erst nach Freigabe sichtbar")),
            SelectChoice("post", _l("Beiträge sofort sichtbar, können ausgeblendet werden")),
        ],
    )
    anonymous = SelectField(_l("Pseudonyme"), choices=[
        SelectChoice("allowed", _l("erlaubt")),
        SelectChoice("forbidden", _l("nicht erlaubt – alle schreiben unter ihrem Namen"))])


class MoveForm(FlaskForm):
    target = SelectField(_l("Neuer Raum"), coerce=int)
    reason = TextAreaField(_l("Grund (freiwillig)"), validators=[Optional(), REASON_LENGTH])


class MergeForm(FlaskForm):
    """Choosing the thread to merge into, then confirming: the confirmation sends the choice and the reason again
    in hidden fields, with one of its two buttons (`confirmed`, or `back` to the choice)."""

    target = SelectField(_l("Zusammenführen mit"), coerce=int)
    reason = TextAreaField(_l("Grund (freiwillig)"), validators=[Optional(), REASON_LENGTH])
    confirmed = SubmitField(_l("Ja, zusammenführen"))
    back = SubmitField(_l("Zurück zur Auswahl"))


class ModeratorForm(FlaskForm):
    user_id = SelectField(_l("Person mit der Rolle Moderation"), coerce=int)


# Where a word of the minutes is part of the name of someone who has not agreed to be named.
NAMES_CHECKED = _l("Ich habe geprüft: damit ist niemand gemeint, der nicht zugestimmt hat, genannt zu werden")
NAMES_CHECKED_HINT = _l(
    "Nur ankreuzen, wenn keines der genannten Wörter diese Personen meint; sonst ändern Sie bitte den Text."
)


class MinutesForm(FlaskForm):
    topics = TextAreaField(_l("Besprochene Themen"), validators=[Optional(), POST_LENGTH])
    outcomes = TextAreaField(_l("Ergebnisse"), validators=[Optional(), POST_LENGTH])
    open_questions = TextAreaField(_l("Offene Fragen"), validators=[Optional(), POST_LENGTH])
    next_steps = TextAreaField(_l("Nächste Schritte"), validators=[Optional(), POST_LENGTH])
    named = CheckboxListField(_l("Namentlich nennen (nur wer zugestimmt hat)"), coerce=int)
    names_checked = BooleanField(NAMES_CHECKED, description=NAMES_CHECKED_HINT)
    confirmation = HiddenField()  # what was shown with the warning: a changed text is checked again


class PublishMinutesForm(FlaskForm):
    """Approving the minutes; the confirmation only where the minutes warn of a name (prefix "publish")."""

    names_checked = BooleanField(NAMES_CHECKED, description=NAMES_CHECKED_HINT)
    confirmation = HiddenField()

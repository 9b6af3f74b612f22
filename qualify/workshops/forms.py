"""Forms for planning and editing sessions, and the filter of the session list."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from qualify.core.forms import CheckboxListField, strip
from qualify.core.text import one_line
from qualify.core.time import to_local, utcnow
from qualify.workshops.schedule import (
    REPEAT_MISSING,
    ScheduleError,
    SessionPlan,
    StrayExceptions,
    out_of_range,
    series_dates,
)

FORMAT_LABELS = {"in-person": _l("vor Ort"), "online": _l("online"), "hybrid": _l("hybrid")}
STATUS_LABELS = {
    "confirmed": _l("Platz bestätigt"), "waitlisted": _l("Warteliste"), "pending": _l("wartet auf Freigabe"),
    "declined": _l("abgelehnt"), "cancelled": _l("storniert"), "expired": _l("kein Platz frei geworden"),
}
ATTENDANCE_LABELS = {"present": _l("anwesend"), "excused": _l("entschuldigt"), "absent": _l("abwesend")}


def _web_link(form, field) -> None:
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise ValidationError(_l("Bitte einen Link mit https:// angeben."))


def parse_dates(text: str) -> set[date]:
    """Read exception dates, one per line or separated by commas: 24.12.2026, 24/12/2026 (day first, as in
    Britain and the English pages' dates) or 2026-12-24."""
    found = set()
    for raw in text.replace(",", "\n").replace(";", "\n").split():
        for pattern in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"):
            try:
                found.add(datetime.strptime(raw.strip(), pattern).date())
                break
            except ValueError:
                continue
        else:
            raise ValueError(raw)
    return found


class SessionForm(FlaskForm):
    day = DateField(_l("Datum"), validators=[DataRequired()])
    start_time = TimeField(_l("Beginn (Uhrzeit in Deutschland)"), validators=[DataRequired()])
    end_time = TimeField(_l("Ende"), validators=[DataRequired()])
    format = SelectField(_l("Format"), choices=[SelectChoice(key, label) for key, label in FORMAT_LABELS.items()])
    place = StringField(_l("Ort"), validators=[Optional(), Length(max=300)], filters=[one_line],
                        description=_l("z. B. Ausbildungswerkstatt, Halle 4, Raum 2"))
    online_url = URLField(_l("Online-Link"), validators=[Optional(), Length(max=500), URL(), _web_link],
                          description=_l("Nur bestätigte Teilnehmende sehen den Link."))
    note = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=2000)])
    capacity = IntegerField(_l("Plätze"), validators=[InputRequired(), NumberRange(min=1, max=500)])
    booking_hours_before = IntegerField(_l("Anmeldeschluss (Stunden vor Beginn)"), default=0,
                                        validators=[Optional(), NumberRange(min=0, max=24 * 90)])
    cancellation_hours_before = IntegerField(_l("Abmeldefrist (Stunden vor Beginn)"), default=24,
                                             validators=[Optional(), NumberRange(min=0, max=24 * 90)])
    approval_required = BooleanField(_l("Anmeldungen müssen freigegeben werden"))
    trainers = CheckboxListField(_l("Trainerinnen und Trainer"), coerce=int)
    submit = SubmitField(_l("Speichern"))
    # An edited session's own date: kept, it is never refused, however long ago it was.
    keep_day: date | None = None

    def validate_trainers(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Bitte mindestens eine Trainerin oder einen Trainer wählen."))

    def validate(self, extra_validators=None) -> bool:
        # Checks that depend on another field. Not as validate_<field>: an empty field stops at Optional(),
        # so those never ran on the empty fields they are about (a hybrid session was saved without a link).
        valid = super().validate(extra_validators)
        for field, message in [*self.missing_by_choice(), *self.impossible_dates(to_local(utcnow()).date())]:
            field.errors.append(message)
            valid = False
        return valid

    def impossible_dates(self, today: date) -> list:
        """The dates that cannot be planned (too far back or ahead), with their message."""
        day = self.day.data
        if day is not None and day != self.keep_day and (refusal := out_of_range(day, today)) is not None:
            return [(self.day, refusal)]
        return []

    def missing_by_choice(self) -> list:
        """The fields left empty that the other choices make necessary, with their message."""
        missing = []
        if self.format.data in ("in-person", "hybrid") and not (self.place.data or "").strip():
            missing.append((self.place, _l("Bitte einen Ort angeben.")))
        if self.format.data in ("online", "hybrid") and not (self.online_url.data or "").strip():
            missing.append((self.online_url, _l("Bitte einen Online-Link angeben.")))
        return missing

    def plan(self, trainers_by_id: dict) -> SessionPlan:
        """Turn the form into a SessionPlan."""
        return SessionPlan(
            start_time=self.start_time.data, end_time=self.end_time.data, capacity=self.capacity.data,
            format=self.format.data, place=self.place.data or "", online_url=self.online_url.data or "",
            note=self.note.data or "", booking_hours_before=self.booking_hours_before.data or 0,
            cancellation_hours_before=self.cancellation_hours_before.data or 0,
            approval_required=self.approval_required.data,
            trainers=[trainers_by_id[i] for i in self.trainers.data or [] if i in trainers_by_id])


class CancelSessionForm(FlaskForm):
    note = TextAreaField(_l("Grund für die Teilnehmenden (freiwillig)"), validators=[Optional(), Length(max=1000)],
                         description=_l("Steht in der E-Mail an alle Angemeldeten und auf der Seite des Termins, "
                                        "z. B. „Die Trainerin ist erkrankt; ein Ersatztermin folgt.“"))
    submit = SubmitField(_l("Termin absagen und alle benachrichtigen"))


class WalkInForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=320)], filters=[strip],
                       description=_l("Für alle, die ohne Platz gekommen sind: ohne Buchung, von der Warteliste "
                                      "oder mit offener Anfrage."))
    submit = SubmitField(_l("Als anwesend eintragen"))


class NewSessionForm(SessionForm):
    every_weeks = IntegerField(_l("Wiederholen alle … Wochen (0 = einmalig)"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=8)])
    until = DateField(_l("Serie bis einschließlich"), validators=[Optional()])
    exceptions = TextAreaField(_l("Ausnahmen (Daten ohne Termin, je Zeile eines, z. B. 24.12.2026)"),
                               validators=[Optional(), Length(max=2000)])

    def missing_by_choice(self) -> list:
        missing = super().missing_by_choice()
        if (self.every_weeks.data or 0) > 0 and not self.until.data:
            missing.append((self.until, _l("Bitte angeben, bis wann die Serie läuft.")))
        return missing

    def impossible_dates(self, today: date) -> list:
        """Besides the first date: the series' end, a repetition missing, and exceptions on no planned date."""
        impossible = super().impossible_dates(today)
        every_weeks, until = self.every_weeks.data or 0, self.until.data
        if until is not None and every_weeks <= 0 and not self.every_weeks.errors:
            return [*impossible, (self.every_weeks, REPEAT_MISSING)]
        if until is not None and (refusal := out_of_range(until, today)) is not None:
            return [*impossible, (self.until, refusal)]
        if impossible or self.day.data is None or self.every_weeks.errors or self.exceptions.errors:
            return impossible
        try:
            series_dates(self.day.data, every_weeks=every_weeks, until=until,
                         exceptions=parse_dates(self.exceptions.data or ""))
        except StrayExceptions as error:
            return [(self.exceptions, str(error))]
        except ScheduleError as error:  # an end before the first date, too many dates
            return [(self.until, str(error))]
        return []

    def validate_exceptions(self, field) -> None:
        try:
            parse_dates(field.data or "")
        except ValueError as error:
            raise ValidationError(_l("Dieses Datum verstehe ich nicht: %(text)s", text=str(error))) from None

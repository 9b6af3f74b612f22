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
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, NumberRange, Optional, StopValidation, ValidationError

from qualify.core.forms import CheckboxListField, TextAreaField, at_most, strip
from qualify.core.text import one_line
from qualify.core.time import to_local, utcnow
from qualify.workshops.schedule import (
    REPEAT_MISSING,
    ScheduleError,
    SessionPlan,
    StrayExceptions,
    check_not_past,
    local_to_utc,
    no_leader,
    out_of_range,
    series_dates,
)

FORMAT_LABELS = {"in-person": _l("vor Ort"), "online": _l("online"), "hybrid": _l("hybrid")}
STATUS_LABELS = {
    "confirmed": _l("Platz bestätigt"), "waitlisted": _l("Warteliste"), "pending": _l("wartet auf Freigabe"),
    "declined": _l("abgelehnt"), "cancelled": _l("storniert"), "expired": _l("kein Platz frei geworden"),
}
# A cancelled session's people as they stood when it was cancelled (all of them were told): no live seat words.
AT_CANCELLING_LABELS = {"confirmed": _l("hatte einen Platz"), "waitlisted": _l("stand auf der Warteliste"),
                        "pending": _l("wartete auf Freigabe")}
# Entered on the attendance list by a trainer without having had a seat (attendance.add_walk_in).
WALK_IN_LABEL = _l("ohne Platz gekommen")
ATTENDANCE_LABELS = {"present": _l("anwesend"), "excused": _l("entschuldigt"), "absent": _l("abwesend")}
# Beside the choice of who leads an exchange session, where a course's trainers do not find themselves.
EXCHANGE_LEADERS = _l("Einen Austausch leiten die Moderatorinnen und Moderatoren seines Raums.")
# That choice's name for an exchange session: its moderators lead it, not trainers.
EXCHANGE_LEADERS_LABEL = _l("Leitung")
# A day without a clock change, to check an end against its begin on when the date itself is refused: the end
# must come after the begin (or at most MAX_OVERNIGHT later, over night) whatever the day.
_PLAIN_DAY = date(2026, 1, 15)


def status_label(booking, *, cancelled: bool = False):
    """What the trainer's lists say of a booking: who came without a seat is named so, not as seat confirmed; a
    `cancelled` session's people as they stood when it was cancelled."""
    if booking.walked_in:
        return WALK_IN_LABEL
    labels = {**STATUS_LABELS, **AT_CANCELLING_LABELS} if cancelled else STATUS_LABELS
    return labels.get(booking.status, booking.status)



def _web_link(form, field) -> None:
    # Stops the check here: without https:// WTForms' URL() refused the link as well, two messages for one slip.
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise StopValidation(_l("Bitte einen Link mit https:// angeben."))


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
    place = StringField(_l("Ort"), validators=[Optional(), at_most(300)], filters=[one_line],
                        description=_l("z. B. Ausbildungswerkstatt, Halle 4, Raum 2"))
    online_url = URLField(_l("Online-Link"), validators=[Optional(), at_most(500), _web_link, URL()],
                          description=_l("Nur bestätigte Teilnehmende sehen den Link."))
    capacity = IntegerField(_l("Plätze"), validators=[InputRequired(), NumberRange(min=1, max=500)])
    booking_hours_before = IntegerField(_l("Anmeldeschluss (Stunden vor Beginn)"), default=0,
                                        validators=[Optional(), NumberRange(min=0, max=24 * 90)])
    cancellation_hours_before = IntegerField(_l("Absagefrist (Stunden vor Beginn)"), default=24,
                                             validators=[Optional(), NumberRange(min=0, max=24 * 90)],
                                             description=_l("Bis dahin können Teilnehmende ihren Platz selbst "
                                                            "absagen; danach nur über die Leitung."))
    approval_required = BooleanField(_l("Anmeldungen müssen freigegeben werden"))
    trainers = CheckboxListField(_l("Trainerinnen und Trainer"), coerce=int)
    # The fields in the order of the page (session_form.html): the summary of errors above lists them so.
    note = TextAreaField(_l("Hinweise"), validators=[Optional(), at_most(2000)])
    submit = SubmitField(_l("Speichern"))
    # An edited session's own start (UTC, to the minute): its date and time are kept, however long ago they were.
    kept_start: datetime | None = None
    # The kind of the module the session is of (schedule.SESSION_KINDS): who leads it is named after it.
    kind = "workshop"

    def for_kind(self, kind: str) -> None:
        """Name who leads the session as its kind does: an exchange is led by the moderators of its space, whom
        "Trainerinnen und Trainer" would not name (nor a course's trainer planning it find themselves among)."""
        self.kind = kind
        if kind == "exchange":
            self.trainers.label.text = EXCHANGE_LEADERS_LABEL
            self.trainers.description = EXCHANGE_LEADERS

    def validate_trainers(self, field) -> None:
        if not field.data:
            raise ValidationError(no_leader(self.kind))

    def validate(self, extra_validators=None) -> bool:
        # Checks that depend on another field. Not as validate_<field>: an empty field stops at Optional(),
        # so those never ran on the empty fields they are about (a hybrid session was saved without a link).
        # All in one go, each after the fields it reads are found sound: the trainer corrects everything at once,
        # not the times only when the rest was right.
        valid = super().validate(extra_validators)
        now = utcnow()
        checks = (self.missing_by_choice, lambda: self.impossible_dates(to_local(now).date()),
                  lambda: self.impossible_times(now))
        for check in checks:
            for field, message in check():
                field.errors.append(message)
                valid = False
        return valid

    @property
    def keep_day(self) -> date | None:
        return to_local(self.kept_start).date() if self.kept_start is not None else None

    def impossible_dates(self, today: date) -> list:
        """The dates that cannot be planned (too far back or ahead), with their message."""
        day = self.day.data
        if day is not None and day != self.keep_day and (refusal := out_of_range(day, today)) is not None:
            return [(self.day, refusal)]
        return []

    def planned_days(self) -> list[date]:
        """The days the times are planned on."""
        return [self.day.data]

    def impossible_times(self, now: datetime) -> list:
        """What the times cannot be on the days planned, with its message: a start already past, a time the clock
        change skips, an end not after the begin. The same checks as planning, made with the form's others, and
        each said: a past date is said with an end before the begin, not once the end is put right. A refused
        date leaves the end to check against the begin on a day of no clock change."""
        if self.start_time.errors or self.end_time.errors or None in (self.start_time.data, self.end_time.data):
            return []
        times = SessionPlan(start_time=self.start_time.data, end_time=self.end_time.data, capacity=1)
        if self.day.errors or self.day.data is None:
            try:
                times.times_on(_PLAIN_DAY)
            except ScheduleError as error:
                return [(self.end_time, str(error))] if error.part == "end_time" else []
            return []
        found: dict[str, ScheduleError] = {}  # the first refusal of each part of the plan
        for day in self.planned_days():
            try:
                check_not_past(local_to_utc(day, self.start_time.data, part="start_time"), day, now,
                               kept=self.kept_start)
            except ScheduleError as error:
                found.setdefault(error.part, error)
            try:
                times.times_on(day)
            except ScheduleError as error:
                found.setdefault(error.part, error)
        return [(self._fields.get(part, self.day), str(error)) for part, error in found.items()]

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


class EditSessionForm(SessionForm):
    # Shown only for a session of a series with dates after it still to come; its label counts them.
    also_later = BooleanField(_l("Diese Angaben auch für die folgenden Termine der Serie übernehmen"))
    # The local dates of those later sessions: with also_later, their times are checked with the form's.
    later_days: list[date] = []

    def planned_days(self) -> list[date]:
        return [self.day.data, *self.later_days] if self.also_later.data else [self.day.data]


class CancelSessionForm(FlaskForm):
    note = TextAreaField(_l("Grund für die Teilnehmenden (freiwillig)"), validators=[Optional(), at_most(1000)],
                         description=_l("Steht in der E-Mail an alle Angemeldeten und auf der Seite des Termins, "
                                        "z. B. „Die Trainerin ist erkrankt; ein Ersatztermin folgt.“"))
    submit = SubmitField(_l("Termin absagen und alle benachrichtigen"))


class ParticipantCancelForm(FlaskForm):
    """The reason for the person whose seat, waitlist place or request a trainer cancels (asked in the participant
    list); shown as a form of its own only when it came back refused."""

    reason = TextAreaField(_l("Grund für die Person (freiwillig)"), validators=[Optional(), at_most(1000)],
                           description=_l("Steht in der E-Mail an die Person."), render_kw={"rows": 6})


class WalkInForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), at_most(320)], filters=[strip],
                       description=_l("Für alle, die ohne Platz gekommen sind: ohne Buchung, von der Warteliste "
                                      "oder mit offener Anfrage."))
    submit = SubmitField(_l("Als anwesend eintragen"))


class NewSessionForm(SessionForm):
    every_weeks = IntegerField(_l("Wiederholen alle … Wochen (0 = einmalig)"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=8)])
    until = DateField(_l("Serie bis einschließlich"), validators=[Optional()])
    exceptions = TextAreaField(_l("Ausnahmen (Daten ohne Termin, je Zeile eines, z. B. 24.12.2026)"),
                               validators=[Optional(), at_most(2000)])

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

    def planned_days(self) -> list[date]:
        """Every date of the series (a clock change may skip a time on one of them), or the first alone when
        the series cannot be told."""
        if self.every_weeks.errors or self.until.errors or self.exceptions.errors:
            return [self.day.data]
        try:
            return series_dates(self.day.data, every_weeks=self.every_weeks.data or 0, until=self.until.data,
                                exceptions=parse_dates(self.exceptions.data or ""))
        except (ScheduleError, ValueError):
            return [self.day.data]

    def validate_exceptions(self, field) -> None:
        try:
            parse_dates(field.data or "")
        except ValueError as error:
            raise ValidationError(_l("„%(text)s“ lässt sich nicht als Datum lesen. Bitte im Format TT.MM.JJJJ "
                                     "angeben.", text=str(error))) from None

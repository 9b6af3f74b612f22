"""Planning sessions: local (Europe/Berlin) times to UTC, weekly series, editing and cancelling."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from qualify.accounts.models import User
from qualify.core import audit
from qualify.core.database import take_turns
from qualify.core.time import LOCAL_TZ, to_local
from qualify.courses.models import Module
from qualify.extensions import db
from qualify.workshops import mails, services
from qualify.workshops.models import Booking, SentReminder, WorkshopSession

MAX_SERIES = 52
SESSION_KINDS = ("workshop", "exchange")


class ScheduleError(ValueError):
    """A date or series that cannot be planned; the message is for the trainer. `part` names what of the plan to
    change ("day", "start_time", "end_time", "every_weeks", "until", "exceptions"; "" when none), so that a form
    can say it beside that field."""

    def __init__(self, message, part: str = "") -> None:
        super().__init__(message)
        self.part = part


class StrayExceptions(ScheduleError):
    """Exception dates on none of the dates planned."""


MAX_OVERNIGHT = timedelta(hours=12)
TOOK_PLACE = _l("Für diesen Termin ist schon Anwesenheit eingetragen: Er hat stattgefunden und kann nicht mehr "
                "abgesagt werden.")
# The dates a session may be planned for, from today: far enough for any real plan, and near enough that nothing
# computed from them leaves the calendar (the year 1 or 9999 brought the page down). Before today only so that
# a date just past is refused as in the past; an edited session may keep a date further back.
DAYS_BACK, DAYS_AHEAD = timedelta(days=31), timedelta(days=3 * 366)
# The same plan sent again within this time is taken for a retry of the first (a double tap, Back and Speichern).
RETRY_WINDOW = timedelta(minutes=5)


def planning_range(today: date) -> tuple[date, date]:
    """The first and last day a session may be planned for, seen from today (Berlin)."""
    return today - DAYS_BACK, today + DAYS_AHEAD


def out_of_range(day: date, today: date) -> str | None:
    """Why the day cannot be planned (too far back or ahead), or None."""
    first, last = planning_range(today)
    if first <= day <= last:
        return None
    return _("Bitte ein Datum zwischen dem %(first)s und dem %(last)s wählen.",
             first=_day(first), last=_day(last))


def _check_range(days, now: datetime, *, keep: date | None = None) -> None:
    today = to_local(now).date()
    for day in days:
        if day != keep and (refusal := out_of_range(day, today)) is not None:
            raise ScheduleError(refusal, "day")


def _day(day: date) -> str:
    """A date in a message, as the reader writes it: "20.11.2026", "20 Nov 2026"."""
    return format_date(day, "medium")


def local_to_utc(day: date, at: time, *, part: str = "") -> datetime:
    """Turn a Berlin wall-clock time into UTC; on the autumn change the earlier (summer-time) 02:30 counts.

    A time skipped by the spring change (02:30 on the last Sunday of March) does not exist and is refused (`part`:
    the field of the time, for the refusal).
    """
    local = datetime.combine(day, at, tzinfo=LOCAL_TZ)
    try:
        utc = local.astimezone(UTC)
    except OverflowError:  # the first or last hours of the calendar; planned dates are checked before
        raise ScheduleError(_("Dieses Datum kann nicht geplant werden."), "day") from None
    if utc.astimezone(LOCAL_TZ).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ScheduleError(_("%(time)s gibt es am %(day)s wegen der Zeitumstellung nicht.",
                              time=at.strftime("%H:%M"), day=_day(day)), part)
    return utc


def series_dates(first: date, *, every_weeks: int = 0, until: date | None = None,
                 exceptions: set[date] | frozenset = frozenset()) -> list[date]:
    """Return the dates of one session (every_weeks 0) or a series every N weeks, minus the exceptions.

    Refused: an end without a repetition, an end before the first date, more than MAX_SERIES dates, and exceptions
    that fall on none of the dates (a typo would otherwise go unnoticed, and the date it meant be planned).
    """
    if every_weeks <= 0 and until is not None:
        raise ScheduleError(REPEAT_MISSING, "every_weeks")
    if every_weeks <= 0 or until is None:
        every = [first]
    else:
        if until < first:
            raise ScheduleError(_("Das Ende der Serie liegt vor dem ersten Termin."), "until")
        # Counted before a single date is made: an end in the year 9999 must not be walked to week by week.
        if (until - first).days // (7 * every_weeks) + 1 > MAX_SERIES + len(exceptions):
            raise ScheduleError(_("Eine Serie hat höchstens %(n)d Termine.", n=MAX_SERIES), "until")
        step = timedelta(weeks=every_weeks)
        every = [first + step * n for n in range((until - first).days // step.days + 1)]
    if stray := sorted(set(exceptions) - set(every)):
        raise StrayExceptions(_("Diese Ausnahmen fallen auf keinen der geplanten Termine: %(dates)s",
                                dates=", ".join(_day(day) for day in stray)), "exceptions")
    dates = [day for day in every if day not in exceptions]
    if len(dates) > MAX_SERIES:
        raise ScheduleError(_("Eine Serie hat höchstens %(n)d Termine.", n=MAX_SERIES), "until")
    return dates


REPEAT_MISSING = _l("Für eine Serie bitte angeben, alle wie viele Wochen sie sich wiederholt.")


@dataclass
class SessionPlan:
    """What a trainer enters for a session (or each session of a series); times are Berlin wall-clock."""

    start_time: time
    end_time: time
    capacity: int
    format: str = "in-person"
    place: str = ""
    online_url: str = ""
    note: str = ""
    booking_hours_before: int = 0
    cancellation_hours_before: int = 24
    approval_required: bool = False
    trainers: list[User] = field(default_factory=list)

    def times_on(self, day: date) -> tuple[datetime, datetime]:
        """Begin and end on the day; an end before the begin is on the next day (a night shift's 22:00–06:00).

        Refused: a time the clock change skips, an end at the begin (09:00–09:00 is no session, not one of 24
        hours), and a night longer than MAX_OVERNIGHT.
        """
        starts_at = local_to_utc(day, self.start_time, part="start_time")
        if self.end_time == self.start_time:
            raise ScheduleError(_("Das Ende muss nach dem Beginn liegen."), "end_time")
        if self.end_time > self.start_time:
            return starts_at, local_to_utc(day, self.end_time, part="end_time")
        if day == date.max:
            raise ScheduleError(_("Dieses Datum kann nicht geplant werden."), "day")
        ends_at = local_to_utc(day + timedelta(days=1), self.end_time, part="end_time")
        if ends_at - starts_at > MAX_OVERNIGHT:  # more likely a slip than a session through the night
            raise ScheduleError(_("Das Ende liegt vor dem Beginn. Ein Termin über Nacht (z. B. 22:00–06:00) darf "
                                  "höchstens %(hours)d Stunden dauern.", hours=MAX_OVERNIGHT.seconds // 3600),
                                "end_time")
        return starts_at, ends_at

    @classmethod
    def of(cls, session: WorkshopSession) -> "SessionPlan":
        """Describe an existing session, e.g. to fill the edit form."""
        hours = lambda deadline: max(0, round((session.starts_at - deadline).total_seconds() / 3600))  # noqa: E731
        return cls(start_time=to_local(session.starts_at).time(), end_time=to_local(session.ends_at).time(),
                   capacity=session.capacity, format=session.format, place=session.place,
                   online_url=session.online_url, note=session.note,
                   booking_hours_before=hours(session.booking_deadline_at),
                   cancellation_hours_before=hours(session.cancellation_deadline_at),
                   approval_required=session.approval_required, trainers=list(session.trainers))


def check_not_past(starts_at: datetime, day: date, now: datetime, *, kept: datetime | None = None) -> None:
    """Refuse a start that is not in the future, unless it is the edited session's own start (`kept`): a running
    session may still get a new room or note, but nothing is moved to a time already past."""
    if starts_at <= now and starts_at != kept:
        raise ScheduleError(_("Der Termin am %(day)s liegt in der Vergangenheit.", day=_day(day)),
                            "day")


def no_leader(kind: str) -> str:
    """The refusal of a session nobody leads, in the words of its module's kind: an exchange is led by the
    moderators of its space, whom "Trainerin oder Trainer" would not name."""
    if kind == "exchange":
        return _("Bitte wählen Sie mindestens eine Person, die den Termin leitet.")
    return _("Bitte mindestens eine Trainerin oder einen Trainer wählen.")


def default_capacity(module: Module) -> int:
    """Take the capacity from the module's settings (front matter), else 12."""
    settings = module.current_version.settings if module.current_version else {}
    try:
        return max(1, int(settings.get("capacity") or 12))
    except (TypeError, ValueError):
        return 12


def _apply(session: WorkshopSession, plan: SessionPlan, day: date) -> None:
    if not plan.trainers:  # nobody would see its participants or could take attendance
        version = session.module.current_version
        raise ScheduleError(no_leader(version.kind if version is not None else ""), "trainers")
    session.starts_at, session.ends_at = plan.times_on(day)
    try:
        session.booking_deadline_at = session.starts_at - timedelta(hours=plan.booking_hours_before)
        session.cancellation_deadline_at = session.starts_at - timedelta(hours=plan.cancellation_hours_before)
    except OverflowError:  # days before the year 1; planned dates are checked before
        raise ScheduleError(_("Dieses Datum kann nicht geplant werden."), "day") from None
    session.capacity = plan.capacity
    session.format = plan.format
    session.place = plan.place.strip()
    # On site there is no link: one left from an online or hybrid plan would still show, and go in calendars.
    session.online_url = plan.online_url.strip() if plan.format != "in-person" else ""
    session.note = plan.note.strip()
    session.approval_required = plan.approval_required
    session.trainers = list(plan.trainers)


def create_sessions(module: Module, plan: SessionPlan, dates: list[date], *, by: User,
                    now: datetime) -> list[WorkshopSession]:
    """Create one session per date; a series shares a key but every session is edited on its own."""
    if module.current_version is None or module.current_version.kind not in SESSION_KINDS:
        raise ScheduleError(_("Termine gibt es nur für Workshop- und Austauschmodule."))
    if not dates:
        raise ScheduleError(_("Es bleibt kein Termin übrig."))
    _check_range(dates, now)
    series_key = str(uuid.uuid4()) if len(dates) > 1 else None
    sessions = []
    for day in dates:
        session = WorkshopSession(module=module, series_key=series_key, created_by_id=by.id, created_at=now)
        _apply(session, plan, day)
        check_not_past(session.starts_at, day, now)
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    audit.record("workshops.sessions_created", actor=by, target=sessions[0], count=len(sessions),
                 module_id=module.id)
    return sessions


def plan_sessions(module: Module, plan: SessionPlan, dates: list[date], *, by: User,
                  now: datetime) -> tuple[list[WorkshopSession], bool]:
    """Create the sessions as create_sessions does – unless the same person sent this very plan a moment ago
    (a double tap on a slow network, Back and Speichern again): then return what the first made, and False."""
    _check_range(dates, now)
    take_turns(f"planning:{by.id}")  # two copies sent at the same moment: the second finds the first
    if (earlier := _retried(module, plan, dates, by=by, now=now)) is not None:
        return earlier, False
    return create_sessions(module, plan, dates, by=by, now=now), True


def _retried(module: Module, plan: SessionPlan, dates: list[date], *, by: User,
             now: datetime) -> list[WorkshopSession] | None:
    """The sessions the same person planned for the same module a moment ago, at the same times and place."""
    try:
        starts = {plan.times_on(day)[0] for day in dates}
    except ScheduleError:
        return None  # create_sessions says what is wrong
    stmt = select(WorkshopSession).where(
        WorkshopSession.module_id == module.id, WorkshopSession.created_by_id == by.id,
        WorkshopSession.created_at >= now - RETRY_WINDOW, WorkshopSession.status == "scheduled",
        WorkshopSession.place == plan.place.strip(), WorkshopSession.starts_at.in_(starts))
    batches: dict[datetime, list[WorkshopSession]] = {}
    for session in db.session.scalars(stmt.order_by(WorkshopSession.created_at.desc(), WorkshopSession.starts_at)):
        batches.setdefault(session.created_at, []).append(session)  # one submission: one created_at
    return next((batch for batch in batches.values() if {s.starts_at for s in batch} == starts
                 and len(batch) == len(starts)), None)


class Update(NamedTuple):
    """What an edit changed for the booked people (named as the change mail names it), and how many were told."""

    changes: tuple
    told: int


def update_session(session: WorkshopSession, plan: SessionPlan, day: date, *, by: User,
                   now: datetime) -> Update:
    """Change one session and fill seats a larger capacity frees; where what the booked people see changed,
    bump its SEQUENCE and tell them; a date or time changed lets those booked before cancel until the start.
    Switching approval off turns the open requests into bookings. The other trainers hear of what `by` changed.
    Return what changed for the booked people and how many of them were told."""
    session = services.lock_session(session)
    if session.is_cancelled:
        raise ScheduleError(_("Ein abgesagter Termin kann nicht mehr geändert werden."))
    starts_at = session.starts_at.replace(second=0, microsecond=0)  # as the form shows it
    ends_at = session.ends_at.replace(second=0, microsecond=0)
    _check_range([day], now, keep=to_local(starts_at).date())  # a session long past may keep its date
    seen_before, trainers_before, place_before = _seen_by_participants(session), list(session.trainers), session.place
    seen_by_trainers_before, approval_before = _seen_by_trainers(session), session.approval_required
    _apply(session, plan, day)
    # A running session may still get a new room or note; it cannot be moved to a time already past.
    check_not_past(session.starts_at, day, now, kept=starts_at)
    session.updated_at = now
    if session.bookings_closed_at is not None and session.booking_deadline_at > now:
        session.bookings_closed_at = None  # the deadline moved into the future: bookings open again
    if session.starts_at != starts_at:  # reminders go out again for the new date
        db.session.execute(delete(SentReminder).where(SentReminder.booking_id.in_(
            select(Booking.id).where(Booking.session_id == session.id))))
    moved = (session.starts_at, session.ends_at) != (starts_at, ends_at)
    if moved:
        session.rescheduled_at = now  # see Booking.cancellable_until
    before = mails.Before(*((starts_at, ends_at) if moved else (None, None)),
                          place=place_before if session.place != place_before else None)
    changes = _changes(seen_before, _seen_by_participants(session))
    told = 0
    if changes:  # seats or trainers alone change nothing for them
        session.sequence += 1
        db.session.flush()
        told = mails.notify_session(session, "changed", changes=changes, before=before)
    db.session.flush()
    audit.record("workshops.session_changed", actor=by, target=session)
    services.promote(session, now=now)
    if approval_before and not session.approval_required:
        services.release_requests(session, now=now)
    if trainer_changes := _changes(seen_by_trainers_before, _seen_by_trainers(session), SEEN_BY_TRAINERS):
        # Those taken off it as well: they learn that they no longer lead it.
        everyone = list({t.id: t for t in [*trainers_before, *session.trainers]}.values())
        mails.notify_trainers(session, "changed", by=by, trainers=everyone, changes=trainer_changes,
                              before=before)
    return Update(changes, told)


def later_in_series(session: WorkshopSession, *, now: datetime) -> list[WorkshopSession]:
    """The dates of the session's series after it that are still to come and not cancelled, in order."""
    if session.series_key is None:
        return []
    return list(db.session.scalars(
        select(WorkshopSession).where(WorkshopSession.series_key == session.series_key,
                                      WorkshopSession.id != session.id,
                                      WorkshopSession.starts_at > max(session.starts_at, now),
                                      WorkshopSession.status == "scheduled")
        .order_by(WorkshopSession.starts_at)))


def update_series(session: WorkshopSession, plan: SessionPlan, day: date, *, by: User,
                  now: datetime) -> list[tuple[WorkshopSession, Update]]:
    """Change the session as update_session does, and the later dates of its series with the same plan, each
    on its own date (a series moved from 9 to 10 o'clock, a new room from next week on). All or nothing: a
    time a later date cannot have (a clock change) refuses the whole change, naming that date."""
    later = later_in_series(session, now=now)  # before the session's own date may move past one of them
    changed = [(session, update_session(session, plan, day, by=by, now=now))]
    for other in later:
        changed.append((other, update_session(other, plan, to_local(other.starts_at).date(), by=by, now=now)))
    return changed


# What the booked people read in the mail and their calendar, named as the change mail names it.
_TIME = _l("Zeit")
SEEN_BY_PARTICIPANTS = (("starts_at", _TIME), ("ends_at", _TIME), ("format", _l("Format")),
                        ("place", _l("Ort")), ("online_url", _l("Online-Zugang")), ("note", _l("Hinweis")),
                        ("cancellation_deadline_at", _l("Absagefrist")))


# And what the trainers read besides.
SEEN_BY_TRAINERS = (*SEEN_BY_PARTICIPANTS, ("capacity", _l("Plätze")), ("booking_deadline_at", _l("Anmeldeschluss")),
                    ("approval_required", _l("Freigabe der Anmeldungen")),
                    ("trainer_ids", _l("Trainerinnen und Trainer")))


def _seen_by_participants(session: WorkshopSession) -> tuple:
    return tuple(getattr(session, name) for name, _label in SEEN_BY_PARTICIPANTS)


def _seen_by_trainers(session: WorkshopSession) -> tuple:
    return (*_seen_by_participants(session), session.capacity, session.booking_deadline_at,
            session.approval_required, tuple(sorted(trainer.id for trainer in session.trainers)))


def _changes(before: tuple, after: tuple, seen=SEEN_BY_PARTICIPANTS) -> tuple:
    """Name what changed, each once, in the order of `seen` (what the booked people see, or the trainers)."""
    names = [label for (_name, label), old, new in zip(seen, before, after, strict=True) if old != new]
    return tuple(dict.fromkeys(names))


def attendance_taken(session: WorkshopSession) -> int:
    """How many of the session's people have their attendance entered: more than none, and it took place."""
    return db.session.scalar(select(func.count()).where(Booking.session_id == session.id,
                                                        Booking.attendance.is_not(None)))


def cancel_session(session: WorkshopSession, *, by: User, now: datetime, note: str = "") -> int:
    """Cancel a session and tell everyone booked, with the trainer's note (and a CANCEL for their calendar).

    Refused once attendance is entered: a session that took place is not called off afterwards (it would tell
    those who came that it did not, and leave their modules done by a session that "never was").
    Return how many were told.
    """
    session = services.lock_session(session)
    if session.is_cancelled:
        return 0
    if attendance_taken(session):
        raise ScheduleError(TOOK_PLACE)
    session.status = "cancelled"
    session.cancelled_at = now
    session.cancellation_note = note.strip() or None
    session.sequence += 1
    session.updated_at = now
    db.session.flush()
    audit.record("workshops.session_cancelled", actor=by, target=session)
    mails.notify_trainers(session, "cancelled", by=by)
    return mails.notify_session(session, "cancelled")

"""Attendance: present marks the module done, taken back undoes it. Functions flush; the caller commits."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.accounts.services import find_user_by_email
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.core.database import take_turns
from qualify.courses import catalogue
from qualify.exchange.posting import took_part_in_module_space
from qualify.extensions import db
from qualify.learning.services import PARTICIPATION_KINDS, record_participation, withdraw_participation
from qualify.workshops import mails
from qualify.workshops.models import ATTENDANCE, Booking, WorkshopSession
from qualify.workshops.services import BookingError, lock_session, my_bookings_around

# Trainers may take attendance from a little before the start (people arrive early).
ATTENDANCE_OPENS_BEFORE = timedelta(hours=1)

NO_ACCOUNT = _l("Unter dieser Adresse gibt es kein aktives Konto, das an diesem Termin teilnehmen kann.")

# A trainer enters someone by the address they give in the room. The form must not become a way to find out which
# addresses have an account: whatever is wrong with the address gets the one answer NO_ACCOUNT (none, deactivated,
# not allowed in the course), the session's own state is checked before anyone is looked up, every such refusal is
# logged, and after a handful within an hour the form pauses for that trainer. The administration, which sees
# everyone's accounts anyway, has no pause.
WALK_IN_REFUSALS_PER_HOUR = 10
TOO_MANY_REFUSED = _l("In der letzten Stunde gab es zu viele Adressen ohne passendes Konto. Bitte versuchen Sie es "
                      "später noch einmal oder wenden Sie sich an die Administration.")


class NoAccountHere(BookingError):
    """The address typed names nobody who can be entered here – said alike whatever the reason."""

    def __init__(self):
        super().__init__(str(NO_ACCOUNT))


def mark_attendance(booking: Booking, value: str, *, by: User, now: datetime) -> str | None:
    """Record present, excused or absent; present marks the module done for the person, and taking "present"
    back undoes that (unless they were present at another session of the module, did an exchange module by
    posting in its space, or the course is complete).

    Returns a note for the trainer when the module has to stay done.
    """
    session = booking.session
    if value not in ATTENDANCE:
        raise ValueError(f"unknown attendance: {value}")
    if session.is_cancelled:
        raise BookingError(_("Dieser Termin wurde abgesagt."))
    if booking.status != "confirmed":
        raise BookingError(_("Anwesenheit gibt es nur für bestätigte Plätze."))
    if now < session.starts_at - ATTENDANCE_OPENS_BEFORE:
        raise BookingError(_("Die Anwesenheit kann erst ab einer Stunde vor Beginn eingetragen werden."))
    was_present = booking.attendance == "present"
    booking.attendance = value
    booking.attendance_marked_at, booking.attendance_marked_by_id = now, by.id
    via = session.kind if session.kind in PARTICIPATION_KINDS else "workshop"
    note = None
    if value == "present":
        record_participation(booking.user, session.module, via=via, now=now)
    elif was_present and not _present_elsewhere(booking) and not _earned_in_space(booking.user, session.module, via):
        if not withdraw_participation(booking.user, session.module, via=via):
            note = _("Der Kurs ist mit dieser Teilnahme bereits abgeschlossen und das Zertifikat ausgestellt: "
                     "das Modul bleibt erledigt. Soll das Zertifikat zurückgezogen werden, wenden Sie sich an "
                     "die Administration (Verwaltung → Zertifikate): dort wird auch das Modul wieder geöffnet.")
    db.session.flush()
    return note


def mark_rest_present(session: WorkshopSession, booking_ids: list[int], *, by: User, now: datetime) -> int:
    """Mark present, in one go, those of these bookings (the ones the trainer saw open) that still hold a seat and
    have no mark: whoever was marked meanwhile – by a co-trainer, or by this same request sent twice – keeps
    their mark. Returns how many were marked."""
    if not booking_ids:
        return 0
    bookings = db.session.scalars(select(Booking).where(
        Booking.session_id == session.id, Booking.id.in_(booking_ids), Booking.status == "confirmed",
        Booking.attendance.is_(None)).order_by(Booking.id)).all()
    for booking in bookings:
        mark_attendance(booking, "present", by=by, now=now)
    return len(bookings)


def enter_walk_in(session: WorkshopSession, email: str, *, by: User, now: datetime
                  ) -> tuple[User, Booking, list[str]]:
    """Enter the person with this address who came without a seat (add_walk_in); return them, the booking and
    notes for the trainer.

    BookingError when they cannot be entered; NoAccountHere, logged, when the address names nobody who can be –
    the caller commits the log entry.
    """
    _check_walk_ins_open(session, now)
    if not by.has_role(Role.ADMIN) and _refused_walk_ins(by, now) >= WALK_IN_REFUSALS_PER_HOUR:
        raise BookingError(TOO_MANY_REFUSED)
    person = find_user_by_email(email)
    if person is None or not _may_take_part(person, session):
        audit.record("workshops.walk_in_refused", actor=by, target=session)  # the address is not kept
        raise NoAccountHere()
    return person, *add_walk_in(session, person, by=by, now=now)


def _check_walk_ins_open(session: WorkshopSession, now: datetime) -> None:
    if session.is_cancelled:
        raise BookingError(_("Dieser Termin wurde abgesagt."))
    if now < session.starts_at - ATTENDANCE_OPENS_BEFORE:
        raise BookingError(_("Die Anwesenheit kann erst ab einer Stunde vor Beginn eingetragen werden."))


def _may_take_part(person: User, session: WorkshopSession) -> bool:
    return person.active and catalogue.can_view(person, session.module.course)


def _refused_walk_ins(trainer: User, now: datetime) -> int:
    """How many addresses this trainer typed within the last hour that named nobody to enter."""
    return db.session.scalar(select(func.count()).where(
        AuditEvent.action == "workshops.walk_in_refused", AuditEvent.created_at >= now - timedelta(hours=1),
        AuditEvent.actor_id == trainer.id))


def add_walk_in(session: WorkshopSession, person: User, *, by: User, now: datetime) -> tuple[Booking, list[str]]:
    """Someone came without a seat – not booked, on the waitlist, their request still open: a trainer enters
    them on the attendance list as present, beyond the capacity if need be (they are in the room).

    Returns the booking and notes for the trainer. BookingError when they cannot be entered.
    """
    _check_walk_ins_open(session, now)
    if not _may_take_part(person, session):
        raise NoAccountHere()
    if person.id in {trainer.id for trainer in session.trainers}:
        raise BookingError(_("Wer den Termin leitet, nimmt nicht als Teilnehmende/r teil."))
    # As every booking: first the person's turn, then the session's lock; a second click finds the seat.
    take_turns(f"bookings-of:{person.id}")
    session = lock_session(session)
    mine = my_bookings_around(person, session, now)
    booking = mine.here
    if booking is not None and booking.status == "confirmed":
        raise BookingError(_("%(name)s steht schon auf der Liste.", name=person.display_name))
    status = booking.status if booking else None
    if booking is None:
        booking = Booking(session_id=session.id, user_id=person.id, queue_number=session.queue_counter,
                          booked_at=now)
        db.session.add(booking)
    booking.status, booking.confirmed_at, booking.decided_by_id = "confirmed", now, by.id
    booking.cancelled_at, booking.walked_in_at = None, now
    db.session.flush()
    notes = [note] if (note := mark_attendance(booking, "present", by=by, now=now)) else []
    other = mine.same_module
    if other is not None and other.session.starts_at > now:
        if other.status == "confirmed":
            notes.append(_("%(name)s ist außerdem für den Termin am %(when)s angemeldet; der Platz dort bleibt, "
                           "bis er storniert wird.", name=person.display_name, when=mails.session_when(other.session)))
        else:  # waiting for a place or for approval there
            notes.append(_("%(name)s wartet außerdem auf einen Platz am %(when)s (Warteliste oder Anfrage).",
                           name=person.display_name, when=mails.session_when(other.session)))
    # Logged against the person, so that the log names them and finds them by name (the lists read walked_in_at).
    audit.record("workshops.walk_in", actor=by, target=person, session_id=session.id,
                 booked_before=status or "none")
    return booking, notes


def _earned_in_space(user: User, module, via: str) -> bool:
    """An exchange module is also done by posting in its space: then it stays done without the session."""
    return via == "exchange" and took_part_in_module_space(user, module)


def _present_elsewhere(booking: Booking) -> bool:
    """Whether the person was marked present at another session of the same module."""
    return db.session.scalar(
        select(func.count()).select_from(Booking).join(WorkshopSession, WorkshopSession.id == Booking.session_id)
        .where(Booking.user_id == booking.user_id, Booking.id != booking.id, Booking.attendance == "present",
               WorkshopSession.module_id == booking.session.module_id)) > 0

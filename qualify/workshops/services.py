"""Booking a seat, the waitlist and approvals (attendance: workshops/attendance.py). Functions flush; the caller
commits."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import insert_on_conflict, run, take_turns
from qualify.courses import catalogue
from qualify.courses.models import Module
from qualify.exchange.spaces import moderates_space_of_module
from qualify.extensions import db
from qualify.workshops import mails
from qualify.workshops.models import ACTIVE_STATUSES, Booking, WorkshopSession


class BookingError(ValueError):
    """A booking action that is not possible now; the message is for the person."""


class BookingClosed(BookingError):
    """The session takes no (more) bookings."""


class BookingChanged(BookingError):
    """The booking is no longer what the page showed (cancelled or given a seat a moment ago, by a double click or
    someone else); nothing was done. `status` is what it is now."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


# ---------------------------------------------------------------- access

def can_view(user: User, session: WorkshopSession) -> bool:
    """Everyone who may see the course may see its sessions; and whoever is booked, to see it and to cancel,
    also once the course went back to draft or the module was removed."""
    if not session.module.archived and catalogue.can_view(user, session.module.course):
        return True
    booking = booking_of(user, session) if user.is_authenticated else None
    return booking is not None and booking.is_active


def can_plan(user: User, module) -> bool:
    """Admins and the course's trainers plan sessions; for an exchange module also its space's moderators.

    Only those assigned to the module's space: the role alone would let any moderator change the dates, place
    and link of every exchange session, and read who booked them.
    """
    if catalogue.can_edit(user, module.course):
        return True
    version = module.current_version
    return (version is not None and version.kind == "exchange" and user.has_role(Role.MODERATOR)
            and moderates_space_of_module(user, module))


def is_trainer_of(user: User, session: WorkshopSession) -> bool:
    """Tell whether the user is listed as leading this session."""
    return any(trainer.id == user.id for trainer in session.trainers)


def may_lead(user: User, module) -> bool:
    """Whether the person is in the part that lets them lead the module's sessions – read who booked, keep the
    attendance list: a trainer for a workshop, a moderator assigned to the module's space for an exchange.

    queries.leader_candidates offers these people (and admins, who do all of it anyway) to lead a session, and
    queries.sessions_led_by lists only the sessions they lead in this part: the offer, the list and the pages
    agree.
    """
    version = module.current_version
    if version is not None and version.kind == "exchange":
        return user.has_role(Role.MODERATOR) and moderates_space_of_module(user, module)
    return user.has_role(Role.TRAINER)


def leads(user: User, session: WorkshopSession) -> bool:
    """Listed as leading the session and still in the part that lets them (may_lead). Taken off the space, a
    moderator no longer reads its lists."""
    return is_trainer_of(user, session) and may_lead(user, session.module)


def can_manage(user: User, session: WorkshopSession) -> bool:
    """The session's trainers and whoever may plan the module see bookings and decide approvals."""
    return leads(user, session) or can_plan(user, session.module)


def can_take_attendance(user: User, session: WorkshopSession) -> bool:
    """Only the session's own trainers (and admins) keep its attendance list."""
    return user.has_role(Role.ADMIN) or leads(user, session)


# ---------------------------------------------------------------- the lock

def lock_session(session: WorkshopSession) -> WorkshopSession:
    """Serialise every writer of this session's bookings; refresh it, its queue counter raised by one.

    One UPDATE … RETURNING: on PostgreSQL it takes the row lock, on SQLite (no row locks) the database's
    write lock, so the next writer waits behind this transaction either way. The session's columns are
    refreshed from the returned row; its module and course, which no booking changes, stay loaded.
    """
    table = WorkshopSession.__table__
    row = run(_lock_statement(), session_id=session.id).one()
    for column in table.columns:
        set_committed_value(session, column.key, row._mapping[column])
    db.session.expire(session, ["bookings"])  # read again under the lock when asked for
    return session


@cache
def _lock_statement():
    table = WorkshopSession.__table__
    return (update(table).where(table.c.id == bindparam("session_id"))
            .values(queue_counter=table.c.queue_counter + 1).returning(*table.columns))


# ---------------------------------------------------------------- counting

def status_counts(session: WorkshopSession) -> dict[str, int]:
    """Count the session's bookings by status in one statement."""
    return dict(db.session.execute(_status_counts_statement(), {"session_id": session.id}).all())


@cache
def _status_counts_statement():
    return (select(Booking.status, func.count()).where(Booking.session_id == bindparam("session_id"))
            .group_by(Booking.status))


def counts_and_attendance(session: WorkshopSession) -> tuple[dict[str, int], int]:
    """Count the session's bookings by status, and those with attendance entered, in one statement: the session
    page learns with its seat counts whether the session took place (schedule.attendance_taken)."""
    counts, attended = {}, 0
    for status, number, marked in db.session.execute(_counts_and_attendance_statement(), {"session_id": session.id}):
        counts[status], attended = number, attended + marked
    return counts, attended


@cache
def _counts_and_attendance_statement():
    return (select(Booking.status, func.count(), func.count(Booking.attendance))
            .where(Booking.session_id == bindparam("session_id")).group_by(Booking.status))


def counts_for(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """Count bookings by status for many sessions in one statement."""
    result: dict[int, dict[str, int]] = {sid: {} for sid in session_ids}
    if session_ids:
        stmt = (select(Booking.session_id, Booking.status, func.count())
                .where(Booking.session_id.in_(session_ids)).group_by(Booking.session_id, Booking.status))
        for session_id, status, number in db.session.execute(stmt):
            result[session_id][status] = number
    return result


def free_seats(session: WorkshopSession) -> int:
    """Seats left: capacity minus confirmed bookings (never below zero)."""
    return max(0, session.capacity - status_counts(session).get("confirmed", 0))


def waitlist_position(booking: Booking) -> int | None:
    """Return the 1-based place on the waitlist, or None when not waiting."""
    if booking.status != "waitlisted":
        return None
    stmt = select(func.count()).where(Booking.session_id == booking.session_id,
                                      Booking.status == "waitlisted",
                                      Booking.queue_number <= booking.queue_number)
    return db.session.scalar(stmt)


def booking_of(user: User, session: WorkshopSession) -> Booking | None:
    """Return the user's booking of the session (in any status), or None."""
    stmt = select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id)
    return db.session.scalar(stmt.execution_options(populate_existing=True))


@dataclass
class MyBookings:
    """What the session page needs to know about the person's bookings, read in one statement."""

    here: Booking | None = None  # of this session, in any status
    same_module: Booking | None = None  # an active one at another date of the module that has not ended
    clashes: list[Booking] = field(default_factory=list)  # active ones at the same time, of other modules


@cache
def _my_bookings_statement():
    # Built once with bind parameters: composing it cost more than running it, twice per booking.
    other, when = WorkshopSession, WorkshopSession.starts_at.type
    return (select(Booking).join(other, other.id == Booking.session_id)
            .where(Booking.user_id == bindparam("user_id"),
                   or_(Booking.session_id == bindparam("session_id"),
                       # Once attendance is recorded, a date is over for the person, even if the session runs on.
                       and_(Booking.status.in_(ACTIVE_STATUSES), Booking.attendance.is_(None),
                            other.status == "scheduled", other.ends_at > bindparam("now", type_=when),
                            or_(other.module_id == bindparam("module_id"),
                                and_(other.starts_at < bindparam("ends_at", type_=when),
                                     other.ends_at > bindparam("starts_at", type_=when))))))
            # The other sessions come along; a clash's title is read only when there is one (rarely).
            .options(contains_eager(Booking.session)).order_by(other.starts_at))


def my_bookings_around(user: User, session: WorkshopSession, now: datetime) -> MyBookings:
    """Read the person's booking of the session, another date of its module, and bookings at the same time."""
    params = {"user_id": user.id, "session_id": session.id, "now": now, "module_id": session.module_id,
              "starts_at": session.starts_at, "ends_at": session.ends_at}
    mine = MyBookings()
    for booking in db.session.scalars(_my_bookings_statement(), params):
        if booking.session_id == session.id:
            mine.here = booking
        elif booking.session.module_id == session.module_id:
            mine.same_module = mine.same_module or booking
        else:
            mine.clashes.append(booking)
    if mine.clashes:  # their titles: the modules with their versions at once, not two statements per clash
        modules = {module.id: module for module in db.session.scalars(
            select(Module).where(Module.id.in_({booking.session.module_id for booking in mine.clashes}))
            .options(joinedload(Module.current_version)))}
        for booking in mine.clashes:
            set_committed_value(booking.session, "module", modules[booking.session.module_id])
    return mine


def clashing_bookings(bookings: list[Booking], now: datetime) -> dict[int, list[Booking]]:
    """For each of the person's bookings yet to come, the others of theirs at an overlapping time (booking id to
    bookings): held at once, one of the two seats stays empty. From the bookings given; no statement."""
    coming = [booking for booking in bookings if booking.status in ACTIVE_STATUSES and booking.attendance is None
              and booking.session.status == "scheduled" and booking.session.ends_at > now]
    clashes: dict[int, list[Booking]] = {}
    for booking in coming:
        others = [other for other in coming if other is not booking
                  and other.session.starts_at < booking.session.ends_at
                  and booking.session.starts_at < other.session.ends_at]
        if others:
            clashes[booking.id] = others
    return clashes


# ---------------------------------------------------------------- rules of time

def bookings_open(session: WorkshopSession, now: datetime) -> bool:
    """New bookings and promotions happen only before the booking deadline and the start."""
    return (session.status == "scheduled" and session.bookings_closed_at is None
            and now < session.booking_deadline_at and now < session.starts_at)


def _check_bookable(session: WorkshopSession, now: datetime) -> None:
    if session.is_cancelled:
        raise BookingClosed(_("Dieser Termin wurde abgesagt."))
    if not bookings_open(session, now):
        raise BookingClosed(_("Für diesen Termin ist die Anmeldung geschlossen."))


# ---------------------------------------------------------------- booking

def book(session: WorkshopSession, user: User, *, now: datetime) -> Booking:
    """Book a seat, a waitlist place or (with approval) a request; booking twice returns the first booking.

    One date per module at a time: a person booked for another date of the module that has not ended yet
    cancels that one first, so that nobody holds seats in two dates of a workshop others are waiting for.
    """
    mine = my_bookings_around(user, session, now)
    booking = mine.here
    if booking is not None and booking.is_active:
        return booking  # the second click of a double click, answered without taking the lock
    _refuse_another_date(mine)
    # Two dates of one module booked at once (two tabs, a quick double tap on two dates) each passed the check
    # above: one person's bookings take turns (PostgreSQL; SQLite writes one at a time anyway), and the check
    # is made again under the locks, in the same statement that reads the booking here.
    take_turns(f"bookings-of:{user.id}")
    session = lock_session(session)
    _check_bookable(session, now)
    mine = my_bookings_around(user, session, now)
    booking = mine.here
    if booking is not None and booking.is_active:
        return booking  # the second click of a double click
    _refuse_another_date(mine)
    if booking is not None and booking.status == "declined":
        raise BookingError(_("Ihre Anfrage für diesen Termin wurde abgelehnt."))
    status, confirmed_at = ("pending", None) if session.approval_required else _seat_or_queue(session, now)
    if booking is None:  # written once, with its place in the queue: one INSERT, returned as the Booking
        booking = db.session.scalar(
            insert_on_conflict(Booking).values(
                session_id=session.id, user_id=user.id, status=status, queue_number=session.queue_counter,
                booked_at=now, confirmed_at=confirmed_at)
            # Only reachable without the lock, which every booking takes: the last line of defence against a
            # second row, without the two round trips of a savepoint.
            .on_conflict_do_nothing().returning(Booking))
        if booking is None:
            return booking_of(user, session)
    else:  # booked again after a cancellation or an expired request
        booking.status, booking.confirmed_at = status, confirmed_at
        booking.queue_number, booking.booked_at = session.queue_counter, now
        booking.cancelled_at = booking.decided_by_id = booking.walked_in_at = None  # booked now, not in the room
        booking.calendar_sequence += 1  # past the cancellation their calendar may hold
        db.session.flush()
    mails.notify(booking, booking.status, position=waitlist_position(booking))
    if booking.status == "pending":  # once per request: a second click returned above
        mails.notify_trainers(session, "request", by=user)
    return booking


def _refuse_another_date(mine: MyBookings) -> None:
    if mine.same_module is None:
        return
    when = mails.session_when(mine.same_module.session)
    if mine.same_module.status == "confirmed":
        raise BookingError(_("Sie haben für dieses Modul schon einen Platz am %(when)s. Für einen anderen "
                             "Termin geben Sie den Platz dort bitte zuerst frei.", when=when))
    raise BookingError(_("Sie sind für dieses Modul schon für den Termin am %(when)s angemeldet (Warteliste "
                         "oder Anfrage). Für einen anderen Termin ziehen Sie die Anmeldung dort bitte zuerst "
                         "zurück.", when=when))


def switch_to(session: WorkshopSession, user: User, *, now: datetime) -> Booking:
    """Take a free seat at this date and give up the person's booking at another date of the module (a seat, a
    waitlist place or a request) in one go; refused, and nothing given up, when no seat is free here now.

    Both sessions are locked first, the lower id first, so that two people switching the other way round cannot
    deadlock, and nobody takes the free seat between giving up the old booking and booking here.
    """
    old = my_bookings_around(user, session, now).same_module
    if old is None:
        return book(session, user, now=now)
    take_turns(f"bookings-of:{user.id}")  # first, as in book(): the person's turn, then the sessions
    for each in sorted((old.session, session), key=lambda each: each.id):
        lock_session(each)
    _check_bookable(session, now)
    if session.approval_required or _seat_or_queue(session, now)[0] != "confirmed":
        raise BookingError(_("An diesem Termin ist gerade kein Platz frei. Ihre Anmeldung am %(when)s bleibt "
                             "bestehen.", when=mails.session_when(old.session)))
    cancel(old, now=now, switched_to=session)
    return book(session, user, now=now)


def _seat_or_queue(session: WorkshopSession, now: datetime) -> tuple[str, datetime | None]:
    """Return the status and confirmation time of a booking made now: a seat, or the end of the waitlist."""
    counts = status_counts(session)
    # Strictly first come, first served: nobody overtakes a waiting person, even if a seat is free.
    if counts.get("confirmed", 0) < session.capacity and not counts.get("waitlisted", 0):
        return "confirmed", now
    return "waitlisted", None


def cancel(booking: Booking, *, now: datetime, switched_to: WorkshopSession | None = None) -> list[Booking]:
    """Cancel a booking and promote the first person on the waitlist; return whoever was promoted. `switched_to`:
    the other date of the module the person is moving to (the mail says so)."""
    session = lock_session(booking.session)
    db.session.refresh(booking)
    if not booking.is_active:
        return []  # cancelled a moment ago (second click)
    if now >= session.starts_at:
        raise BookingError(_("Der Termin hat schon begonnen."))
    if booking.attendance is not None:  # present already counts the module done; absent is on record
        raise BookingError(_("Ihre Anwesenheit ist schon eingetragen. Bitte wenden Sie sich an die Leitung."))
    # Booked before the date or time changed: until the start, as they did not agree to the new time.
    if booking.status == "confirmed" and now > booking.cancellable_until:
        raise BookingError(_("Die Absagefrist ist vorbei. "
                             "Bitte wenden Sie sich an die Trainerin oder den Trainer."))
    return _withdraw(booking, session, now=now, kind="switched" if switched_to else "withdrawn",
                     switched_to=switched_to)


def _withdraw(booking: Booking, session: WorkshopSession, *, now: datetime, kind: str = "withdrawn",
              reason: str = "", switched_to: WorkshopSession | None = None) -> list[Booking]:
    """Cancel the booking, tell the person (a mail of `kind`) and give a freed seat to the waitlist; the caller
    holds the session lock and has checked that the booking may go."""
    was_confirmed = booking.status == "confirmed"
    booking.status, booking.cancelled_at = "cancelled", now
    if was_confirmed:
        booking.calendar_sequence += 1  # the CANCEL must supersede the invitation their calendar holds
    db.session.flush()
    # In writing, and out of their calendar.
    mails.notify(booking, kind, had_seat=was_confirmed, reason=reason, switched_to=switched_to)
    return promote(session, now=now) if was_confirmed else []


def _check_not_over(session: WorkshopSession, now: datetime) -> None:
    """A trainer acts on bookings until the session ends, unless it was cancelled."""
    if session.is_cancelled:
        raise BookingClosed(_("Dieser Termin wurde abgesagt."))
    if now >= session.ends_at:
        raise BookingClosed(_("Der Termin ist schon vorbei."))


def cancel_by_trainer(booking: Booking, *, by: User, reason: str = "", now: datetime) -> list[Booking]:
    """A trainer cancels someone's seat, waitlist place or request, whatever the person's deadline, until the
    session ends; the person is told with the trainer's reason, and a freed seat goes to the waitlist as when the
    person cancels. Return whoever was promoted. BookingChanged when it was no longer active (a second click)."""
    session = lock_session(booking.session)
    db.session.refresh(booking)
    if not booking.is_active:
        raise BookingChanged(booking.status)
    _check_not_over(session, now)
    if booking.attendance is not None:  # present already counts the module done; absent is on record
        raise BookingError(_("Die Anwesenheit von %(name)s ist schon eingetragen; ändern Sie sie bei Bedarf in der "
                             "Anwesenheitsliste.", name=booking.user.display_name))
    status = booking.status
    booking.decided_by_id = by.id
    promoted = _withdraw(booking, session, now=now, kind="removed", reason=reason.strip())
    audit.record("workshops.booking_cancelled_by_trainer", actor=by, target=booking, session_id=session.id,
                 status=status, reason=reason.strip(), promoted=[each.id for each in promoted])
    return promoted


# What a trainer may give a seat by hand: a waitlist place, also one that lapsed when bookings closed (the person
# who turns up on the day).
SEAT_GIVEN_FROM = ("waitlisted", "expired")


def give_seat(booking: Booking, *, by: User, now: datetime, seen_taken: int | None) -> int:
    """A trainer gives a waitlisted person a seat by hand, ahead of the queue and beyond the capacity if need be.

    `seen_taken`: the seats taken when the trainer was asked. Overbooking is done only as confirmed: when the
    session is full and that number changed meanwhile, nothing happens. Return the seats taken now.
    BookingChanged when the booking is no longer waiting (a second click).
    """
    # The person's turn first, then the session, as in book(): it is checked here that they hold no other date.
    take_turns(f"bookings-of:{booking.user_id}")
    session = lock_session(booking.session)
    db.session.refresh(booking)
    if booking.status not in SEAT_GIVEN_FROM:
        raise BookingChanged(booking.status)
    _check_not_over(session, now)
    taken = status_counts(session).get("confirmed", 0)
    if taken >= session.capacity and taken != seen_taken:
        raise BookingError(_("Inzwischen sind %(taken)d von %(capacity)d Plätzen belegt; ein weiterer Platz "
                             "überbucht den Termin. Bitte prüfen und bestätigen Sie es noch einmal.",
                             taken=taken, capacity=session.capacity))
    other = my_bookings_around(booking.user, session, now).same_module
    if other is not None:  # booked another date after the waitlist here lapsed: one date per module
        raise BookingError(_("%(name)s ist für dieses Modul schon für den Termin am %(when)s angemeldet.",
                             name=booking.user.display_name, when=mails.session_when(other.session)))
    status = booking.status
    booking.status, booking.confirmed_at, booking.decided_by_id = "confirmed", now, by.id
    db.session.flush()
    audit.record("workshops.seat_given", actor=by, target=booking, session_id=session.id, status=status,
                 taken=taken + 1, capacity=session.capacity)
    mails.notify(booking, "confirmed")
    return taken + 1


def release_seats_of(user: User, *, now: datetime) -> int:
    """Give up the person's places in sessions yet to begin, whatever the deadline (their account is being
    erased): each seat goes to the next person waiting. Return how many places were given up."""
    stmt = (select(Booking).join(WorkshopSession, WorkshopSession.id == Booking.session_id)
            .where(Booking.user_id == user.id, Booking.status.in_(ACTIVE_STATUSES),
                   WorkshopSession.status == "scheduled", WorkshopSession.starts_at > now))
    released = 0
    for booking in list(db.session.scalars(stmt)):
        session = lock_session(booking.session)
        db.session.refresh(booking)
        if not booking.is_active:
            continue
        was_confirmed = booking.status == "confirmed"
        booking.status, booking.cancelled_at = "cancelled", now
        db.session.flush()
        if was_confirmed:
            promote(session, now=now)
        released += 1
    return released


def promote(session: WorkshopSession, *, now: datetime) -> list[Booking]:
    """Give free seats to the waitlist in order and tell those promoted; the caller holds the session lock."""
    if not bookings_open(session, now):
        return []
    seats = free_seats(session)
    if not seats:
        return []
    stmt = (select(Booking).where(Booking.session_id == session.id, Booking.status == "waitlisted")
            .order_by(Booking.queue_number).limit(seats))
    promoted = list(db.session.scalars(stmt))
    for booking in promoted:
        booking.status, booking.confirmed_at = "confirmed", now
        mails.notify(booking, "promoted")
    db.session.flush()
    return promoted


def release_requests(session: WorkshopSession, *, now: datetime) -> list[Booking]:
    """Approval was switched off: the open requests become bookings in the order they were made, seats while
    there are free ones (and nobody waits), then places at the end of the waitlist; each person is told.

    The caller holds the session lock. Once bookings are closed nothing happens: closing ends the requests, and
    says so. Return the bookings released.
    """
    if not bookings_open(session, now):
        return []
    stmt = (select(Booking).where(Booking.session_id == session.id, Booking.status == "pending")
            .order_by(Booking.queue_number))
    released = list(db.session.scalars(stmt))
    for number, booking in enumerate(released):
        if number:  # each a place of its own behind those already waiting, in the order the requests came
            session.queue_counter += 1
        booking.queue_number = session.queue_counter
        booking.status, booking.confirmed_at = _seat_or_queue(session, now)
        db.session.flush()
        mails.notify(booking, booking.status, position=waitlist_position(booking))
    return released


def approve(booking: Booking, *, by: User, now: datetime) -> Booking:
    """Approve a pending request: a seat if one is free and nobody waits, else the end of the waitlist."""
    session = lock_session(booking.session)
    db.session.refresh(booking)
    if booking.status != "pending":
        return booking
    _check_bookable(session, now)
    booking.queue_number = session.queue_counter
    booking.decided_by_id = by.id
    booking.status, booking.confirmed_at = _seat_or_queue(session, now)
    db.session.flush()
    audit.record("workshops.booking_approved", actor=by, target=booking, session_id=session.id)
    # Approved into a full session is a place on the waitlist, and the mail says that, not "approved".
    mails.notify(booking, "approved" if booking.status == "confirmed" else "approved_waitlisted",
                 position=waitlist_position(booking))
    return booking


def decline(booking: Booking, *, by: User, now: datetime) -> Booking:
    """Decline a pending request and tell the person."""
    lock_session(booking.session)
    db.session.refresh(booking)
    if booking.status != "pending":
        return booking
    booking.status, booking.decided_by_id, booking.cancelled_at = "declined", by.id, now
    db.session.flush()
    audit.record("workshops.booking_declined", actor=by, target=booking, session_id=booking.session_id)
    mails.notify(booking, "declined")
    return booking


def close_bookings(session: WorkshopSession, *, now: datetime) -> int:
    """At the booking deadline: end the waitlist and open requests, and tell those people; return how many."""
    session = lock_session(session)
    if session.bookings_closed_at is not None or session.is_cancelled:
        return 0
    session.bookings_closed_at = now
    stmt = select(Booking).where(Booking.session_id == session.id,
                                 Booking.status.in_(("waitlisted", "pending")))
    left_out = list(db.session.scalars(stmt))
    for booking in left_out:
        # A request nobody decided on did not miss a seat: it went unanswered, and the mail says so.
        kind = "expired" if booking.status == "waitlisted" else "request_expired"
        booking.status = "expired"
        mails.notify(booking, kind)
    db.session.flush()
    return len(left_out)

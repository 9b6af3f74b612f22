"""What the pages list: upcoming sessions with filters, a person's bookings, the sessions a trainer leads."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Boolean, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from qualify.accounts.models import User, UserRole
from qualify.accounts.roles import Role
from qualify.core.database import contains_text
from qualify.core.text import german_sort_key
from qualify.core.time import LOCAL_TZ, local_day_start
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.exchange.models import ExchangeSpace, SpaceModerator
from qualify.extensions import db
from qualify.workshops.models import ACTIVE_STATUSES, Booking, WorkshopSession, session_trainers


def _session_loads() -> tuple:
    # Built per query, not at import: naming a relationship configures every mapper, a tenth of a second
    # that belongs to the first request, not to every start of the command line.
    return (selectinload(WorkshopSession.module).selectinload(Module.current_version),
            selectinload(WorkshopSession.module).selectinload(Module.course),
            selectinload(WorkshopSession.trainers))


@cache
def _session_with_course_statement():
    module = contains_eager(WorkshopSession.module)
    return (select(WorkshopSession).join(WorkshopSession.module).join(Module.course)
            .where(WorkshopSession.id == bindparam("session_id"))
            .options(module.contains_eager(Module.course).defer(Course.source),
                     # The headline of the module's version names the session (pages, mails), not its text.
                     module.joinedload(Module.current_version).load_only(
                         ModuleVersion.id, ModuleVersion.title, ModuleVersion.kind, ModuleVersion.number)))


def session_with_course(session_id: int) -> WorkshopSession | None:
    """Load a session with its module, course and version headline, which every page and check reads."""
    return db.session.scalar(_session_with_course_statement(), {"session_id": session_id})


@dataclass(frozen=True)
class SessionFilter:
    place: str = ""
    format: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def narrows(self) -> bool:
        """Whether anything was chosen: an empty list then means no match, not that nothing is planned."""
        return self != SessionFilter()


def upcoming_sessions(now: datetime, *, course: Course | None = None, module: Module | None = None,
                      chosen: SessionFilter = SessionFilter(), limit: int = 200) -> list[WorkshopSession]:
    """Return scheduled sessions of published courses that have not ended, soonest first."""
    stmt = (select(WorkshopSession).join(Module, Module.id == WorkshopSession.module_id)
            .join(Course, Course.id == Module.course_id)
            .where(WorkshopSession.ends_at >= now, WorkshopSession.status == "scheduled",
                   Module.archived.is_(False)))
    if module is not None:
        stmt = stmt.where(WorkshopSession.module_id == module.id)
    elif course is not None:
        stmt = stmt.where(Module.course_id == course.id)
    else:
        stmt = stmt.where(Course.status == "published")
    if chosen.place:
        stmt = stmt.where(contains_text(WorkshopSession.place, chosen.place))  # "raum ü" finds "Raum Ü" too
    if chosen.format:
        stmt = stmt.where(WorkshopSession.format == chosen.format)
    if chosen.date_from:
        stmt = stmt.where(WorkshopSession.starts_at >= _local_midnight(chosen.date_from))
    if chosen.date_to:
        stmt = stmt.where(WorkshopSession.starts_at < _local_midnight(chosen.date_to + timedelta(days=1)))
    stmt = stmt.options(*_session_loads()).order_by(WorkshopSession.starts_at, WorkshopSession.id).limit(limit)
    return list(db.session.scalars(stmt))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)


def bookings_of(user, now: datetime, *, past_days: int = 60) -> list[Booking]:
    """Return the person's bookings of sessions from the last weeks on, soonest first."""
    stmt = (select(Booking).join(WorkshopSession, WorkshopSession.id == Booking.session_id)
            .where(Booking.user_id == user.id, WorkshopSession.ends_at >= now - timedelta(days=past_days),
                   Booking.status.in_((*ACTIVE_STATUSES, "declined", "expired")))
            .options(selectinload(Booking.session).options(*_session_loads()))
            .order_by(WorkshopSession.starts_at))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class OwnBooking:
    """What a list says of the person's own booking of a session: its status, and the place on the waitlist."""

    status: str
    waitlist_position: int | None = None


def own_bookings(user, session_ids: list[int]) -> dict[int, OwnBooking]:
    """Return the person's active bookings of these sessions by session id, with their places on the
    waitlists, in one statement (lists mark what the person booked; none: no entry)."""
    if not session_ids or not user.is_authenticated:
        return {}
    rows = db.session.execute(_own_bookings_statement(), {"user_id": user.id, "session_ids": session_ids})
    return {session_id: OwnBooking(status, waitlist_position) for session_id, status, waitlist_position in rows}


@cache
def _own_bookings_statement():
    # Built once with bind parameters: composed per request, it cost more than the module page's other work.
    ahead = aliased(Booking)  # the waiting bookings of the same session up to the person's own
    position = (select(func.count()).where(ahead.session_id == Booking.session_id, ahead.status == "waitlisted",
                                           ahead.queue_number <= Booking.queue_number)
                .correlate(Booking).scalar_subquery())
    return (select(Booking.session_id, Booking.status, case((Booking.status == "waitlisted", position)))
            .where(Booking.user_id == bindparam("user_id"),
                   Booking.session_id.in_(bindparam("session_ids", expanding=True)),
                   Booking.status.in_(ACTIVE_STATUSES)))


# A session the trainer led counts as current for a day after its end (attendance is typed in the same day);
# older ones are past, still reachable for attendance typed in later from a paper list.
STILL_CURRENT = timedelta(days=1)


def sessions_led_by(user, now: datetime, *, past_days: int = 1) -> list[WorkshopSession]:
    """Return the sessions the user leads that have not ended or ended at most `past_days` ago, soonest first.

    Only those they lead in the part that lets them (services.may_lead), whose lists they may open: not the
    sessions of a space they were taken off, or of a workshop after they stopped being a trainer.
    """
    params = {**_roles_of(user), "since": now - max(timedelta(days=past_days), STILL_CURRENT)}
    return list(db.session.scalars(_sessions_led_statement(), params))


def _is_exchange(module_id):
    """Whether the module is an exchange, as its current version says (none: a workshop, as WorkshopSession.kind)."""
    return (select(ModuleVersion.id).join(Module, Module.current_version_id == ModuleVersion.id)
            .where(Module.id == module_id, ModuleVersion.kind == "exchange").exists())


def _moderates_space(user_id, module_id):
    """Whether the person is assigned to moderate the module's space (services.may_lead, in SQL)."""
    return (select(SpaceModerator.id).join(ExchangeSpace, ExchangeSpace.id == SpaceModerator.space_id)
            .where(SpaceModerator.user_id == user_id, ExchangeSpace.module_id == module_id).exists())


def _led_by_person():
    """The sessions the person of the parameters leads in the part that lets them (services.may_lead), in SQL: the
    roles as parameters, so that one statement, built once, serves everyone."""
    def flag(name: str):
        return bindparam(name, type_=Boolean)

    is_exchange = _is_exchange(WorkshopSession.module_id)
    return and_(session_trainers.c.user_id == bindparam("user_id"),
                or_(flag("sees_all"), and_(flag("trains"), ~is_exchange),
                    and_(flag("moderates"), is_exchange,
                         _moderates_space(bindparam("user_id"), WorkshopSession.module_id))))


def _roles_of(user) -> dict:
    return {"user_id": user.id, "sees_all": user.has_role(Role.ADMIN), "trains": user.has_role(Role.TRAINER),
            "moderates": user.has_role(Role.MODERATOR)}


@cache
def _sessions_led_statement():
    return (select(WorkshopSession)
            .join(session_trainers, session_trainers.c.session_id == WorkshopSession.id)
            .where(_led_by_person(),
                   WorkshopSession.ends_at >= bindparam("since", type_=WorkshopSession.ends_at.type))
            .options(*_session_loads()).order_by(WorkshopSession.starts_at))


LEADING_ROLES = (Role.TRAINER, Role.MODERATOR, Role.ADMIN)


@dataclass(frozen=True)
class SessionLedToday:
    """A session on the start page's "Heute leiten Sie"; writes_minutes: an exchange session whose space the
    person moderates, so that they write its minutes (as the session's page offers them)."""

    session: WorkshopSession
    writes_minutes: bool


def led_today(user, now: datetime) -> list[SessionLedToday]:
    """The sessions the person leads that begin today (Berlin) and are not cancelled, soonest first – with their
    module, its current version and course, and whether the person writes their minutes, in one statement (the
    start page, which shows them to go straight to the attendance). No statement for someone who leads nothing."""
    if not any(user.has_role(role) for role in LEADING_ROLES):
        return []
    today = now.astimezone(LOCAL_TZ).date()
    params = {**_roles_of(user), "day_start": local_day_start(today),
              "day_end": local_day_start(today + timedelta(days=1))}
    return [SessionLedToday(session, session.kind == "exchange" and moderates)
            for session, moderates in db.session.execute(_led_today_statement(), params)]


@cache
def _led_today_statement():
    starts_at = WorkshopSession.starts_at
    module = contains_eager(WorkshopSession.module)
    # Asked of every session, counted only for an exchange one (views.session: writes_minutes).
    moderates = _moderates_space(bindparam("user_id"), WorkshopSession.module_id).label("moderates")
    return (select(WorkshopSession, moderates)
            .join(session_trainers, session_trainers.c.session_id == WorkshopSession.id)
            .join(WorkshopSession.module).join(Module.course)
            .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .where(_led_by_person(), WorkshopSession.status == "scheduled",
                   starts_at >= bindparam("day_start", type_=starts_at.type),
                   starts_at < bindparam("day_end", type_=starts_at.type))
            .options(module.contains_eager(Module.course),
                     module.contains_eager(Module.current_version.of_type(ModuleVersion)))
            .order_by(starts_at))


def unmarked_attendance(session_ids: list[int]) -> dict[int, int]:
    """Count the confirmed seats without an attendance mark per session, in one statement (none: no entry)."""
    if not session_ids:
        return {}
    stmt = (select(Booking.session_id, func.count())
            .where(Booking.session_id.in_(session_ids), Booking.status == "confirmed", Booking.attendance.is_(None))
            .group_by(Booking.session_id))
    return dict(db.session.execute(stmt).all())


def trainer_clashes(sessions: list[WorkshopSession]) -> list[tuple[User, WorkshopSession]]:
    """Other sessions, not cancelled, that a trainer of these sessions leads at an overlapping time.

    One statement for a whole series: every other session of these trainers within any of the series' times.
    """
    led = [session for session in sessions if session.trainers]
    if not led:
        return []
    trainers = {trainer.id: trainer for session in led for trainer in session.trainers}
    own_ids = [session.id for session in sessions if session.id is not None]
    stmt = (select(session_trainers.c.user_id, WorkshopSession)
            .join(WorkshopSession, WorkshopSession.id == session_trainers.c.session_id)
            .where(session_trainers.c.user_id.in_(trainers), WorkshopSession.status == "scheduled",
                   WorkshopSession.id.not_in(own_ids),
                   or_(*(and_(WorkshopSession.starts_at < session.ends_at, WorkshopSession.ends_at > session.starts_at)
                         for session in led)))
            .order_by(WorkshopSession.starts_at))
    clashes = []
    for user_id, other in db.session.execute(stmt):
        overlapping = any(session.starts_at < other.ends_at and other.starts_at < session.ends_at
                          and user_id in {trainer.id for trainer in session.trainers} for session in led)
        if overlapping and (trainers[user_id], other) not in clashes:
            clashes.append((trainers[user_id], other))
    return clashes


def participants(session: WorkshopSession) -> list[Booking]:
    """Return every booking of the session with the person, confirmed first, then by arrival."""
    stmt = (select(Booking).where(Booking.session_id == session.id).options(selectinload(Booking.user))
            .order_by(Booking.queue_number))
    order = {"confirmed": 0, "pending": 1, "waitlisted": 2}
    return sorted(db.session.scalars(stmt), key=lambda b: (order.get(b.status, 3), b.queue_number))


def waitlist_positions(bookings: list[Booking]) -> dict[int, int]:
    """The 1-based place of each waitlisted booking among those given, by booking id."""
    waiting = [b for b in bookings if b.status == "waitlisted"]
    return {b.id: n for n, b in enumerate(sorted(waiting, key=lambda b: b.queue_number), start=1)}


def feed_sessions(user, now: datetime) -> list[tuple[WorkshopSession, int]]:
    """Return the sessions the person holds a seat for or leads (cancelled ones too, so calendars drop them),
    each with the person's calendar sequence of it."""
    since = now - timedelta(days=90)
    booked = (select(WorkshopSession, Booking.calendar_sequence).join(Booking, Booking.session_id == WorkshopSession.id)
              .where(Booking.user_id == user.id, Booking.status == "confirmed", WorkshopSession.ends_at >= since)
              .options(*_session_loads()))
    led = (select(WorkshopSession).join(session_trainers, session_trainers.c.session_id == WorkshopSession.id)
           .where(session_trainers.c.user_id == user.id, WorkshopSession.ends_at >= since)
           .options(*_session_loads()))
    sessions = {session.id: (session, personal_sequence) for session, personal_sequence in db.session.execute(booked)}
    for session in db.session.scalars(led):
        sessions.setdefault(session.id, (session, 0))
    return sorted(sessions.values(), key=lambda pair: pair[0].starts_at)


def leader_candidates(module: Module, current: list | None = None) -> list:
    """Return the people who may lead a session of the module, by name (services.may_lead): for a workshop the
    trainers, for an exchange the moderators assigned to its space; admins for either. `current`: those leading
    it already, kept in the list though they may lead it no longer, so that saving the form drops nobody unasked.
    """
    if module.current_version is not None and module.current_version.kind == "exchange":
        found = db.session.scalars(_exchange_leaders_statement(), {"module_id": module.id})
    else:
        found = db.session.scalars(_workshop_leaders_statement())
    people = {user.id: user for user in found}
    for user in current or []:
        people.setdefault(user.id, user)
    return sorted(people.values(), key=lambda user: german_sort_key(user.display_name))


def default_leaders(module: Module, planner, offered: dict) -> list[int]:
    """Whom the form of a new session ticks to lead it: the person planning, if offered; else, for an exchange,
    the moderators of its space among those offered (a course's trainer planning it may not lead it)."""
    if planner.id in offered:
        return [planner.id]
    if module.current_version is None or module.current_version.kind != "exchange":
        return []
    stmt = (select(SpaceModerator.user_id).join(ExchangeSpace, ExchangeSpace.id == SpaceModerator.space_id)
            .where(ExchangeSpace.module_id == module.id))
    moderators = set(db.session.scalars(stmt))
    return [person_id for person_id in offered if person_id in moderators]


def _has_role(*roles: Role):
    return select(UserRole.id).where(UserRole.user_id == User.id, UserRole.role.in_(roles)).exists()


@cache
def _workshop_leaders_statement():
    return select(User).where(User.active.is_(True), _has_role(Role.TRAINER, Role.ADMIN))


@cache
def _exchange_leaders_statement():
    return select(User).where(User.active.is_(True), or_(
        _has_role(Role.ADMIN),
        and_(_has_role(Role.MODERATOR), _moderates_space(User.id, bindparam("module_id")))))


def module_sessions(module: Module, now: datetime) -> list[WorkshopSession]:
    """Return the module's scheduled sessions that have not ended (for the module page)."""
    stmt = (select(WorkshopSession)
            .where(WorkshopSession.module_id == module.id, WorkshopSession.status == "scheduled",
                   WorkshopSession.ends_at >= now)
            .order_by(WorkshopSession.starts_at).limit(10))
    return list(db.session.scalars(stmt))


def modules_attended(user_id: int, module_ids: list[int]) -> set[int]:
    """Return those of the modules at whose sessions the person is marked present, in one statement."""
    if not module_ids:
        return set()
    return set(db.session.scalars(
        select(WorkshopSession.module_id).join(Booking, Booking.session_id == WorkshopSession.id)
        .where(Booking.user_id == user_id, Booking.attendance == "present",
               WorkshopSession.module_id.in_(module_ids)).distinct()))

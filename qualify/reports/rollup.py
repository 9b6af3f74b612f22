"""Count the rollups from the learning records: run nightly by the scheduler, never per request.

Only complete months (Europe/Berlin) are counted, each of them once: on the first night a week after it ended
(GRACE_DAYS), so that attendance marked late still arrives. After that a month is frozen. Recounting a month
already published would change its figures by one person whenever someone left, moved or erased their
account – and so tell what that person did. Group membership is the one at the time of counting (there is no
history of who belonged to which unit); people who left since, or whose account was erased (their anonymous
stand-in), still count in the months they took part in. A month's figures and the size of the group they are a
share of count the same people: the members of the month – those still there when it is counted and those who
left in it or since (User.left_month), whether they did anything or not.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select, text

from qualify.accounts.models import User
from qualify.core.time import LOCAL_TZ, to_local
from qualify.courses.models import Module, ModuleVersion
from qualify.extensions import db
from qualify.learning.models import Enrolment, ModuleCompletion
from qualify.reports.models import ParticipationRollup, RollupMonth, UnitHeadcount

# Workshops and exchange are features of their own; without them their figures are simply not counted.
try:
    from qualify.workshops.models import Booking, WorkshopSession
except ImportError:  # pragma: no cover - the workshops feature is not installed
    Booking = WorkshopSession = None
try:
    from qualify.exchange.models import ExchangePost, ExchangeSpace, ExchangeThread
except ImportError:  # pragma: no cover - the exchange feature is not installed
    ExchangePost = ExchangeSpace = ExchangeThread = None

CORE_METRICS = ("enrolled", "active", "modules_completed", "courses_completed")
WORKSHOP_METRICS = ("workshop_booked", "workshop_attended") if Booking is not None else ()
EXCHANGE_METRICS = ("exchange_posted",) if ExchangePost is not None else ()
METRICS = CORE_METRICS + WORKSHOP_METRICS + EXCHANGE_METRICS
# Metrics about modules can be split by module kind; enrolment and course completion belong to whole courses.
KIND_METRICS = tuple(m for m in METRICS if m not in ("enrolled", "courses_completed"))
MAX_MONTHS = 36
GRACE_DAYS = 7  # a month is counted a week after it ended, once
REFRESH_LOCK_KEY = 0x51526570  # "QRep": one refresh at a time on PostgreSQL


@dataclass(frozen=True)
class Event:
    metric: str
    user_id: int
    course_id: int | None
    kind: str | None
    at: datetime


def month_of(moment: datetime) -> date:
    """Return the first day of the Berlin month the moment falls in."""
    return to_local(moment).date().replace(day=1)


def add_months(month: date, months: int) -> date:
    """Return the first day of the month `months` after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_start_utc(month: date) -> datetime:
    """Return the moment the Berlin month begins, in UTC."""
    return datetime.combine(month, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def month_range(first: date, last: date) -> list[date]:
    """Return every month from first to last, inclusive."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def due_month(now: datetime) -> date:
    """Return the newest month that may be counted now: the last one that ended GRACE_DAYS ago or earlier."""
    return add_months(month_of(now - timedelta(days=GRACE_DAYS)), -1)


def available_from(month: date) -> date:
    """Return the day a month's figures appear: its first night GRACE_DAYS after it ended (see due_month)."""
    return add_months(month, 1) + timedelta(days=GRACE_DAYS)


def refresh_rollups(now: datetime, *, rebuild: bool = False) -> int:
    """Count the complete months not yet counted (every one with rebuild); return how many were counted."""
    _lock()
    last = due_month(now)
    first = max(_earliest_month(last), add_months(last, -(MAX_MONTHS - 1)))
    counted = set(db.session.scalars(select(RollupMonth.month)))
    months = [m for m in month_range(first, last) if rebuild or m not in counted]
    if not months:
        return 0
    population, left = _population()
    cells = _count(_events(months[0], add_months(months[-1], 1)), population, left, set(months))
    _write(months, cells, population, left, now)
    return len(months)


def _lock() -> None:
    # Two refreshes at once (the nightly job, an admin's button) would both delete, then both insert.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK_KEY})


def _earliest_month(default: date) -> date:
    candidates = [
        db.session.scalar(select(func.min(Enrolment.enrolled_at))),
        db.session.scalar(select(func.min(ModuleCompletion.completed_at))),
    ]
    if WorkshopSession is not None:
        candidates.append(db.session.scalar(select(func.min(WorkshopSession.starts_at))))
    if ExchangePost is not None:
        candidates.append(db.session.scalar(select(func.min(ExchangePost.published_at))))
    return min([month_of(c) for c in candidates if c is not None] + [default])


def _population() -> tuple[dict[int, tuple[int, int | None]], dict[int, date | None]]:
    """Map every member of an organisation to (organisation, unit), and those no longer active to the month they
    left (None: not known).

    Those no longer active – who left, or the stand-in of an erased account – count in the months up to the one
    they left in, as the erasure page promises ("nur noch ohne Personenbezug gezählt"): in what they did and in
    the size of their group alike (see member_in).
    """
    stmt = (select(User.id, User.organisation_id, User.unit_id, User.active, User.left_month)
            .where(User.organisation_id.is_not(None)))
    population, left = {}, {}
    for user_id, organisation_id, unit_id, is_active, left_month in db.session.execute(stmt):
        population[user_id] = (organisation_id, unit_id)
        if not is_active:
            left[user_id] = left_month
    return population, left


def member_in(user_id: int, month: date, left: dict[int, date | None]) -> bool:
    """Tell whether a person of the population counts in a month: still there, or gone in that month or later.

    What a month's figures count and the size of the group they are a share of must be the same people – else a
    share could pass 100 % – and the size must not depend on what anyone did: someone who left late in a month
    counts in its size whether they took part or not, or the size beside the month before would tell. Someone
    gone in an unknown month (left before it was recorded) counts in no month counted since.
    """
    if user_id not in left:
        return True
    return left[user_id] is not None and left[user_id] >= month


def _events(start_month: date, end_month: date) -> Iterator[Event]:
    start, end = month_start_utc(start_month), month_start_utc(end_month)
    yield from _enrolment_events(start, end)
    yield from _module_events(start, end)
    if Booking is not None:
        yield from _booking_events(start, end)
    if ExchangePost is not None:
        yield from _exchange_events(start, end)


def _enrolment_events(start: datetime, end: datetime) -> Iterator[Event]:
    enrolled = select(Enrolment.user_id, Enrolment.course_id, Enrolment.enrolled_at).where(
        Enrolment.enrolled_at >= start, Enrolment.enrolled_at < end
    )
    for user_id, course_id, at in db.session.execute(enrolled):
        yield Event("enrolled", user_id, course_id, None, at)
    completed = select(Enrolment.user_id, Enrolment.course_id, Enrolment.completed_at).where(
        Enrolment.completed_at >= start, Enrolment.completed_at < end
    )
    for user_id, course_id, at in db.session.execute(completed):
        yield Event("courses_completed", user_id, course_id, None, at)


def _module_events(start: datetime, end: datetime) -> Iterator[Event]:
    stmt = (
        select(ModuleCompletion.user_id, Module.course_id, ModuleVersion.kind, ModuleCompletion.completed_at)
        .join(Module, Module.id == ModuleCompletion.module_id)
        .join(ModuleVersion, ModuleVersion.id == ModuleCompletion.module_version_id)
        .where(ModuleCompletion.completed_at >= start, ModuleCompletion.completed_at < end)
    )
    for user_id, course_id, kind, at in db.session.execute(stmt):
        yield Event("modules_completed", user_id, course_id, kind, at)


def _booking_events(start: datetime, end: datetime) -> Iterator[Event]:
    stmt = (
        select(
            Booking.user_id,
            Booking.status,
            Booking.attendance,
            Module.course_id,
            ModuleVersion.kind,
            WorkshopSession.starts_at,
        )
        .join(WorkshopSession, WorkshopSession.id == Booking.session_id)
        .join(Module, Module.id == WorkshopSession.module_id)
        .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(
            WorkshopSession.status == "scheduled",
            WorkshopSession.starts_at >= start,
            WorkshopSession.starts_at < end,
        )
    )
    for user_id, status, attendance, course_id, kind, at in db.session.execute(stmt):
        if status == "confirmed":
            yield Event("workshop_booked", user_id, course_id, kind or "workshop", at)
        if attendance == "present":
            yield Event("workshop_attended", user_id, course_id, kind or "workshop", at)


def _exchange_events(start: datetime, end: datetime) -> Iterator[Event]:
    stmt = (
        select(ExchangePost.author_id, Module.course_id, ExchangePost.published_at)
        .join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
        .join(ExchangeSpace, ExchangeSpace.id == ExchangeThread.space_id)
        .outerjoin(Module, Module.id == ExchangeSpace.module_id)
        .where(
            ExchangePost.author_id.is_not(None),
            ExchangePost.status.in_(("published", "hidden")),
            ExchangePost.published_at >= start,
            ExchangePost.published_at < end,
        )
    )
    for user_id, course_id, at in db.session.execute(stmt):
        # A free-standing space belongs to no course and no module kind: it counts under "all" only.
        yield Event("exchange_posted", user_id, course_id, "exchange" if course_id else None, at)


CellKey = tuple[int, int | None, int | None, str | None, date, str]


def _count(events, population, left, months: set[date]) -> dict[CellKey, set[int]]:
    """Collect the distinct people of every cell; any-course and any-kind cells are counted, not summed.

    Only the members of the month count (member_in): a booking for a session after someone left is not theirs.
    """
    cells: dict[CellKey, set[int]] = defaultdict(set)
    for event in events:
        if event.user_id not in population:
            continue
        month = month_of(event.at)
        if month not in months or not member_in(event.user_id, month, left):
            continue
        organisation_id, unit_id = population[event.user_id]
        kinds = {None, event.kind} if event.metric in KIND_METRICS else {None}
        for course_id in {None, event.course_id}:
            for kind in kinds:
                for metric in (event.metric, "active"):
                    cells[(organisation_id, unit_id, course_id, kind, month, metric)].add(event.user_id)
    return cells


def _write(months: list[date], cells, population, left: dict[int, date | None], now: datetime) -> None:
    db.session.execute(delete(ParticipationRollup).where(ParticipationRollup.month.in_(months)))
    db.session.execute(delete(UnitHeadcount).where(UnitHeadcount.month.in_(months)))
    db.session.execute(delete(RollupMonth).where(RollupMonth.month.in_(months)))
    rows = [
        {
            "organisation_id": o,
            "unit_id": u,
            "course_id": c,
            "module_kind": k,
            "month": m,
            "metric": metric,
            "people": len(people),
        }
        for (o, u, c, k, m, metric), people in cells.items()
    ]
    if rows:
        db.session.execute(insert(ParticipationRollup), rows)
    # A group's size in a month: the members of the month (member_in), the same people its figures count – those
    # there when it is counted and those who left in it or since, whether they took part or not.
    staying = Counter(group for user_id, group in population.items() if user_id not in left)
    headcounts = [{"organisation_id": o, "unit_id": u, "month": m, "people": n}
                  for m in months
                  for (o, u), n in (staying + Counter(population[user_id] for user_id in left
                                                      if member_in(user_id, m, left))).items()]
    if headcounts:
        db.session.execute(insert(UnitHeadcount), headcounts)
    db.session.execute(insert(RollupMonth), [{"month": m, "counted_at": now} for m in months])
    db.session.flush()

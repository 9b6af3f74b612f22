"""Fixtures for workshop tests: the demo workshop module, its trainer, and sessions made to measure."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.mail import OutboxMessage
from qualify.core.time import utcnow
from qualify.courses.models import CourseOwner, Module
from qualify.exchange import spaces
from qualify.exchange.models import SpaceModerator
from qualify.extensions import db
from qualify.workshops import schedule, services
from qualify.workshops.models import Booking, WorkshopSession


@pytest.fixture
def workshop_module(demo_courses) -> Module:
    """The practical day of the high-voltage course: a workshop module with capacity 10."""
    course = demo_courses["hochvolt-sicherheit"]
    return db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                  Module.slug == "praxistag-hv-schulungsfahrzeug"))


@pytest.fixture
def exchange_module(demo_courses) -> Module:
    """The exchange module of the digital-factory course, with its space (without moderators yet)."""
    course = demo_courses["digitale-fabrik"]
    module = db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                    Module.slug == "austausch-wandel-in-meinem-werk"))
    spaces.space_for_module(module)
    db.session.commit()
    return module


@pytest.fixture
def space_moderator(make_user, exchange_module):
    """A moderator assigned to the exchange module's space."""
    user = make_user(Role.MODERATOR, name="Moderatorin Mia")
    db.session.add(SpaceModerator(space_id=spaces.space_for_module(exchange_module).id, user_id=user.id))
    db.session.commit()
    return user


@pytest.fixture
def trainer(make_user, workshop_module):
    """A trainer who owns the demo course."""
    user = make_user(Role.TRAINER, name="Trainerin Tina")
    db.session.add(CourseOwner(course_id=workshop_module.course_id, user_id=user.id))
    db.session.commit()
    return user


def in_days(days: int) -> date:
    return (utcnow() + timedelta(days=days)).date()


@pytest.fixture
def make_session(workshop_module, trainer):
    """Plan a session (default: in 14 days, 10:00–13:00 Berlin) and book the given people in order."""

    def make(*, day: date | None = None, start: time = time(10), end: time = time(13), capacity: int = 10,
             booking_hours_before: int = 0, cancellation_hours_before: int = 24,
             approval_required: bool = False, booked=(), trainers=None,
             place: str = "Ausbildungswerkstatt Halle 4", online_url: str = "", format: str = "in-person",
             now: datetime | None = None) -> WorkshopSession:
        now = now or utcnow()
        plan = schedule.SessionPlan(
            start_time=start, end_time=end, capacity=capacity, format=format, place=place,
            online_url=online_url, booking_hours_before=booking_hours_before,
            cancellation_hours_before=cancellation_hours_before, approval_required=approval_required,
            trainers=list(trainers if trainers is not None else [trainer]))
        (session,) = schedule.create_sessions(workshop_module, plan, [day or in_days(14)], by=trainer,
                                              now=now)
        db.session.commit()
        for person in booked:
            services.book(session, person, now=now)
            db.session.commit()
        return session

    return make


@pytest.fixture
def client(new_client):
    return new_client()


def outbox(recipient: str | None = None, subject_contains: str = "") -> list[OutboxMessage]:
    """Return the queued mails, optionally for one recipient and with a word in the subject."""
    db.session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return [m for m in db.session.scalars(stmt) if subject_contains in m.subject]


def bookings_of(session: WorkshopSession) -> list[Booking]:
    db.session.expire_all()
    return list(db.session.scalars(select(Booking).where(Booking.session_id == session.id)
                                   .order_by(Booking.queue_number)))


def statuses(session: WorkshopSession) -> dict[str, int]:
    db.session.expire_all()
    return services.status_counts(session)


def at(session: WorkshopSession, **delta) -> datetime:
    """A moment relative to the session's start, e.g. at(s, hours=-2)."""
    return session.starts_at + timedelta(**delta)



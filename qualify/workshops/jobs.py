"""Scheduled work of the workshops feature: plain functions of `now`, run by `qualify scheduler`."""

from datetime import datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from sqlalchemy import select

from qualify.core.database import insert_on_conflict
from qualify.core.scheduler import Job
from qualify.extensions import db
from qualify.workshops import mails, services
from qualify.workshops.models import Booking, SentReminder, WorkshopSession


def reminder_offsets() -> list[tuple[str, timedelta]]:
    """Return the configured reminders as (kind, time before start), the nearest first, e.g. ("1h", 1 h)."""
    hours = sorted(current_app.config.get("WORKSHOP_REMINDER_HOURS", (24, 1)))
    return [(f"{h:g}h", timedelta(hours=h)) for h in hours]


def send_reminders(now: datetime) -> int:
    """Queue each due reminder once: only the nearest one that is due, recorded in a unique row."""
    offsets = reminder_offsets()
    if not offsets:
        return 0
    stmt = (select(Booking).join(WorkshopSession, WorkshopSession.id == Booking.session_id)
            # Not to someone already marked absent or excused (attendance opens before the start).
            .where(Booking.status == "confirmed", Booking.attendance.is_(None), WorkshopSession.status == "scheduled",
                   WorkshopSession.starts_at > now, WorkshopSession.starts_at <= now + offsets[-1][1])
            .order_by(Booking.id))
    bookings = list(db.session.scalars(stmt))
    already = set(db.session.execute(select(SentReminder.booking_id, SentReminder.kind)
                                     .where(SentReminder.booking_id.in_([b.id for b in bookings]))).all())
    sent = 0
    for booking in bookings:
        kind = next(kind for kind, before in offsets if booking.session.starts_at - before <= now)
        if (booking.id, kind) in already:
            continue
        if not _claim_reminder(booking.id, kind, now):
            continue  # another scheduler (or run) recorded it first
        mails.notify(booking, "reminder")
        db.session.commit()  # the row and its mail together, one booking at a time
        sent += 1
    return sent


def _claim_reminder(booking_id: int, kind: str, now: datetime) -> bool:
    """Insert the (booking, kind) row unless it exists; True if this call inserted it.

    INSERT … ON CONFLICT DO NOTHING: a concurrent scheduler waits on the unique index and then inserts
    nothing, and the row and its mail commit together (a savepoint would not, on pysqlite).
    """
    stmt = (insert_on_conflict(SentReminder).values(booking_id=booking_id, kind=kind, sent_at=now)
            .on_conflict_do_nothing().returning(SentReminder.id))
    return db.session.execute(stmt).first() is not None


def close_due_bookings(now: datetime) -> int:
    """Close bookings of sessions whose booking deadline has passed; return how many sessions were closed."""
    stmt = select(WorkshopSession).where(WorkshopSession.status == "scheduled",
                                         WorkshopSession.bookings_closed_at.is_(None),
                                         WorkshopSession.booking_deadline_at <= now)
    closed = 0
    for session in list(db.session.scalars(stmt)):
        services.close_bookings(session, now=now)
        db.session.commit()
        closed += 1
    return closed


JOBS = (
    Job("workshops.reminders", send_reminders, IntervalTrigger(minutes=5)),
    Job("workshops.close_bookings", close_due_bookings, IntervalTrigger(minutes=1)),
)

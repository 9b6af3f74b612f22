"""Sessions of a workshop (or exchange) module, the people booked on them, reminders and calendar feeds."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualify.accounts.models import User
from qualify.core.database import in_german_order
from qualify.core.time import UTCDateTime, utcnow
from qualify.courses.models import Module
from qualify.extensions import db

SESSION_STATUSES = ("scheduled", "cancelled")
FORMATS = ("in-person", "online", "hybrid")
# confirmed: has a seat · waitlisted: queued for one · pending: awaits a trainer's approval
# declined: refused by a trainer · cancelled: withdrawn by the person
# expired: bookings closed before a seat came
BOOKING_STATUSES = ("confirmed", "waitlisted", "pending", "declined", "cancelled", "expired")
ACTIVE_STATUSES = ("confirmed", "waitlisted", "pending")
ATTENDANCE = ("present", "excused", "absent")

session_trainers = Table(
    "workshop_session_trainers",
    db.metadata,
    Column("session_id", ForeignKey("workshop_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


def new_uid() -> str:
    return f"{uuid.uuid4()}@qualify"


class WorkshopSession(db.Model):
    """One date of a workshop module; a series is several sessions sharing a series_key."""

    __tablename__ = "workshop_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    series_key: Mapped[str | None] = mapped_column(String(36), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    format: Mapped[str] = mapped_column(String(20), default="in-person")
    place: Mapped[str] = mapped_column(String(300), default="")
    # Shown only to confirmed participants and the trainers.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int]
    booking_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancellation_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approval_required: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    # Set by the scheduler once the booking deadline has passed and the waitlist was closed.
    bookings_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_note: Mapped[str | None] = mapped_column(Text)  # why, in the trainer's words, for those booked
    # When its date or time was last changed: whoever booked before did not agree to the new time.
    rescheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uid: Mapped[str] = mapped_column(String(120), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    # Raised under the row lock for every booking: gives the waitlist its strict order.
    queue_counter: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    module: Mapped[Module] = relationship()
    trainers: Mapped[list[User]] = relationship(secondary=session_trainers,
                                                 order_by=in_german_order(User.display_name))
    bookings: Mapped[list["Booking"]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                     order_by="Booking.queue_number")

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def title(self) -> str:
        version = self.module.current_version
        return version.title if version else self.module.slug

    @property
    def kind(self) -> str:
        version = self.module.current_version
        return version.kind if version else "workshop"


class Booking(db.Model):
    """One person's booking of one session; rebooking reuses the row."""

    __tablename__ = "workshop_bookings"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    queue_number: Mapped[int]
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attendance: Mapped[str | None] = mapped_column(String(20))
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # How far this person's calendar entry is ahead of the session's sequence: raised when they give up their
    # seat (the CANCEL) and when they book again (the new invitation), as calendars ignore a message whose
    # SEQUENCE is not above the one they hold.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # When a trainer entered the person on the attendance list as come without a seat (attendance.add_walk_in):
    # kept with the booking, as the log that also records it is emptied by its retention period.
    walked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[WorkshopSession] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def walked_in(self) -> bool:
        """Whether the person holds the seat because a trainer entered them in the room, without having had one."""
        return self.walked_in_at is not None and self.status == "confirmed"

    @property
    def booked_on_walking_in(self) -> bool:
        """Whether the booking was made only when the person was entered in the room: then it has no booking date
        of its own (booked_at is the moment they were entered)."""
        return self.walked_in_at is not None and self.booked_at >= self.walked_in_at

    @property
    def cancellable_until(self) -> datetime:
        """Until when the person may give up their seat themselves: the session's cancellation deadline, or its
        start when its date or time was changed after they booked (they did not agree to the new time)."""
        session = self.session
        if session.rescheduled_at is not None and self.booked_at < session.rescheduled_at:
            return session.starts_at
        return session.cancellation_deadline_at


class SentReminder(db.Model):
    """A reminder queued for a booking; the unique pair makes it go out once, whoever runs the job."""

    __tablename__ = "workshop_reminders"
    __table_args__ = (UniqueConstraint("booking_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("workshop_bookings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # e.g. "24h", "1h"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A personal calendar subscription; only the hash of its secret token is stored."""

    __tablename__ = "workshop_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

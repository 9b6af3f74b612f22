"""What learning records, and nothing more: enrolment, modules done, quiz attempts, completion.

No time spent, page views, clicks or access counts are stored, by design (see docs/privacy.md).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualify.accounts.models import Unit
from qualify.core.time import UTCDateTime, utcnow
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set when an admin enrolled the person (e.g. a mandatory safety course).
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    course: Mapped[Course] = relationship()


class ModuleCompletion(db.Model):
    """A module done, on the version the person saw; later versions do not take it away."""

    __tablename__ = "module_completions"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    via: Mapped[str] = mapped_column(String(20))  # read | quiz | workshop | exchange


TIMED_AND_OPEN = "submitted_at IS NULL AND deadline_at IS NOT NULL"


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id", "number"),
        # The scheduler's look for attempts whose time ran out: only the few open ones with a time limit. The
        # predicate is one that handing an attempt in (`id = … AND submitted_at IS NULL`) does not imply, so
        # no planner can take this index for that UPDATE and scan every open attempt instead of one key.
        Index("ix_quiz_attempts_open_deadline", "deadline_at", postgresql_where=text(TIMED_AND_OPEN),
              sqlite_where=text(TIMED_AND_OPEN)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id", ondelete="CASCADE"))
    number: Mapped[int]
    # A random secret of the attempt: option ids are derived from it, so the page reveals no answer order.
    secret: Mapped[str] = mapped_column(String(32))
    question_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    module: Mapped[Module] = relationship()
    version: Mapped[ModuleVersion] = relationship()

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class ItemTally(db.Model):
    """The counted first answers to one question, as it is graded now (see learning/statistics.py).

    Added to in closed groups of five, never taken from: deleting an attempt (an erased account, the retention
    period) changes no figure, so the figures before and after tell nothing about the attempt that went.
    """

    __tablename__ = "item_tallies"
    __table_args__ = (UniqueConstraint("module_id", "question_key", "grading"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(200))
    grading: Mapped[str] = mapped_column(String(64))  # hash of what decides the grading (statistics.grading_of)
    answers: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    wrong_answers: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # answer as shown -> how many
    # Attempts whose answer waits for its group of five; an attempt deleted meanwhile simply drops out.
    waiting: Mapped[list[int]] = mapped_column(JSON, default=list)


class ItemTallyPerson(db.Model):
    """Someone whose first attempt at a module's quiz went into the item statistics: nobody counts twice, even
    once that attempt is deleted and a later one would look like their first."""

    __tablename__ = "item_tally_people"
    __table_args__ = (UniqueConstraint("module_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Reflection(db.Model):
    """A private answer to an essay question: seen by its author alone, never graded or reported."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Certificate(db.Model):
    """Proof of a completed course; what it certifies is copied, so later edits do not change it."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int | None]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WithdrawnCertificate(db.Model):
    """A certificate taken back by an administrator: its code still tells whoever checks it that it is void."""

    __tablename__ = "withdrawn_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)  # for the holder and the administrators, never on the check page


ACTIVE_ASSIGNMENT = "ended_at IS NULL"


class MandatoryAssignment(db.Model):
    """A standing rule "this course is mandatory for this unit": its members now, and whoever joins later, are
    enrolled (learning/mandatory.py). Ending it enrols nobody more and takes nobody out."""

    __tablename__ = "mandatory_assignments"
    __table_args__ = (
        # One running assignment per course and unit: the same one confirmed twice (a double tap) is refused here.
        Index("uq_mandatory_assignments_running", "course_id", "unit_id", unique=True,
              postgresql_where=text(ACTIVE_ASSIGNMENT), sqlite_where=text(ACTIVE_ASSIGNMENT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    days_to_complete: Mapped[int | None]  # from each person's enrolment; None: no deadline
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()
    unit: Mapped[Unit] = relationship()


class MandatoryEnrolment(db.Model):
    """Someone an assignment has taken in: since when, by when (if it sets a deadline), and when reminded.

    Kept when the person leaves the course or the unit, so that the assignment enrols nobody twice. Seen by the
    person alone: the administration sees no deadline, nobody's completion, nobody overdue.
    """

    __tablename__ = "mandatory_enrolments"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("mandatory_assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

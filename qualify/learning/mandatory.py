"""Mandatory courses: a course kept mandatory for a unit. Its active members are enrolled when an admin assigns it,
and whoever joins the unit later by the scheduler; each with a deadline of their own where the assignment sets
one, and one reminder a week before it.

The administration learns the unit's size and nothing more: not who was enrolled already, who completed the course
or who is late. Deadlines are the person's own (Mein Lernen, the course page, their mails).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import and_, exists, func, select, update

from qualify.accounts.models import Organisation, Unit, User
from qualify.accounts.services import count_active_members
from qualify.core import audit
from qualify.core.database import in_german_order, insert_on_conflict, take_turns
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.learning import mails
from qualify.learning.models import Enrolment, MandatoryAssignment, MandatoryEnrolment

REMINDER_BEFORE = timedelta(days=7)
MAX_DAYS_TO_COMPLETE = 365
# The log entries of assignments name a course and a unit, and carry the unit's organisation in the events' column
# for it, so that the organisation's administration reads those about its own units (admin.services).
LOGGED_ACTIONS = ("enrolments.mandatory", "enrolments.mandatory_ended", "enrolments.mandatory_newcomers")


def _turn_of(course_id: int, unit_id: int) -> None:
    # The same assignment confirmed twice at once, or confirmed while the scheduler takes newcomers in: in turn.
    take_turns(f"mandatory:{unit_id}:{course_id}")


def assign(course: Course, unit: Unit, *, days_to_complete: int | None, now: datetime,
           by) -> MandatoryAssignment | None:
    """Make the course mandatory for the unit from now on and enrol its active members, telling each by mail.

    Return None when it is mandatory there already (the confirmation sent twice): then nothing happens at all.
    """
    _turn_of(course.id, unit.id)
    table = MandatoryAssignment.__table__
    inserted = (insert_on_conflict(table)
                .values(course_id=course.id, unit_id=unit.id, days_to_complete=days_to_complete,
                        created_by_id=by.id, created_at=now)
                .on_conflict_do_nothing().returning(table.c.id))
    assignment_id = db.session.scalar(inserted)
    if assignment_id is None:
        return None
    assignment = db.session.get(MandatoryAssignment, assignment_id)
    # Only ever the unit's size, never how many were enrolled already: that would tell the admin who takes which
    # course (a unit of one makes it a person).
    audit.record("enrolments.mandatory", actor=by, target=course, unit_id=unit.id,
                 organisation_id=unit.organisation_id, members=count_active_members(unit.id),
                 days_to_complete=days_to_complete)
    _take_in(assignment, db.session.scalars(_newcomers_of(assignment.id)).all(), now=now)
    return assignment


def running_assignment(course_id: int, unit_id: int) -> MandatoryAssignment | None:
    """Return the running assignment of this course to this unit, or None."""
    return db.session.scalar(select(MandatoryAssignment).where(
        MandatoryAssignment.course_id == course_id, MandatoryAssignment.unit_id == unit_id,
        MandatoryAssignment.ended_at.is_(None)))


def end(assignment: MandatoryAssignment, *, now: datetime, by) -> bool:
    """End the assignment: it enrols nobody more, its deadlines and reminders stop, and whoever is enrolled stays
    so. False when it had ended already (the same request sent twice): then nothing more is logged."""
    _turn_of(assignment.course_id, assignment.unit_id)
    ended = db.session.execute(update(MandatoryAssignment).where(
        MandatoryAssignment.id == assignment.id, MandatoryAssignment.ended_at.is_(None)).values(ended_at=now)
        .execution_options(synchronize_session=False))
    if ended.rowcount != 1:
        return False
    db.session.refresh(assignment)
    audit.record("enrolments.mandatory_ended", actor=by, target=assignment.course, unit_id=assignment.unit_id,
                 organisation_id=assignment.unit.organisation_id)
    return True


def _taken_in():
    return exists().where(MandatoryEnrolment.assignment_id == MandatoryAssignment.id,
                          MandatoryEnrolment.user_id == User.id)


def _newcomers_of(assignment_id: int):
    """The active members of the assignment's unit whom it has not taken in yet, while it runs."""
    return (select(User).select_from(MandatoryAssignment).join(User, User.unit_id == MandatoryAssignment.unit_id)
            .where(MandatoryAssignment.id == assignment_id, MandatoryAssignment.ended_at.is_(None),
                   User.active.is_(True), ~_taken_in())
            .order_by(User.id))


def take_in_newcomers(*, now: datetime) -> int:
    """Enrol whoever came into a unit with a running assignment since it last looked – created, imported, moved
    there or reactivated – and tell each by mail; return how many were taken in."""
    waiting = (select(MandatoryAssignment).where(MandatoryAssignment.ended_at.is_(None), exists(
        select(User.id).where(User.unit_id == MandatoryAssignment.unit_id, User.active.is_(True), ~_taken_in())))
        .order_by(MandatoryAssignment.id))
    taken = 0
    for assignment in db.session.scalars(waiting).all():
        _turn_of(assignment.course_id, assignment.unit_id)
        count = _take_in(assignment, db.session.scalars(_newcomers_of(assignment.id)).all(), now=now)
        if count:
            # How many came in, which the unit's own changes tell the admin anyway; not who was enrolled already.
            audit.record("enrolments.mandatory_newcomers", target=assignment.course, unit_id=assignment.unit_id,
                         organisation_id=assignment.unit.organisation_id, people=count)
        taken += count
    return taken


def _take_in(assignment: MandatoryAssignment, people: list[User], *, now: datetime) -> int:
    """Take the people in: enrol who is not enrolled, give everyone the deadline, and tell whoever has the course
    still ahead of them (and has not heard of it from another running assignment); return how many."""
    if not people:
        return 0
    days = assignment.days_to_complete
    due_at = now + timedelta(days=days) if days else None
    table = MandatoryEnrolment.__table__
    rows = [{"assignment_id": assignment.id, "user_id": person.id, "assigned_at": now, "due_at": due_at}
            for person in people]
    taken = set(db.session.scalars(insert_on_conflict(table).on_conflict_do_nothing().returning(table.c.user_id),
                                   rows))
    if not taken:
        return 0
    enrolments = Enrolment.__table__
    db.session.execute(insert_on_conflict(enrolments).on_conflict_do_nothing(), [
        {"user_id": user_id, "course_id": assignment.course_id, "enrolled_at": now,
         "enrolled_by_id": assignment.created_by_id} for user_id in sorted(taken)])
    still_open = set(db.session.scalars(select(Enrolment.user_id).where(
        Enrolment.course_id == assignment.course_id, Enrolment.user_id.in_(taken), Enrolment.completed_at.is_(None))))
    told_before = set(db.session.scalars(
        select(MandatoryEnrolment.user_id).join(MandatoryAssignment)
        .where(MandatoryAssignment.course_id == assignment.course_id, MandatoryAssignment.ended_at.is_(None),
               MandatoryAssignment.id != assignment.id, MandatoryEnrolment.user_id.in_(taken))))
    mails.tell_enrolled_in_mandatory_course([person for person in people if person.id in still_open - told_before],
                                            assignment.course, due_at=due_at)
    return len(taken)


@dataclass(frozen=True)
class Reminder:
    """A deadline to remind someone of."""

    ids: tuple[int, ...]  # of their MandatoryEnrolment rows for the course (two units may both require it)
    person: User
    course: Course
    due_at: datetime


def due_reminders(now: datetime) -> list[Reminder]:
    """The deadlines of running assignments that fall within the next week, not reminded of yet, of courses not
    completed; none where the whole period is a week or less (the first mail said the date)."""
    enrolment = and_(Enrolment.user_id == MandatoryEnrolment.user_id,
                     Enrolment.course_id == MandatoryAssignment.course_id)
    stmt = (select(MandatoryEnrolment.id, MandatoryEnrolment.due_at, User, Course)
            .join(MandatoryAssignment, MandatoryAssignment.id == MandatoryEnrolment.assignment_id)
            .join(User, User.id == MandatoryEnrolment.user_id)
            .join(Course, Course.id == MandatoryAssignment.course_id)
            .outerjoin(Enrolment, enrolment)
            .where(MandatoryEnrolment.reminded_at.is_(None), MandatoryEnrolment.due_at > now,
                   MandatoryEnrolment.due_at <= now + REMINDER_BEFORE, MandatoryAssignment.ended_at.is_(None),
                   MandatoryAssignment.days_to_complete > REMINDER_BEFORE.days, User.active.is_(True),
                   Enrolment.completed_at.is_(None))
            .order_by(User.id, Course.id, MandatoryEnrolment.due_at))
    reminders = []
    for (_user_id, _course_id), rows in groupby(db.session.execute(stmt).all(),
                                                key=lambda row: (row.User.id, row.Course.id)):
        rows = list(rows)
        reminders.append(Reminder(tuple(row.id for row in rows), rows[0].User, rows[0].Course, rows[0].due_at))
    return reminders


def remind(reminder: Reminder, *, now: datetime) -> bool:
    """Mail the reminder, once: False when it was sent already (by another run)."""
    claimed = db.session.execute(update(MandatoryEnrolment).where(
        MandatoryEnrolment.id.in_(reminder.ids), MandatoryEnrolment.reminded_at.is_(None))
        .values(reminded_at=now).execution_options(synchronize_session=False))
    if not claimed.rowcount:
        return False
    mails.remind_of_mandatory_deadline(reminder.person, reminder.course, reminder.due_at)
    return True


def running_assignments(*, organisation_id: int | None = None) -> list:
    """The running assignments with their course, unit and author, in one statement: for the administration's
    page, which shows no one's enrolment, completion or deadline. organisation_id: only those of its units."""
    stmt = (select(MandatoryAssignment.id, MandatoryAssignment.days_to_complete, MandatoryAssignment.created_at,
                   Course.title.label("course_title"), Course.language.label("course_language"),
                   Unit.name.label("unit_name"), Organisation.name.label("organisation_name"),
                   User.display_name.label("created_by"))
            .join(Course, Course.id == MandatoryAssignment.course_id)
            .join(Unit, Unit.id == MandatoryAssignment.unit_id)
            .join(Organisation, Organisation.id == Unit.organisation_id)
            .outerjoin(User, User.id == MandatoryAssignment.created_by_id)
            .where(MandatoryAssignment.ended_at.is_(None),
                   *([Unit.organisation_id == organisation_id] if organisation_id is not None else []))
            .order_by(in_german_order(Organisation.name), in_german_order(Unit.name),
                      in_german_order(Course.title), MandatoryAssignment.id))
    return db.session.execute(stmt).all()


def deadline_columns(user_id, course_id) -> tuple:
    """Whether the course is mandatory for the person, and the earliest deadline, as two columns ("mandatory",
    "due_at") for a statement that reads the enrolment anyway: no statement of their own."""
    running = and_(MandatoryEnrolment.user_id == user_id, MandatoryAssignment.course_id == course_id,
                   MandatoryAssignment.ended_at.is_(None))
    joined = MandatoryEnrolment.__table__.join(
        MandatoryAssignment.__table__, MandatoryAssignment.id == MandatoryEnrolment.assignment_id)
    mandatory = exists(select(MandatoryEnrolment.id).select_from(joined).where(running)).label("mandatory")
    due_at = (select(func.min(MandatoryEnrolment.due_at)).select_from(joined).where(running)
              .scalar_subquery().label("due_at"))
    return mandatory, due_at

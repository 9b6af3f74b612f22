"""The partial index of open timed attempts serves the scheduler and nothing else.

Handing an attempt in is `UPDATE … WHERE id = … AND submitted_at IS NULL`. While the index's predicate was
just `submitted_at IS NULL`, PostgreSQL – with statistics from before a busy hour – took that index for the
UPDATE and read every open attempt to find one. These tests ask the planners which index they may use.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from qualify.extensions import db
from qualify.learning.jobs import expired_attempts
from qualify.learning.models import QuizAttempt

INDEX = "ix_quiz_attempts_open_deadline"


def query_plan(statement) -> str:
    """The plan the database would choose, with sequential scans made a last resort on PostgreSQL."""
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return "\n".join(str(row) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))


def test_the_scheduler_finds_expired_attempts_through_the_index():
    assert INDEX in query_plan(expired_attempts(datetime(2026, 11, 30, tzinfo=UTC), limit=500))


def test_an_attempt_is_handed_in_by_its_key_never_through_the_index():
    # A guard: on an empty table the old predicate chose the key here too (the stale statistics that made it
    # take the index are hard to stage); the next test is the one that fails for the old predicate.
    handing_in = select(QuizAttempt.id).where(QuizAttempt.id == 7, QuizAttempt.submitted_at.is_(None))
    assert INDEX not in query_plan(handing_in)


def test_open_attempts_without_a_deadline_condition_cannot_use_the_index():
    # The index holds timed attempts only: a plan for all open attempts must not be able to take it.
    assert INDEX not in query_plan(select(QuizAttempt.id).where(QuizAttempt.submitted_at.is_(None)))

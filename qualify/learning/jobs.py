"""Scheduled work of the learning feature: plain functions of `now`, run by `qualify scheduler`."""

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from qualify.accounts.models import User
from qualify.core.scheduler import Job
from qualify.core.time import LOCAL_TZ
from qualify.extensions import db
from qualify.learning import mandatory, quiz, statistics
from qualify.learning.models import QuizAttempt


def expired_attempts(now: datetime, limit: int):
    """Open attempts whose time ran out, the longest-expired first (read through their partial index)."""
    return (select(QuizAttempt.id, QuizAttempt.user_id)
            .where(QuizAttempt.submitted_at.is_(None), QuizAttempt.deadline_at < now - quiz.GRACE)
            .order_by(QuizAttempt.deadline_at).limit(limit))


def hand_in_expired_attempts(now: datetime, *, limit: int = 500) -> int:
    """Grade the open attempts whose time ran out (with the answers saved until then); return how many.

    Each is committed on its own, so one that fails to grade does not hold back the others.
    """
    handed_in = 0
    for attempt_id, user_id in db.session.execute(expired_attempts(now, limit)).all():
        attempt = quiz.attempt_with_module(attempt_id)
        if quiz.hand_in_if_expired(attempt, db.session.get(User, user_id), now=now):
            handed_in += 1
        db.session.commit()
    return handed_in


def count_item_answers(now: datetime) -> int:
    """Take new first attempts into the trainers' item statistics (in groups of five); return how many."""
    counted = statistics.count_answers()
    db.session.commit()
    return counted


def enrol_newcomers_in_mandatory_courses(now: datetime) -> int:
    """Enrol whoever joined a unit with a standing mandatory course (created, imported, moved, reactivated)."""
    taken = mandatory.take_in_newcomers(now=now)
    db.session.commit()
    return taken


def remind_of_mandatory_deadlines(now: datetime) -> int:
    """Remind, once each, whoever has a mandatory course due within a week and not completed; return how many.

    Each is committed with its mail, so a failure holds back no one else and a rerun sends nothing twice.
    """
    sent = 0
    for reminder in mandatory.due_reminders(now):
        sent += mandatory.remind(reminder, now=now)
        db.session.commit()
    return sent


JOBS = (Job("learning.expired_attempts", hand_in_expired_attempts, IntervalTrigger(minutes=1)),
        Job("learning.item_statistics", count_item_answers, IntervalTrigger(minutes=10)),
        Job("learning.mandatory_newcomers", enrol_newcomers_in_mandatory_courses, IntervalTrigger(minutes=10)),
        # In the morning, when a reminder is read at the start of a shift rather than in the night.
        Job("learning.mandatory_reminders", remind_of_mandatory_deadlines,
            CronTrigger(hour=7, minute=15, timezone=LOCAL_TZ)))

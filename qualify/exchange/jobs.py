"""Scheduled exchange jobs: plain functions of `now`, listed in JOBS for the one scheduler process."""

from datetime import date, datetime
from itertools import groupby

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from sqlalchemy import select

from qualify.core.scheduler import Job
from qualify.core.time import LOCAL_TZ, to_local
from qualify.exchange import mails, waiting
from qualify.exchange.following import digest_posts
from qualify.exchange.models import ThreadFollow
from qualify.exchange.reading import author_label, openings_of
from qualify.exchange.spaces import can_see
from qualify.extensions import db


def send_daily_digests(now: datetime) -> int:
    """Mail each digest follower the posts published since their last digest; return how many mails."""
    stmt = (select(ThreadFollow).where(ThreadFollow.mode == "digest")
            .order_by(ThreadFollow.user_id, ThreadFollow.thread_id))
    sent = 0
    all_follows = db.session.scalars(stmt).all()
    openings = openings_of(sorted({row.thread_id for row in all_follows}))
    for _user_id, follows in groupby(all_follows, key=lambda row: row.user_id):
        follows = list(follows)
        reader = follows[0].user
        items = []
        for row in follows:
            since, row.digested_until = row.digested_until, now
            if not reader.active or row.thread.merged_into_id or not can_see(reader, row.thread.space):
                continue
            posts = digest_posts(row, since=since, until=now)
            if posts:
                items.append((row.thread, openings.get(row.thread_id), [(author_label(post), post) for post in posts]))
        if items:
            mails.send_digest(reader, items)
            sent += 1
    db.session.flush()
    return sent


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday in the network's federal state (HOLIDAY_STATE)."""
    if day.weekday() >= 5:
        return False
    import holidays  # here, not at the top: only the scheduler needs it, and the app's cold start is measured

    return day not in holidays.country_holidays("DE", subdiv=current_app.config["HOLIDAY_STATE"], years=day.year)


def remind_moderators(now: datetime) -> int:
    """On a working day (Monday to Friday except public holidays, Europe/Berlin), mail each moderator what waits in
    their spaces – once a day, and nothing to whom nothing waits; return how many mails.

    A reminder, not news: what waited yesterday is said again today. The day is noted in the transaction that
    queues the mails (committed by the scheduler, or rolled back with them), so a scheduler restarted – or run with
    --once – the same day sends nothing twice.
    """
    today = to_local(now).date()
    if not is_working_day(today):
        return 0
    sent = 0
    for moderator, spaces in waiting.moderators_to_remind(waiting.waiting_by_space()):
        if waiting.claim_reminder(moderator.id, today):
            mails.send_moderation_reminder(moderator, spaces)
            sent += 1
    db.session.flush()
    return sent


JOBS = (
    Job("exchange.daily_digest", send_daily_digests, CronTrigger(hour=6, minute=30, timezone=LOCAL_TZ)),
    Job("exchange.moderation_reminder", remind_moderators,
        CronTrigger(day_of_week="mon-fri", hour=7, minute=0, timezone=LOCAL_TZ)),
)

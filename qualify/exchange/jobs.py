"""Scheduled exchange jobs: plain functions of `now`, listed in JOBS for the one scheduler process."""

from datetime import datetime
from itertools import groupby

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from qualify.core.scheduler import Job
from qualify.core.time import LOCAL_TZ
from qualify.exchange import mails
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


JOBS = (Job("exchange.daily_digest", send_daily_digests, CronTrigger(hour=6, minute=30, timezone=LOCAL_TZ)),)

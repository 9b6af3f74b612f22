"""Telling a thread's followers of a new post: noted in the request, written by the next sending run.

A reply in a thread with a hundred followers rendered a hundred mails while its author waited. Now publishing a
post adds one note, whoever follows the thread, and the sending run (core/mail.py) turns each note into the mails
– deciding then who is told, so that a post hidden, deleted or erased in the meantime is mailed to nobody.
"""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from qualify.accounts.models import User
from qualify.core.mail import mail_composer
from qualify.exchange import mails
from qualify.exchange.models import ExchangePost, PostNotice, ThreadFollow
from qualify.exchange.reading import openings_of
from qualify.exchange.spaces import assigned_moderators, can_see
from qualify.extensions import db


def note_new_post(post: ExchangePost, *, now: datetime) -> None:
    """Note that the thread's followers are to be told of the post: one row, however many follow it."""
    db.session.add(PostNotice(post_id=post.id, noted_at=now))


def followers_to_tell(post: ExchangePost) -> list[User]:
    """Who is mailed about the post: those who followed its thread post by post when it was published (not who
    came to it since, and read it there) and may still enter its space – not its author, and nobody deactivated."""
    space = post.thread.space
    stmt = (select(ThreadFollow)
            .where(ThreadFollow.thread_id == post.thread_id, ThreadFollow.mode == "immediate",
                   ThreadFollow.created_at < post.published_at)
            .options(joinedload(ThreadFollow.user).selectinload(User.role_rows)))
    assigned = assigned_moderators(space)
    return [row.user for row in db.session.scalars(stmt)
            if row.user_id != post.author_id and row.user.active and can_see(row.user, space, assigned=assigned)]


@mail_composer
def tell_followers_of_new_posts(now: datetime) -> int:
    """Queue the mails about the posts noted since the last run, to each follower in their language, and forget
    the notes. Return how many mails were queued.

    The notes are taken by deleting them: a second run at the same moment (two schedulers by mistake) waits for
    the rows on PostgreSQL and then finds them gone, so nobody is told twice. A post no longer published (hidden
    or deleted since), or gone with its author's account, is told to nobody.
    """
    noted = set(db.session.scalars(delete(PostNotice).returning(PostNotice.post_id)
                                   .execution_options(synchronize_session=False)))
    if not noted:
        return 0
    posts = list(db.session.scalars(
        select(ExchangePost).where(ExchangePost.id.in_(noted), ExchangePost.status == "published")
        .options(joinedload(ExchangePost.thread), joinedload(ExchangePost.author))
        .order_by(ExchangePost.id)))
    openings = openings_of(sorted({post.thread_id for post in posts}))
    queued = 0
    for post in posts:
        for message in mails.notify_new_post(post, followers_to_tell(post), opening=openings.get(post.thread_id)):
            message.next_attempt_at = now  # due in the run that composed it
            queued += 1
    return queued

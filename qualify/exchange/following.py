"""Following threads and flagging posts to the moderators. Functions flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from qualify.accounts.roles import Role
from qualify.courses.models import Module
from qualify.exchange import mails
from qualify.exchange.errors import ExchangeError
from qualify.exchange.models import (
    FOLLOW_MODES,
    ExchangeFlag,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    PostNotice,
    SpaceModerator,
    ThreadFollow,
)
from qualify.exchange.reading import author_label, openings_of, shown_title
from qualify.exchange.spaces import can_see, is_moderator, moderators_of
from qualify.exchange.text import MAX_REASON
from qualify.extensions import db


def follow_of(thread: ExchangeThread, user) -> ThreadFollow | None:
    """Return the person's follow of the thread, or None."""
    return db.session.scalar(select(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                                        ThreadFollow.user_id == user.id))


def follow(thread: ExchangeThread, user, *, mode: str, now: datetime) -> ThreadFollow:
    """Follow a thread (or change how): a mail per post, or a daily digest."""
    if mode not in FOLLOW_MODES:
        raise ExchangeError(_("Ungültige Einstellung."))
    row = follow_of(thread, user)
    if row is not None and row.mode != mode:
        _wait_for_a_sending_run_at_work(thread)
    if row is None:
        row = ThreadFollow(thread_id=thread.id, user_id=user.id, created_at=now, digested_until=now)
        db.session.add(row)
    elif row.mode == "immediate" and mode == "digest":
        # What came before was mailed post by post: the first digest starts here – or at the first post since
        # they follow that the sending run has not mailed yet (it now mails only those following post by post).
        waiting = _first_post_not_yet_mailed(thread)
        row.digested_until = min(now, max(row.created_at, waiting)) if waiting is not None else now
    elif row.mode == "digest" and mode == "immediate":
        _last_digest(row, now=now)
    row.mode = mode
    db.session.flush()
    return row


def _wait_for_a_sending_run_at_work(thread: ExchangeThread) -> None:
    """Lock the thread's notes for the sending run until this switch is committed.

    A switch decides by the notes which posts the run will mail and which the digest brings; the run decides by
    the modes whom it mails. Working at the same moment (PostgreSQL), each would read the other's state from before:
    a post was then mailed twice, or – switching to a mail per post – to nobody. With the notes locked, a run that
    has taken them is waited for (its posts then count as mailed), and a run that comes later waits for the switch
    (and finds its new mode). SQLite lets one writer in at a time anyway.
    """
    db.session.execute(select(PostNotice.id).join(ExchangePost, ExchangePost.id == PostNotice.post_id)
                       .where(ExchangePost.thread_id == thread.id).with_for_update(of=PostNotice)).all()


def _first_post_not_yet_mailed(thread: ExchangeThread) -> datetime | None:
    """Just before the earliest post of the thread noted for the next sending run (the digest takes posts
    published after its moment), or None."""
    first = db.session.scalar(select(func.min(ExchangePost.published_at))
                              .join(PostNotice, PostNotice.post_id == ExchangePost.id)
                              .where(ExchangePost.thread_id == thread.id))
    return first - timedelta(microseconds=1) if first is not None else None


def digest_posts(row: ThreadFollow, *, since: datetime, until: datetime,
                 not_noted: bool = False) -> list[ExchangePost]:
    """The posts of the followed thread a digest of (since, until] brings its follower: published ones by others,
    oldest first; with `not_noted`, only those the sending run has told already (see notices.py)."""
    stmt = select(ExchangePost).where(
        ExchangePost.thread_id == row.thread_id, ExchangePost.status == "published",
        ExchangePost.published_at > since, ExchangePost.published_at <= until,
        ExchangePost.author_id.is_distinct_from(row.user_id))
    if not_noted:
        stmt = stmt.where(~select(PostNotice.id).where(PostNotice.post_id == ExchangePost.id).exists())
    return list(db.session.scalars(stmt.order_by(ExchangePost.published_at)))


def _last_digest(row: ThreadFollow, *, now: datetime) -> None:
    """Switching from the daily digest to a mail per post: the posts since the last digest that the sending run
    has already mailed (to those following post by post, not to this person then) come in one last digest, queued
    now. Those still noted for the run it mails to this person, who now follows post by post – nothing twice."""
    reader, thread = row.user, row.thread
    if reader.active and thread.merged_into_id is None and can_see(reader, thread.space):
        posts = digest_posts(row, since=row.digested_until, until=now, not_noted=True)
        if posts:
            mails.send_digest(reader, [(thread, None, [(author_label(post), post) for post in posts])])
    row.digested_until = now


def unfollow(thread: ExchangeThread, user) -> None:
    """Stop following the thread."""
    row = follow_of(thread, user)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


@dataclass
class FollowedThread:
    follow: ThreadFollow
    title: str  # as this person may read it (see reading.shown_title)


def followed_threads(user, *, page: int, per_page: int) -> tuple[list[FollowedThread], bool]:
    """Return a page of what the person follows and may still read, most recently active first, and whether
    there is a next page.

    A thread moved into a space the person cannot enter stays followed (it may come back), but neither its
    title nor its activity shows any more – as its mails stop. Costs at most five statements (six for a moderator),
    however many threads in however many spaces are followed.
    """
    # The spaces with what their rules read (module and course) come for the whole page at once.
    stmt = (select(ThreadFollow).join(ThreadFollow.thread)
            .options(contains_eager(ThreadFollow.thread).selectinload(ExchangeThread.space)
                     .selectinload(ExchangeSpace.module).selectinload(Module.course))
            .where(ThreadFollow.user_id == user.id)
            .order_by(ExchangeThread.last_activity_at.desc(), ThreadFollow.id.desc()))
    follows = db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    has_next = len(follows) > per_page
    follows = follows[:per_page]
    openings = openings_of([row.thread_id for row in follows])
    moderates = set(db.session.scalars(select(SpaceModerator.space_id).where(SpaceModerator.user_id == user.id))
                    ) if user.has_role(Role.MODERATOR) else set()
    readable: dict[int, bool] = {}  # per space: one space holds many threads
    moderated: dict[int, bool] = {}
    shown = []
    for row in follows:
        space = row.thread.space
        if space.id not in readable:
            assigned = {user.id} if space.id in moderates else set()  # as far as this person is concerned
            readable[space.id] = can_see(user, space, assigned=assigned)
            moderated[space.id] = readable[space.id] and is_moderator(user, space, assigned=assigned)
        if readable[space.id]:
            title = shown_title(row.thread, user, moderator=moderated[space.id], opening=openings.get(row.thread_id))
            shown.append(FollowedThread(row, title))
    return shown, has_next


def flag(post: ExchangePost, user, reason: str, *, now: datetime) -> ExchangeFlag:
    """Report a post to the space's moderators (once per person and post); a reason longer than the limit is
    refused, not cut off: the moderators would read half a sentence."""
    reason = reason.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not reason:
        raise ExchangeError(_("Bitte nennen Sie einen Grund."))
    if len(reason) > MAX_REASON:
        raise ExchangeError(_("Der Grund ist zu lang: höchstens 2.000 Zeichen."))
    if post.status != "published":
        raise ExchangeError(_("Dieser Beitrag kann nicht gemeldet werden."))
    if post.author_id == user.id:
        raise ExchangeError(_("Eigene Beiträge können Sie nicht melden."))
    existing = db.session.scalar(select(ExchangeFlag).where(ExchangeFlag.post_id == post.id,
                                                            ExchangeFlag.flagged_by_id == user.id))
    if existing is not None:
        return existing
    row = ExchangeFlag(post_id=post.id, flagged_by_id=user.id, reason=reason, created_at=now)
    db.session.add(row)
    db.session.flush()
    space = post.thread.space
    mails.notify_flag(row, moderators_of(space), author_label(post))
    return row

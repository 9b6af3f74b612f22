"""What a person sees of threads and posts: who reads what, thread listings, author labels, quotes."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from qualify.exchange.models import ExchangePost, ExchangeSpace, ExchangeThread
from qualify.extensions import db

# Whom a post is shown to, besides its author and the space's moderators.
SEEN_BY_MEMBERS = ("published", "hidden", "deleted")  # hidden and deleted ones as a placeholder


def author_label(post: ExchangePost) -> str:
    """The name a post is shown under: the frozen pseudonym, or the author's display name."""
    if post.pseudonym is not None:
        return post.pseudonym
    return post.author.display_name if post.author else _("Ehemaliges Mitglied")


def can_read(user, post: ExchangePost, *, moderator: bool) -> bool:
    """Whether the post (or its placeholder) appears for this person at all."""
    if post.status in SEEN_BY_MEMBERS:
        return True
    return moderator or post.author_id == user.id


def opening_post(thread: ExchangeThread) -> ExchangePost | None:
    """Return the post that opened the thread."""
    return next((post for post in thread.posts if post.is_opening), None)


def openings_of(thread_ids: list[int]) -> dict[int, ExchangePost]:
    """Return the opening post of each of these threads, in one statement."""
    if not thread_ids:
        return {}
    stmt = select(ExchangePost).where(ExchangePost.thread_id.in_(thread_ids), ExchangePost.is_opening)
    return {post.thread_id: post for post in db.session.scalars(stmt)}


def shown_title(thread: ExchangeThread, user, *, moderator: bool, opening: ExchangePost | None = None) -> str:
    """The thread's title, unless its opening post was hidden: then members read a placeholder, as for the post
    (a title can say what got the post hidden). Its author and the moderators still see it."""
    opening = opening or opening_post(thread)
    if opening is not None and opening.status == "hidden" and not moderator and opening.author_id != user.id:
        return _("Gespräch ausgeblendet")
    return thread.title


def can_see_thread(user, thread: ExchangeThread, *, moderator: bool) -> bool:
    """A thread is seen once its opening post is; its author and the moderators see it from the start."""
    opening = opening_post(thread)
    return opening is not None and can_read(user, opening, moderator=moderator)


@dataclass
class ThreadRow:
    thread: ExchangeThread
    opening: ExchangePost
    replies: int


def threads_of(space: ExchangeSpace, user, *, moderator: bool) -> list[ThreadRow]:
    """List the threads this person may see, pinned first, then by latest activity (two statements)."""
    opening = aliased(ExchangePost)
    stmt = (
        select(ExchangeThread, opening)
        .join(opening, and_(opening.thread_id == ExchangeThread.id, opening.is_opening.is_(True)))
        .where(ExchangeThread.space_id == space.id, ExchangeThread.merged_into_id.is_(None))
        .order_by(
            ExchangeThread.pinned.desc(), ExchangeThread.last_activity_at.desc(), ExchangeThread.id.desc()
        )
    )
    if not moderator:
        stmt = stmt.where(or_(opening.status.in_(SEEN_BY_MEMBERS), opening.author_id == user.id))
    rows = db.session.execute(stmt).all()
    ids = [thread.id for thread, _opening in rows]
    counts = dict(db.session.execute(
        select(ExchangePost.thread_id, func.count()).where(ExchangePost.thread_id.in_(ids),
                                                           ExchangePost.is_opening.is_(False),
                                                           ExchangePost.status == "published")
        .group_by(ExchangePost.thread_id)).all()) if ids else {}
    return [ThreadRow(thread, post, counts.get(thread.id, 0)) for thread, post in rows]


def posts_for(thread: ExchangeThread, user, *, moderator: bool) -> list[ExchangePost]:
    """Return the thread's posts this person may see, oldest first."""
    return [post for post in thread.posts if can_read(user, post, moderator=moderator)]


def quote(post: ExchangePost) -> str:
    """Prefill a reply: the post's text as a Markdown quote, attributed to the name it is shown under."""
    lines = post.body_source.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{author_label(post)}:**\n>\n{quoted}\n\n"

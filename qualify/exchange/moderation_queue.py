"""What moderators look at: the spaces they moderate, and what waits there – posts and changes waiting for
approval, open reports, minutes waiting for approval –, oldest first, in a few statements however much waits.
(waiting counts the same kinds for the start page and the reminder.)
"""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from qualify.accounts.roles import Role
from qualify.core.database import in_german_order
from qualify.courses.models import Module
from qualify.exchange.models import (
    ExchangeFlag,
    ExchangeLogEntry,
    ExchangeMinutes,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    SpaceModerator,
)
from qualify.exchange.reading import with_authors
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession


def moderated_spaces(user) -> list[ExchangeSpace]:
    """The spaces this person moderates (every space for admins)."""
    stmt = (select(ExchangeSpace).options(joinedload(ExchangeSpace.module).joinedload(Module.course))  # its language
            .order_by(in_german_order(ExchangeSpace.title)))
    if not user.has_role(Role.ADMIN):
        if not user.has_role(Role.MODERATOR):
            return []
        stmt = stmt.join(SpaceModerator, SpaceModerator.space_id == ExchangeSpace.id).where(
            SpaceModerator.user_id == user.id)
    return list(db.session.scalars(stmt))


def pending_posts(space_ids: list[int], *, limit: int | None = None) -> list[ExchangePost]:
    """Posts waiting for approval in these spaces, and published posts with a change waiting (see
    ExchangePost.has_waiting_change), oldest first by when they came to wait (the first `limit` of them)."""
    if not space_ids:
        return []
    waiting_since = func.coalesce(ExchangePost.revised_at, ExchangePost.created_at)
    # With their thread, space and author: the queue shows all three for every post.
    stmt = (select(ExchangePost).join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
            .where(ExchangeThread.space_id.in_(space_ids),
                   or_(ExchangePost.status == "pending", ExchangePost.revised_at.is_not(None)))
            .options(contains_eager(ExchangePost.thread).joinedload(ExchangeThread.space), with_authors())
            .order_by(waiting_since, ExchangePost.id).limit(limit))
    return list(db.session.scalars(stmt))


def earlier_rejections(posts: list[ExchangePost]) -> dict[int, ExchangeLogEntry]:
    """For the waiting posts that were sent back before and came again revised – and the waiting changes of
    approved posts whose previous change was rejected –: the last rejection of each, by post id, with the reason
    as the log keeps it (the post's own reason is cleared when it comes again; a rejected change leaves none on the
    post), so that the moderator sees whether it was addressed. One statement however many posts."""
    new = [post.id for post in posts if post.status == "pending" and not post.has_waiting_change]
    changes = [post.id for post in posts if post.has_waiting_change]
    if not new and not changes:
        return {}
    # A change comes again after a rejected one unless a change was approved since: then it is a new question.
    stmt = (select(ExchangeLogEntry)
            .where(or_(and_(ExchangeLogEntry.post_id.in_(new), ExchangeLogEntry.action == "reject"),
                       and_(ExchangeLogEntry.post_id.in_(changes),
                            ExchangeLogEntry.action.in_(("reject_change", "approve_change")))))
            .order_by(ExchangeLogEntry.id))
    last = {entry.post_id: entry for entry in db.session.scalars(stmt)}  # the last of each post wins
    return {post_id: entry for post_id, entry in last.items() if entry.action != "approve_change"}


def open_flags(space_ids: list[int], *, limit: int | None = None) -> list[ExchangeFlag]:
    """Unresolved reports in these spaces, oldest first (the first `limit` of them)."""
    if not space_ids:
        return []
    stmt = (
        select(ExchangeFlag)
        .join(ExchangePost)
        .join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
        .where(ExchangeThread.space_id.in_(space_ids), ExchangeFlag.resolved_at.is_(None))
        .options(contains_eager(ExchangeFlag.post).options(
            contains_eager(ExchangePost.thread).joinedload(ExchangeThread.space), with_authors()))
        .order_by(ExchangeFlag.created_at, ExchangeFlag.id).limit(limit)
    )
    return list(db.session.scalars(stmt))


def waiting_minutes(space_ids: list[int], *, limit: int | None = None
                    ) -> list[tuple[ExchangeMinutes, WorkshopSession, ExchangeSpace]]:
    """Minutes waiting for approval in these spaces – never approved yet, or a change of approved ones –, each with
    its session and space, oldest first by when they came to wait (ExchangeMinutes.waiting_since; the first `limit`
    of them). They are approved on their session's minutes page, which shows the text and checks the names."""
    if not space_ids:
        return []
    stmt = (select(ExchangeMinutes, WorkshopSession, ExchangeSpace)
            .join(WorkshopSession, WorkshopSession.id == ExchangeMinutes.session_id)
            .join(ExchangeSpace, ExchangeSpace.id == ExchangeMinutes.space_id)
            .where(ExchangeMinutes.space_id.in_(space_ids), ExchangeMinutes.status == "draft")
            .options(joinedload(ExchangeSpace.module).joinedload(Module.course))  # the space title's language
            .order_by(ExchangeMinutes.waiting_since, ExchangeMinutes.id).limit(limit))
    return [tuple(row) for row in db.session.execute(stmt).all()]


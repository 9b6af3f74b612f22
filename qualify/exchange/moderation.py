"""What moderators do, each action checked against the space and written to the exchange log.

Every function takes the acting person as `by` and raises NotModerator unless they moderate the space
concerned (for a move: both spaces). Functions flush; the caller commits.
"""

import hashlib
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import contains_eager, selectinload

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.exchange import mails
from qualify.exchange.errors import ExchangeError, NotModerator
from qualify.exchange.models import (
    ExchangeFlag,
    ExchangeLogEntry,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    SpaceModerator,
    ThreadFollow,
)
from qualify.exchange.posting import drop_waiting_change, published
from qualify.exchange.reading import with_authors
from qualify.exchange.spaces import assigned_moderators, can_see, require_moderator
from qualify.extensions import db

MAX_REASON = 2000


def log(space: ExchangeSpace, action: str, *, by, now: datetime, thread: ExchangeThread | None = None,
        post: ExchangePost | None = None, reason: str = "") -> ExchangeLogEntry:
    """Record a moderator action: who, what, when, why (never whose post it was)."""
    entry = ExchangeLogEntry(space_id=space.id, actor_id=by.id, action=action, created_at=now,
                             thread_id=thread.id if thread else (post.thread_id if post else None),
                             post_id=post.id if post else None, reason=reason[:MAX_REASON])
    db.session.add(entry)
    db.session.flush()
    return entry


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ExchangeError(_("Bitte nennen Sie einen Grund."))
    return reason[:MAX_REASON]


def _expect(post: ExchangePost, *statuses: str) -> None:
    if post.status not in statuses:
        raise ExchangeError(_("Dieser Beitrag ist in einem anderen Zustand; bitte laden Sie die Seite neu."))


def seen_version(post: ExchangePost) -> str:
    """What a moderator saw of a post, as a short fingerprint of its text and of a change waiting for approval: a
    queue page carries it with its decision, so a post (or change) amended in the meantime is not decided on
    unseen."""
    text = post.body_source if not post.has_waiting_change else f"{post.body_source}\0{post.revision_source}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _unchanged(post: ExchangePost, seen: str | None) -> None:
    if seen is not None and seen != seen_version(post):
        raise ExchangeError(_("Der Beitrag wurde inzwischen geändert. Bitte prüfen Sie ihn erneut."))


def _decided(post: ExchangePost, status: str, *, by, now: datetime, reason: str = "") -> None:
    post.status, post.moderated_at, post.moderated_by_id, post.moderation_reason = status, now, by.id, reason


# ---------------------------------------------------------------- posts

def approve(post: ExchangePost, *, by, now: datetime, seen: str | None = None) -> None:
    """Publish a waiting post; `seen`: its seen_version on the moderator's page (refused if it changed since)."""
    space = post.thread.space
    require_moderator(by, space)
    _expect(post, "pending")
    _unchanged(post, seen)
    _decided(post, "published", by=by, now=now)
    published(post, now=now)
    log(space, "approve", by=by, now=now, post=post)


def reject(post: ExchangePost, reason: str, *, by, now: datetime, seen: str | None = None) -> None:
    """Send a waiting post back to its author with a reason; `seen` as for approve."""
    space = post.thread.space
    require_moderator(by, space)
    _expect(post, "pending")
    _unchanged(post, seen)
    reason = _reason(reason)
    _decided(post, "rejected", by=by, now=now, reason=reason)
    db.session.flush()
    mails.notify_rejected(post, reason)
    log(space, "reject", by=by, now=now, post=post, reason=reason)


def _expect_change(post: ExchangePost) -> None:
    if post.status != "published" or not post.has_waiting_change:
        raise ExchangeError(_("Dieser Beitrag ist in einem anderen Zustand; bitte laden Sie die Seite neu."))


def approve_change(post: ExchangePost, *, by, now: datetime, seen: str | None = None) -> None:
    """Put the waiting change of a published post in place of its text; `seen` as for approve.

    Not published() again: the post is not new – no mail to the thread's followers, the thread stays where it is.
    """
    space = post.thread.space
    require_moderator(by, space)
    _expect_change(post)
    _unchanged(post, seen)
    post.body_source, post.body_html, post.edited_at = post.revision_source, post.revision_html, post.revised_at
    drop_waiting_change(post)
    db.session.flush()
    log(space, "approve_change", by=by, now=now, post=post)


def reject_change(post: ExchangePost, reason: str, *, by, now: datetime, seen: str | None = None) -> None:
    """Discard the waiting change of a published post, which stays as approved; the author gets the reason and
    their text by mail (it is gone from the post). `seen` as for approve."""
    space = post.thread.space
    require_moderator(by, space)
    _expect_change(post)
    _unchanged(post, seen)
    reason = _reason(reason)
    mails.notify_change_rejected(post, post.revision_source, reason)
    drop_waiting_change(post)
    db.session.flush()
    log(space, "reject_change", by=by, now=now, post=post, reason=reason)


def hide(post: ExchangePost, reason: str, *, by, now: datetime) -> None:
    """Take a published post down; members see a placeholder."""
    space = post.thread.space
    require_moderator(by, space)
    _expect(post, "published")
    reason = _reason(reason)
    _decided(post, "hidden", by=by, now=now, reason=reason)
    drop_waiting_change(post)  # restored, it shows the text once approved, not a change nobody decided on
    resolve_flags(post, by=by, now=now)
    mails.notify_hidden(post, reason)
    log(space, "hide", by=by, now=now, post=post, reason=reason)


def restore(post: ExchangePost, *, by, now: datetime, reason: str = "") -> None:
    """Show a hidden post again."""
    space = post.thread.space
    require_moderator(by, space)
    _expect(post, "hidden")
    _decided(post, "published", by=by, now=now)
    db.session.flush()
    log(space, "restore", by=by, now=now, post=post, reason=reason.strip())


def resolve_flags(post: ExchangePost, *, by, now: datetime) -> int:
    """Close the open reports of a post; return how many."""
    require_moderator(by, post.thread.space)
    result = db.session.execute(update(ExchangeFlag).where(ExchangeFlag.post_id == post.id,
                                                           ExchangeFlag.resolved_at.is_(None))
                                .values(resolved_at=now, resolved_by_id=by.id))
    return result.rowcount


def dismiss_flags(post: ExchangePost, *, by, now: datetime) -> None:
    """Keep the post and close its reports."""
    resolve_flags(post, by=by, now=now)
    log(post.thread.space, "dismiss_flags", by=by, now=now, post=post)


# ---------------------------------------------------------------- threads

def set_locked(thread: ExchangeThread, locked: bool, *, by, now: datetime, reason: str = "") -> None:
    """Lock a thread (no more replies) or open it again."""
    require_moderator(by, thread.space)
    thread.locked = locked
    log(thread.space, "lock" if locked else "unlock", by=by, now=now, thread=thread, reason=reason.strip())


def set_pinned(thread: ExchangeThread, pinned: bool, *, by, now: datetime) -> None:
    """Pin a thread to the top of its space, or release it."""
    require_moderator(by, thread.space)
    thread.pinned = pinned
    log(thread.space, "pin" if pinned else "unpin", by=by, now=now, thread=thread)


def move(thread: ExchangeThread, target: ExchangeSpace, *, by, now: datetime, reason: str = "") -> None:
    """Move a thread to another space the moderator also moderates; pseudonyms stay as written.

    Not into a space where everybody writes under their name if anybody wrote in the thread under a pseudonym:
    there they could reply only under their name, next to their pseudonym. Nor into a space that some of those
    who wrote in it may not enter (another organisation's, say): they could no longer read, edit or delete
    their own posts.
    """
    source = thread.space
    require_moderator(by, source)
    require_moderator(by, target)
    if target.id == source.id:
        raise ExchangeError(_("Das Gespräch ist schon in diesem Raum."))
    if not target.allows_pseudonyms and db.session.scalar(
            select(ExchangePost.id).where(ExchangePost.thread_id == thread.id,
                                          ExchangePost.pseudonym.is_not(None)).limit(1)) is not None:
        raise ExchangeError(_("In diesem Gespräch wurde unter Pseudonym geschrieben. Es kann nicht in einen Raum "
                              "verschoben werden, in dem alle unter ihrem Namen schreiben."))
    if shut_out := _authors_shut_out(thread, target):
        raise ExchangeError(ngettext(
            "%(num)d Person, die in diesem Gespräch geschrieben hat, hat keinen Zugang zu diesem Raum und könnte "
            "ihre Beiträge dort nicht mehr lesen oder löschen. Bitte wählen Sie einen anderen Raum.",
            "%(num)d Personen, die in diesem Gespräch geschrieben haben, haben keinen Zugang zu diesem Raum und "
            "könnten ihre Beiträge dort nicht mehr lesen oder löschen. Bitte wählen Sie einen anderen Raum.",
            shut_out))
    thread.space_id = target.id
    db.session.flush()
    db.session.expire(thread, ["space"])
    text = f"{source.title} → {target.title}" + (f": {reason.strip()}" if reason.strip() else "")
    log(source, "move", by=by, now=now, thread=thread, reason=text)
    log(target, "move", by=by, now=now, thread=thread, reason=text)


def _authors_shut_out(thread: ExchangeThread, target: ExchangeSpace) -> int:
    """How many of the people with posts in the thread may not enter the target space."""
    authors = select(ExchangePost.author_id).where(ExchangePost.thread_id == thread.id,
                                                    ExchangePost.status != "deleted")
    people = db.session.scalars(select(User).where(User.id.in_(authors)).options(selectinload(User.role_rows)))
    assigned = assigned_moderators(target)
    return sum(not can_see(person, target, assigned=assigned) for person in people)


def merge(duplicate: ExchangeThread, target: ExchangeThread, *, by, now: datetime, reason: str = "") -> None:
    """Merge a duplicate thread into another of the same space: its posts become replies there."""
    require_moderator(by, duplicate.space)
    if (
        duplicate.id == target.id
        or target.space_id != duplicate.space_id
        or target.merged_into_id is not None
    ):
        raise ExchangeError(_("Bitte wählen Sie ein anderes Gespräch desselben Raums."))
    db.session.execute(
        update(ExchangePost)
        .where(ExchangePost.thread_id == duplicate.id)
        .values(thread_id=target.id, is_opening=False)
        .execution_options(synchronize_session=False)
    )
    followers = set(
        db.session.scalars(select(ThreadFollow.user_id).where(ThreadFollow.thread_id == target.id))
    )
    for row in db.session.scalars(select(ThreadFollow).where(ThreadFollow.thread_id == duplicate.id)):
        if row.user_id in followers:
            db.session.delete(row)
        else:
            row.thread_id = target.id
    duplicate.merged_into_id = target.id
    target.last_activity_at = max(target.last_activity_at, duplicate.last_activity_at)
    db.session.flush()
    db.session.expire(target, ["posts"])
    db.session.expire(duplicate, ["posts"])
    log(duplicate.space, "merge", by=by, now=now, thread=target,
        reason=f"„{duplicate.title}“ → „{target.title}“" + (f": {reason.strip()}" if reason.strip() else ""))


# ---------------------------------------------------------------- identity

def reveal_author(post: ExchangePost, reason: str, *, by, now: datetime):
    """Let an admin see who wrote a pseudonymous post: recorded with the reason, the author is told."""
    if not by.has_role(Role.ADMIN):
        raise NotModerator()
    if not post.is_pseudonymous:
        raise ExchangeError(_("Dieser Beitrag ist nicht unter einem Pseudonym geschrieben."))
    reason = _reason(reason)
    log(post.thread.space, "reveal", by=by, now=now, post=post, reason=reason)
    audit.record("exchange.reveal", actor=by, target=post, reason=reason,
                 organisation_id=post.author.organisation_id if post.author else None)
    mails.notify_revealed(post, reason)
    return post.author


# ---------------------------------------------------------------- what moderators look at

def moderated_spaces(user) -> list[ExchangeSpace]:
    """The spaces this person moderates (every space for admins)."""
    stmt = select(ExchangeSpace).order_by(in_german_order(ExchangeSpace.title))
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


def log_entries(space: ExchangeSpace, *, limit: int = 200) -> list[ExchangeLogEntry]:
    """The space's moderation log, newest first."""
    stmt = (select(ExchangeLogEntry).where(ExchangeLogEntry.space_id == space.id)
            .order_by(ExchangeLogEntry.created_at.desc(), ExchangeLogEntry.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))

"""What moderators do with posts – approve, reject, decide on changes, hide, restore, close reports – and an
admin's reveal of a pseudonym; each action checked against the space and written to the exchange log.

Every function takes the acting person as `by` and raises NotModerator unless they moderate the space concerned.
Functions flush; the caller commits. Threads: moderation_threads; what the queue lists: moderation_queue; the log:
moderation_log.
"""

import hashlib
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import update

from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import take_turns
from qualify.exchange import mails
from qualify.exchange.errors import ExchangeError, NotModerator
from qualify.exchange.models import ExchangeFlag, ExchangePost
from qualify.exchange.moderation_log import just_done, log, optional_reason, required_reason
from qualify.exchange.posting import drop_waiting_change, published
from qualify.exchange.spaces import require_moderator
from qualify.extensions import db


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


# ---------------------------------------------------------------- taking turns
#
# The same decision sent twice at once (a double tap on a slow connection) ran twice: two entries in the log, and
# every mail twice. Each action on a post (or thread) now waits for any other on it to end, reads its state as
# that one left it, and checks it again. A copy of a decision just made by the same person finds it made (the
# log's last word on the post is theirs) and does nothing more; any other decision on a post changed meanwhile is
# refused, as before.

def _take_turns_on_post(post: ExchangePost) -> None:
    take_turns(f"exchange-post:{post.id}")
    db.session.flush()  # nothing of this request's own is lost by reading the post again
    db.session.refresh(post)


def _left_published(post: ExchangePost) -> bool:
    """Whether the post is as publishing it (or deciding on its change) left it: published, no change waiting –
    one waiting since is a new question, not the one just decided."""
    return post.status == "published" and not post.has_waiting_change


# ---------------------------------------------------------------- posts

def approve(post: ExchangePost, *, by, now: datetime, seen: str | None = None) -> None:
    """Publish a waiting post; `seen`: its seen_version on the moderator's page (refused if it changed since)."""
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if _left_published(post) and just_done("approve", by=by, post=post):
        return
    _expect(post, "pending")
    _unchanged(post, seen)
    _decided(post, "published", by=by, now=now)
    published(post, now=now)
    log(space, "approve", by=by, now=now, post=post)


def reject(post: ExchangePost, reason: str, *, by, now: datetime, seen: str | None = None) -> None:
    """Send a waiting post back to its author with a reason; `seen` as for approve."""
    reason = required_reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if post.status == "rejected" and just_done("reject", by=by, post=post):
        return
    _expect(post, "pending")
    _unchanged(post, seen)
    _decided(post, "rejected", by=by, now=now, reason=reason)
    db.session.flush()
    mails.notify_rejected(post, reason)
    log(space, "reject", by=by, now=now, post=post, reason=reason)


def _expect_change(post: ExchangePost) -> None:
    if post.status != "published" or not post.has_waiting_change:
        raise ExchangeError(_("Dieser Beitrag ist in einem anderen Zustand; bitte laden Sie die Seite neu."))


def _change_just_decided(post: ExchangePost, action: str, *, by) -> bool:
    return _left_published(post) and just_done(action, by=by, post=post)


def approve_change(post: ExchangePost, *, by, now: datetime, seen: str | None = None) -> None:
    """Put the waiting change of a published post in place of its text; `seen` as for approve.

    Not published() again: the post is not new – no mail to the thread's followers, the thread stays where it is.
    """
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if _change_just_decided(post, "approve_change", by=by):
        return
    _expect_change(post)
    _unchanged(post, seen)
    post.body_source, post.body_html, post.edited_at = post.revision_source, post.revision_html, post.revised_at
    drop_waiting_change(post)
    db.session.flush()
    log(space, "approve_change", by=by, now=now, post=post)


def reject_change(post: ExchangePost, reason: str, *, by, now: datetime, seen: str | None = None) -> None:
    """Discard the waiting change of a published post, which stays as approved; the author gets the reason and
    their text by mail (it is gone from the post). `seen` as for approve."""
    reason = required_reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if _change_just_decided(post, "reject_change", by=by):
        return
    _expect_change(post)
    _unchanged(post, seen)
    mails.notify_change_rejected(post, post.revision_source, reason)
    drop_waiting_change(post)
    db.session.flush()
    log(space, "reject_change", by=by, now=now, post=post, reason=reason)


def hide(post: ExchangePost, reason: str, *, by, now: datetime) -> None:
    """Take a published post down; members see a placeholder. (Replies may still quote it: see
    reading.quoting_replies.)"""
    reason = required_reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if post.status == "hidden" and just_done("hide", by=by, post=post):
        return
    _expect(post, "published")
    _decided(post, "hidden", by=by, now=now, reason=reason)
    drop_waiting_change(post)  # restored, it shows the text once approved, not a change nobody decided on
    resolve_flags(post, by=by, now=now)
    mails.notify_hidden(post, reason)
    log(space, "hide", by=by, now=now, post=post, reason=reason)


def restore(post: ExchangePost, *, by, now: datetime, reason: str = "") -> None:
    """Show a hidden post again; its author is told, as when it was hidden (once, however often it is sent)."""
    reason = optional_reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if _left_published(post) and just_done("restore", by=by, post=post):
        return
    _expect(post, "hidden")
    _decided(post, "published", by=by, now=now)
    db.session.flush()
    mails.notify_restored(post, reason)
    log(space, "restore", by=by, now=now, post=post, reason=reason)


def resolve_flags(post: ExchangePost, *, by, now: datetime) -> int:
    """Close the open reports of a post; return how many."""
    require_moderator(by, post.thread.space)
    result = db.session.execute(update(ExchangeFlag).where(ExchangeFlag.post_id == post.id,
                                                           ExchangeFlag.resolved_at.is_(None))
                                .values(resolved_at=now, resolved_by_id=by.id))
    return result.rowcount


def dismiss_flags(post: ExchangePost, *, by, now: datetime) -> None:
    """Keep the post and close its reports (logged once, however often it is sent)."""
    _take_turns_on_post(post)
    if resolve_flags(post, by=by, now=now):
        log(post.thread.space, "dismiss_flags", by=by, now=now, post=post)


# ---------------------------------------------------------------- identity

# The same admin's reveal of the same post sent again within this time is taken for the first (a reload of the page
# that showed the name, a double click): it already knows, and is on record.
REVEAL_SENT_AGAIN = timedelta(minutes=10)


def reveal_author(post: ExchangePost, reason: str, *, by, now: datetime):
    """Let an admin see who wrote a pseudonymous post: recorded with the reason in the audit log (which the works
    council of the author's organisation reads), and the author is told.

    Not in the space's moderation log: there the minute of the reveal, set beside the works council's own log,
    would tell someone who both moderates and sits on a works council which organisation the author belongs to.
    """
    if not by.has_role(Role.ADMIN):
        raise NotModerator()
    if not post.is_pseudonymous:
        raise ExchangeError(_("Dieser Beitrag ist nicht unter einem Pseudonym geschrieben."))
    reason = required_reason(reason)
    take_turns(f"reveal:{post.id}:{by.id}")
    if audit.recorded_since("exchange.reveal", actor=by, target=post, since=now - REVEAL_SENT_AGAIN):
        return post.author  # the page that showed it reloaded, or sent twice: recorded, and the author told, once
    audit.record("exchange.reveal", actor=by, target=post, reason=reason,
                 organisation_id=post.author.organisation_id if post.author else None)
    mails.notify_revealed(post, reason)
    return post.author


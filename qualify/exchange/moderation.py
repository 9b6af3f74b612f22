"""What moderators do, each action checked against the space and written to the exchange log.

Every function takes the acting person as `by` and raises NotModerator unless they moderate the space
concerned (for a move: both spaces). Functions flush; the caller commits.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import in_german_order, take_turns
from qualify.core.i18n import localised_date, quoted
from qualify.courses.models import Module
from qualify.exchange import mails
from qualify.exchange.errors import ExchangeError, NotModerator, ReasonRefused
from qualify.exchange.models import (
    ExchangeFlag,
    ExchangeLogEntry,
    ExchangeMinutes,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    SpaceModerator,
    ThreadFollow,
    title_in_readers_language,
)
from qualify.exchange.posting import drop_waiting_change, published
from qualify.exchange.reading import with_authors
from qualify.exchange.spaces import assigned_moderators, audience_includes, can_see, require_moderator
from qualify.exchange.text import MAX_REASON
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession

# What the code itself adds to a log entry in words of a language (the threads merged, in quotation marks; the
# session whose minutes were published) is stored as facts beside the moderator's words, as JSON starting so, and
# said in the reader's language when shown (shown_details: beside the entry's reason, never as part of it). Older
# entries hold it as German text among the reason, shown as written.
_FACTS = '{"facts": '


def log(space: ExchangeSpace, action: str, *, by, now: datetime, thread: ExchangeThread | None = None,
        post: ExchangePost | None = None, reason: str = "", facts: dict | None = None) -> ExchangeLogEntry:
    """Record a moderator action: who, what, when, why (never whose post it was); `facts`: what the code records
    about it besides (see shown_details). The moderator's words are checked before (_optional_reason), and kept
    whole: cut at their limit, a move's reason lost its end behind the two titles put before it."""
    stored = reason if facts is None else json.dumps({"facts": facts, "reason": reason}, ensure_ascii=False)
    entry = ExchangeLogEntry(space_id=space.id, actor_id=by.id, action=action, created_at=now,
                             thread_id=thread.id if thread else (post.thread_id if post else None),
                             post_id=post.id if post else None, reason=stored)
    db.session.add(entry)
    db.session.flush()
    return entry


def _facts_of(stored: str) -> tuple[dict, str] | None:
    if not stored.startswith(_FACTS):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    return (data["facts"], data.get("reason", "")) if isinstance(data, dict) and "facts" in data else None


def shown_reason(entry: ExchangeLogEntry) -> str:
    """The reason column of a log entry: the moderator's words as written (an older entry holds what the code
    noted among them, and shows it as written). What the code recorded besides is in shown_details."""
    stored = _facts_of(entry.reason or "")
    return (entry.reason or "") if stored is None else stored[1]


def shown_details(entry: ExchangeLogEntry) -> str:
    """What the code recorded about a log entry (the threads merged, the session whose minutes were published),
    said in the reader's language; "" if nothing."""
    stored = _facts_of(entry.reason or "")
    return _facts_said(entry.action, stored[0]) if stored is not None else ""


def reason_for_reading(action: str, stored_reason: str | None) -> str:
    """A log row's stored reason for reading, in one text: what the code recorded, said in the reader's language,
    and what the moderator wrote (a data export reads rows, not entries)."""
    stored = _facts_of(stored_reason or "")
    if stored is None:
        return stored_reason
    facts, reason = stored
    what = _facts_said(action, facts)
    return f"{what}: {reason}" if what and reason else what or reason


def _facts_said(action: str, facts: dict) -> str:
    if action in ("publish_minutes", "reject_minutes_change") and "session_starts_at" in facts:
        return _("Protokoll des Termins am %(date)s",
                 date=localised_date(datetime.fromisoformat(facts["session_starts_at"])))
    if action == "merge" and {"from", "to"} <= facts.keys():
        merged, into = (quoted(title_in_readers_language(facts[key])) for key in ("from", "to"))
        return f"{merged} → {into}"
    return ""


def _reason(reason: str) -> str:
    reason = _optional_reason(reason)
    if not reason:
        raise ReasonRefused(_("Bitte nennen Sie einen Grund."))
    return reason


def _optional_reason(reason: str) -> str:
    """The reason as written (line breaks as one character each, as the text area counted them), or refused if
    longer than its text area allows: never cut short without a word."""
    reason = (reason or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(reason) > MAX_REASON:
        raise ReasonRefused(_("Der Grund ist zu lang: höchstens 2.000 Zeichen."))
    return reason


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


def _take_turns_on_threads(*threads: ExchangeThread) -> None:
    for thread in sorted(threads, key=lambda thread: thread.id):  # always in one order: no two wait for each other
        take_turns(f"exchange-thread:{thread.id}")
    db.session.flush()
    for thread in threads:
        db.session.refresh(thread)


@cache
def _last_entry_statement(about: str):
    column = ExchangeLogEntry.post_id if about == "post" else ExchangeLogEntry.thread_id
    return (select(ExchangeLogEntry.action, ExchangeLogEntry.actor_id).where(column == bindparam("id"))
            .order_by(ExchangeLogEntry.id.desc()).limit(1))


def _just_done(action: str, *, by, post: ExchangePost | None = None, thread: ExchangeThread | None = None) -> bool:
    """Whether the log's last word on the post (else the thread) is this action by this person."""
    about, key = ("post", post.id) if post is not None else ("thread", thread.id)
    row = db.session.execute(_last_entry_statement(about), {"id": key}).first()
    return row is not None and row.action == action and row.actor_id == by.id


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
    if _left_published(post) and _just_done("approve", by=by, post=post):
        return
    _expect(post, "pending")
    _unchanged(post, seen)
    _decided(post, "published", by=by, now=now)
    published(post, now=now)
    log(space, "approve", by=by, now=now, post=post)


def reject(post: ExchangePost, reason: str, *, by, now: datetime, seen: str | None = None) -> None:
    """Send a waiting post back to its author with a reason; `seen` as for approve."""
    reason = _reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if post.status == "rejected" and _just_done("reject", by=by, post=post):
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
    return _left_published(post) and _just_done(action, by=by, post=post)


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
    reason = _reason(reason)
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
    reason = _reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if post.status == "hidden" and _just_done("hide", by=by, post=post):
        return
    _expect(post, "published")
    _decided(post, "hidden", by=by, now=now, reason=reason)
    drop_waiting_change(post)  # restored, it shows the text once approved, not a change nobody decided on
    resolve_flags(post, by=by, now=now)
    mails.notify_hidden(post, reason)
    log(space, "hide", by=by, now=now, post=post, reason=reason)


def restore(post: ExchangePost, *, by, now: datetime, reason: str = "") -> None:
    """Show a hidden post again; its author is told, as when it was hidden (once, however often it is sent)."""
    reason = _optional_reason(reason)
    _take_turns_on_post(post)
    space = post.thread.space
    require_moderator(by, space)
    if _left_published(post) and _just_done("restore", by=by, post=post):
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


# ---------------------------------------------------------------- threads

def set_locked(thread: ExchangeThread, locked: bool, *, by, now: datetime, reason: str = "") -> None:
    """Lock a thread (no more replies) or open it again; nothing happens if it is so already."""
    reason = _optional_reason(reason)
    _take_turns_on_threads(thread)
    require_moderator(by, thread.space)
    if thread.locked == locked:
        return
    thread.locked = locked
    log(thread.space, "lock" if locked else "unlock", by=by, now=now, thread=thread, reason=reason)


def set_pinned(thread: ExchangeThread, pinned: bool, *, by, now: datetime) -> None:
    """Pin a thread to the top of its space, or release it; nothing happens if it is so already."""
    _take_turns_on_threads(thread)
    require_moderator(by, thread.space)
    if thread.pinned == pinned:
        return
    thread.pinned = pinned
    log(thread.space, "pin" if pinned else "unpin", by=by, now=now, thread=thread)


def move(thread: ExchangeThread, target: ExchangeSpace, *, by, now: datetime, reason: str = "") -> None:
    """Move a thread to another space the moderator also moderates; pseudonyms stay as written.

    Not into a space where everybody writes under their name if anybody wrote in the thread under a pseudonym:
    there they could reply only under their name, next to their pseudonym.

    Nor where those who wrote in it may not go: they could no longer read, edit or delete their own posts. For
    those who wrote under their name the moderator is told how many could not (their names are on their posts
    anyway). Whoever wrote under a pseudonym must not be found out by it: whether anybody in a space of one
    organisation could follow would tell which organisation the pseudonym works for, thread by thread. So a thread
    with pseudonymous posts goes only into a space open to everybody who may enter its own (see
    spaces.audience_includes) – decided from the two spaces alone, and refused without a number or a name.
    """
    reason = _optional_reason(reason)
    _take_turns_on_threads(thread)
    source = thread.space
    require_moderator(by, source)
    require_moderator(by, target)
    if target.id == source.id:
        if _just_done("move", by=by, thread=thread):  # sent twice: moved a moment ago
            return
        raise ExchangeError(_("Das Gespräch ist schon in diesem Raum."))
    if (refusal := _move_refusal(_MoveFacts.of(thread), target, assigned_moderators(target))) is not None:
        raise ExchangeError(refusal)
    thread.space_id = target.id
    db.session.flush()
    db.session.expire(thread, ["space"])
    text = f"{source.title} → {target.title}" + (f": {reason}" if reason else "")  # the same in every language
    log(source, "move", by=by, now=now, thread=thread, reason=text)
    log(target, "move", by=by, now=now, thread=thread, reason=text)


def move_targets(thread: ExchangeThread, spaces: list[ExchangeSpace]
                 ) -> tuple[list[ExchangeSpace], list[tuple[ExchangeSpace, str]]]:
    """Split spaces into those move would take the thread into and those it would refuse, each with the reason
    it would give – decided as move decides, in a few statements however many spaces (the move page offers only
    the first)."""
    if not spaces:
        return [], []
    facts = _MoveFacts.of(thread)
    assigned: dict[int, set[int]] = {space.id: set() for space in spaces}
    rows = db.session.execute(select(SpaceModerator.space_id, SpaceModerator.user_id)
                              .where(SpaceModerator.space_id.in_(list(assigned))))
    for space_id, user_id in rows:
        assigned[space_id].add(user_id)
    open_to, refused = [], []
    for space in spaces:
        refusal = _move_refusal(facts, space, assigned[space.id])
        if refusal is None:
            open_to.append(space)
        else:
            refused.append((space, refusal))
    return open_to, refused


@dataclass
class _MoveFacts:
    """What decides where a thread may move, read once for any number of spaces."""

    source: ExchangeSpace
    pseudonymous_statuses: set[str]  # of the posts written under a pseudonym
    named_authors: list  # the people with posts under their name in it

    @classmethod
    def of(cls, thread: ExchangeThread) -> "_MoveFacts":
        statuses = set(db.session.scalars(_pseudonymous_statuses_statement(), {"thread": thread.id}))
        authors = select(ExchangePost.author_id).where(ExchangePost.thread_id == thread.id,
                                                        ExchangePost.status != "deleted",
                                                        ExchangePost.pseudonym.is_(None))
        people = db.session.scalars(select(User).where(User.id.in_(authors)).options(selectinload(User.role_rows)))
        return cls(thread.space, statuses, list(people))


def _move_refusal(facts: _MoveFacts, target: ExchangeSpace, assigned: set[int]) -> str | None:
    """Why move would not take the thread into the target (`assigned`: the target's moderators), or None.

    Those who wrote under a pseudonym are never asked about (see move): only those under their name are counted.
    """
    if facts.pseudonymous_statuses and not target.allows_pseudonyms:
        return _("In diesem Gespräch wurde unter Pseudonym geschrieben. Es kann nicht in einen Raum verschoben "
                 "werden, in dem alle unter ihrem Namen schreiben.")
    if facts.pseudonymous_statuses - {"deleted"} and not audience_includes(target, facts.source):
        return _("In diesem Gespräch wurde unter Pseudonym geschrieben. Es kann nur in einen Raum verschoben "
                 "werden, den alle betreten können, die diesen Raum betreten können – etwa einen Raum für das ganze "
                 "Netzwerk.")
    if shut_out := sum(not can_see(person, target, assigned=assigned) for person in facts.named_authors):
        return ngettext(
            "%(num)d Person, die in diesem Gespräch geschrieben hat, hat keinen Zugang zu diesem Raum und könnte "
            "ihre Beiträge dort nicht mehr lesen oder löschen. Bitte wählen Sie einen anderen Raum.",
            "%(num)d Personen, die in diesem Gespräch geschrieben haben, haben keinen Zugang zu diesem Raum und "
            "könnten ihre Beiträge dort nicht mehr lesen oder löschen. Bitte wählen Sie einen anderen Raum.",
            shut_out)
    return None


@cache
def _pseudonymous_statuses_statement():
    return (select(ExchangePost.status).where(ExchangePost.thread_id == bindparam("thread"),
                                              ExchangePost.pseudonym.is_not(None)).distinct())


def check_merge(duplicate: ExchangeThread, target: ExchangeThread, *, by) -> None:
    """Refuse as merge would, changing nothing: asked before the moderator is asked to confirm."""
    require_moderator(by, duplicate.space)
    if duplicate.merged_into_id is not None:
        raise ExchangeError(_("Dieses Gespräch wurde mit einem anderen zusammengeführt."))
    if duplicate.id == target.id or target.space_id != duplicate.space_id or target.merged_into_id is not None:
        raise ExchangeError(_("Bitte wählen Sie ein anderes Gespräch desselben Raums."))


def posts_to_merge(duplicate: ExchangeThread) -> int:
    """How many posts merging the thread would append to another (not those deleted by their authors)."""
    return db.session.scalar(select(func.count()).where(ExchangePost.thread_id == duplicate.id,
                                                        ExchangePost.status != "deleted"))


def merge(duplicate: ExchangeThread, target: ExchangeThread, *, by, now: datetime, reason: str = "") -> None:
    """Merge a duplicate thread into another of the same space: its posts become replies there."""
    reason = _optional_reason(reason)
    _take_turns_on_threads(duplicate, target)
    require_moderator(by, duplicate.space)
    if duplicate.merged_into_id == target.id and _just_done("merge", by=by, thread=target):  # sent twice
        return
    check_merge(duplicate, target, by=by)
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
    log(duplicate.space, "merge", by=by, now=now, thread=target, reason=reason,
        facts={"from": duplicate.title, "to": target.title})


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
    reason = _reason(reason)
    take_turns(f"reveal:{post.id}:{by.id}")
    if audit.recorded_since("exchange.reveal", actor=by, target=post, since=now - REVEAL_SENT_AGAIN):
        return post.author  # the page that showed it reloaded, or sent twice: recorded, and the author told, once
    audit.record("exchange.reveal", actor=by, target=post, reason=reason,
                 organisation_id=post.author.organisation_id if post.author else None)
    mails.notify_revealed(post, reason)
    return post.author


# ---------------------------------------------------------------- what moderators look at

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
    its session and space, oldest first by when last saved (the first `limit` of them). They are approved on their
    session's minutes page, which shows the text and checks the names."""
    if not space_ids:
        return []
    stmt = (select(ExchangeMinutes, WorkshopSession, ExchangeSpace)
            .join(WorkshopSession, WorkshopSession.id == ExchangeMinutes.session_id)
            .join(ExchangeSpace, ExchangeSpace.id == ExchangeMinutes.space_id)
            .where(ExchangeMinutes.space_id.in_(space_ids), ExchangeMinutes.status == "draft")
            .options(joinedload(ExchangeSpace.module).joinedload(Module.course))  # the space title's language
            .order_by(ExchangeMinutes.updated_at, ExchangeMinutes.id).limit(limit))
    return [tuple(row) for row in db.session.execute(stmt).all()]


def threads_now(entries: list[ExchangeLogEntry]) -> dict[int, tuple[ExchangeThread, ExchangeThread | None]]:
    """For each thread the log entries concern, the thread as it is now: (the thread, the one it was merged into –
    followed to the end if that was merged on too – or None), by the entry's thread id. The log names a thread by
    its title (title_shown: a placeholder stays one), never by who wrote in it. A statement per step of merging
    (one, mostly), however many entries."""
    threads: dict[int, ExchangeThread] = {}
    wanted = {entry.thread_id for entry in entries if entry.thread_id is not None}
    while wanted:
        threads.update((thread.id, thread) for thread in db.session.scalars(
            select(ExchangeThread).where(ExchangeThread.id.in_(wanted))))
        wanted = {thread.merged_into_id for thread in threads.values()
                  if thread.merged_into_id is not None and thread.merged_into_id not in threads}
    now = {}
    for thread_id, thread in threads.items():
        into, seen = thread, {thread_id}
        while into.merged_into_id is not None and into.merged_into_id in threads and into.merged_into_id not in seen:
            into = threads[into.merged_into_id]
            seen.add(into.id)
        now[thread_id] = (thread, into if into is not thread else None)
    return now


def log_entries(space: ExchangeSpace, *, limit: int = 200) -> list[ExchangeLogEntry]:
    """The space's moderation log, newest first; without the reveals of pseudonyms older versions wrote into it
    (see reveal_author)."""
    stmt = (select(ExchangeLogEntry).where(ExchangeLogEntry.space_id == space.id, ExchangeLogEntry.action != "reveal")
            .order_by(ExchangeLogEntry.created_at.desc(), ExchangeLogEntry.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))

"""What moderators do with threads – lock, pin, move to another space, merge into another thread –, each action
checked against the space (for a move: both spaces) and written to the exchange log. Functions flush; the caller
commits.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload

from qualify.accounts.models import User
from qualify.core.database import take_turns
from qualify.exchange.errors import ExchangeError
from qualify.exchange.models import ExchangePost, ExchangeSpace, ExchangeThread, SpaceModerator, ThreadFollow
from qualify.exchange.moderation_log import just_done, log, optional_reason
from qualify.exchange.spaces import assigned_moderators, audience_includes, can_see, require_moderator
from qualify.extensions import db


# Each action on a thread waits for any other on it to end, as the decisions on posts do (see moderation).
def _take_turns_on_threads(*threads: ExchangeThread) -> None:
    for thread in sorted(threads, key=lambda thread: thread.id):  # always in one order: no two wait for each other
        take_turns(f"exchange-thread:{thread.id}")
    db.session.flush()
    for thread in threads:
        db.session.refresh(thread)


def set_locked(thread: ExchangeThread, locked: bool, *, by, now: datetime, reason: str = "") -> None:
    """Lock a thread (no more replies) or open it again; nothing happens if it is so already."""
    reason = optional_reason(reason)
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
    reason = optional_reason(reason)
    _take_turns_on_threads(thread)
    source = thread.space
    require_moderator(by, source)
    require_moderator(by, target)
    if target.id == source.id:
        if just_done("move", by=by, thread=thread):  # sent twice: moved a moment ago
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
    reason = optional_reason(reason)
    _take_turns_on_threads(duplicate, target)
    require_moderator(by, duplicate.space)
    if duplicate.merged_into_id == target.id and just_done("merge", by=by, thread=target):  # sent twice
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


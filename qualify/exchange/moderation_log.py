"""The exchange's moderation log: each moderator action written with who, what, when and why (never whose post it
was), the moderator's reason checked before it is; read back for the log page, the data export, and to tell a
decision sent twice from a new one.

Written by the moderators' actions in moderation, moderation_threads and minutes.
"""

import json
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from qualify.core.i18n import localised_date, quoted
from qualify.exchange.errors import ReasonRefused
from qualify.exchange.models import (
    ExchangeLogEntry,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    title_in_readers_language,
)
from qualify.exchange.text import MAX_REASON
from qualify.extensions import db

# What the code itself adds to a log entry in words of a language (the threads merged, in quotation marks; the
# session whose minutes were published) is stored as facts beside the moderator's words, as JSON starting so, and
# said in the reader's language when shown (shown_details: beside the entry's reason, never as part of it). Older
# entries hold it as German text among the reason, shown as written.
_FACTS = '{"facts": '


def log(space: ExchangeSpace, action: str, *, by, now: datetime, thread: ExchangeThread | None = None,
        post: ExchangePost | None = None, reason: str = "", facts: dict | None = None) -> ExchangeLogEntry:
    """Record a moderator action: who, what, when, why (never whose post it was); `facts`: what the code records
    about it besides (see shown_details). The moderator's words are checked before (optional_reason), and kept
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


def required_reason(reason: str) -> str:
    """The reason as optional_reason takes it, refused if empty: a decision its author is told of needs one."""
    reason = optional_reason(reason)
    if not reason:
        raise ReasonRefused(_("Bitte nennen Sie einen Grund."))
    return reason


def optional_reason(reason: str) -> str:
    """The reason as written (line breaks as one character each, as the text area counted them), or refused if
    longer than its text area allows: never cut short without a word."""
    reason = (reason or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(reason) > MAX_REASON:
        raise ReasonRefused(_("Der Grund ist zu lang: höchstens 2.000 Zeichen."))
    return reason


@cache
def _last_entry_statement(about: str):
    column = ExchangeLogEntry.post_id if about == "post" else ExchangeLogEntry.thread_id
    return (select(ExchangeLogEntry.action, ExchangeLogEntry.actor_id).where(column == bindparam("id"))
            .order_by(ExchangeLogEntry.id.desc()).limit(1))


def just_done(action: str, *, by, post: ExchangePost | None = None, thread: ExchangeThread | None = None) -> bool:
    """Whether the log's last word on the post (else the thread) is this action by this person."""
    about, key = ("post", post.id) if post is not None else ("thread", thread.id)
    row = db.session.execute(_last_entry_statement(about), {"id": key}).first()
    return row is not None and row.action == action and row.actor_id == by.id


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
    (see moderation.reveal_author)."""
    stmt = (select(ExchangeLogEntry).where(ExchangeLogEntry.space_id == space.id, ExchangeLogEntry.action != "reveal")
            .order_by(ExchangeLogEntry.created_at.desc(), ExchangeLogEntry.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))

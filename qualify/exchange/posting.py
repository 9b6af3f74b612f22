"""Starting threads, replying, editing and deleting posts, and what publishing one sets off; the caller commits."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased

from qualify.core.database import take_turns
from qualify.exchange import notices
from qualify.exchange.errors import ExchangeError
from qualify.exchange.following import follow, follow_of
from qualify.exchange.models import (
    FORGOTTEN_TITLE,
    WITHDRAWN_TITLE,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
)
from qualify.exchange.pseudonyms import pseudonym_in_thread
from qualify.exchange.reading import opening_post
from qualify.exchange.spaces import is_moderator
from qualify.exchange.text import MAX_TITLE_LENGTH, render_post_body
from qualify.extensions import db
from qualify.learning.services import record_participation

EDIT_WINDOW = timedelta(minutes=30)
# A submission sent again within this time is taken for a retry of the first, not a second post.
RETRY_WINDOW = timedelta(seconds=60)
# What the exchange module asks for ("So schließen Sie das Modul ab"): one own contribution, two replies.
THREADS_TO_COMPLETE, REPLIES_TO_COMPLETE = 1, 2


def _check_anonymous(space: ExchangeSpace, anonymous: bool, *, moderator: bool) -> None:
    if anonymous and not space.allows_pseudonyms:
        raise ExchangeError(_("In diesem Raum schreiben alle unter ihrem Namen."))
    if anonymous and moderator:  # published at once, and even in a locked thread: the pseudonym would not hide
        raise ExchangeError(_("Wer einen Raum moderiert, schreibt dort unter dem eigenen Namen."))


def _new_post(thread: ExchangeThread, space: ExchangeSpace, user, body: str, *, anonymous: bool,
              is_opening: bool, now: datetime, reply_to: ExchangePost | None = None,
              moderator: bool = False) -> ExchangePost:
    _check_anonymous(space, anonymous, moderator=moderator)
    html = render_post_body(body)
    # Moderators' own posts need no approval; everybody else's wait in a pre-moderated space.
    status = "pending" if space.is_premoderated and not moderator else "published"
    post = ExchangePost(thread=thread, author_id=user.id, is_opening=is_opening, body_source=body,
                        body_html=str(html), status=status, created_at=now,
                        pseudonym=pseudonym_in_thread(thread, space, user) if anonymous else None,
                        reply_to_id=reply_to.id if reply_to else None)
    db.session.add(post)
    db.session.flush()
    if status == "published":
        published(post, now=now)
    return post


def _retried(user, body: str, *, now: datetime, thread: ExchangeThread | None = None,
             space: ExchangeSpace | None = None, title: str = "") -> ExchangePost | None:
    """The post this very submission made a moment ago, if it is sent again (a flaky connection, a double tap):
    the same person's same text in the same thread – or, for a new thread, its opening post under the same
    title in the same space."""
    stmt = select(ExchangePost).where(ExchangePost.author_id == user.id, ExchangePost.body_source == body,
                                      ExchangePost.status != "deleted", ExchangePost.created_at >= now - RETRY_WINDOW)
    if thread is not None:
        stmt = stmt.where(ExchangePost.thread_id == thread.id, ExchangePost.is_opening.is_(False))
    else:
        stmt = stmt.join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id).where(
            ExchangeThread.space_id == space.id, ExchangeThread.title == title, ExchangePost.is_opening.is_(True))
    return db.session.scalars(stmt.order_by(ExchangePost.id.desc()).limit(1)).first()


def _same_choice(earlier: ExchangePost, *, anonymous: bool) -> ExchangePost:
    """The post sent a moment ago, if it was sent as this one is (under a pseudonym or not). Sent again with the
    other choice, a second post would show the same text under the name and the pseudonym side by side, and so
    give the pseudonym away: refused, and the person told what to do."""
    if earlier.is_pseudonymous == anonymous:
        return earlier
    if earlier.is_pseudonymous:
        raise ExchangeError(_("Diesen Text haben Sie eben schon unter Pseudonym gesendet. Soll er unter Ihrem "
                              "Namen erscheinen, löschen Sie den ersten Beitrag und senden Sie ihn dann erneut."))
    raise ExchangeError(_("Diesen Text haben Sie eben schon unter Ihrem Namen gesendet. Soll er unter Pseudonym "
                          "erscheinen, löschen Sie den ersten Beitrag und senden Sie ihn dann erneut."))


def checked_title(title: str) -> str:
    """A thread's title on one line, or refused if empty or too long."""
    title = " ".join(title.split())
    if not title:
        raise ExchangeError(_("Bitte geben Sie einen Titel an."))
    if len(title) > MAX_TITLE_LENGTH:
        raise ExchangeError(_("Der Titel ist zu lang (höchstens %(limit)s Zeichen).", limit=MAX_TITLE_LENGTH))
    return title


def start_thread(space: ExchangeSpace, user, title: str, body: str, *, anonymous: bool,
                 now: datetime) -> ExchangeThread:
    """Open a thread with its first post; the author follows it. Sent twice, it opens one thread."""
    title = checked_title(title)
    take_turns(f"posting:{user.id}")  # two copies sent at the same moment: the second finds the first
    if (earlier := _retried(user, body, now=now, space=space, title=title)) is not None:
        return _same_choice(earlier, anonymous=anonymous).thread
    moderator = is_moderator(user, space)
    _check_anonymous(space, anonymous, moderator=moderator)
    render_post_body(body)  # refuse before anything is added
    thread = ExchangeThread(space_id=space.id, title=title, created_at=now, last_activity_at=now)
    db.session.add(thread)
    _new_post(thread, space, user, body, anonymous=anonymous, is_opening=True, now=now, moderator=moderator)
    follow(thread, user, mode="immediate", now=now)
    return thread


def reply_refusal(thread: ExchangeThread, *, moderator: bool) -> str | None:
    """Why the person may not reply in the thread now, or None; the reply form shows this instead.

    Replies need a published opening post: not one still waiting or sent back (they would open up the thread),
    not one taken back by its author. A lock and a hidden opening post stop members, not the moderators.
    """
    if thread.merged_into_id is not None:
        return _("Dieses Gespräch wurde mit einem anderen zusammengeführt.")
    if thread.locked and not moderator:
        return _("Dieses Gespräch ist gesperrt. Antworten sind nicht mehr möglich.")
    opening = opening_post(thread)
    if opening is None:  # went with its author's account: the others' conversation goes on
        return None
    if opening.status == "deleted":  # taken back by its author, who wanted the conversation gone
        return _("Der erste Beitrag dieses Gesprächs wurde gelöscht. Antworten sind nicht mehr möglich.")
    if opening.status == "hidden" and not moderator:
        return _("Der erste Beitrag dieses Gesprächs wurde von der Moderation ausgeblendet. "
                 "Antworten sind nicht mehr möglich.")
    if opening.status == "rejected":
        return _("Der erste Beitrag dieses Gesprächs wurde abgelehnt; Antworten sind erst möglich, wenn er "
                 "überarbeitet und freigegeben ist.")
    if opening.status == "pending":
        return _("Der erste Beitrag dieses Gesprächs wartet auf Freigabe; Antworten sind erst danach möglich.")
    return None


def reply(thread: ExchangeThread, user, body: str, *, anonymous: bool, now: datetime,
          reply_to: ExchangePost | None = None) -> ExchangePost:
    """Add a reply, unless replies are refused (see reply_refusal). Sent twice, it adds one reply."""
    space = thread.space
    moderator = is_moderator(user, space)
    if (refusal := reply_refusal(thread, moderator=moderator)) is not None:
        raise ExchangeError(refusal)
    take_turns(f"posting:{user.id}")
    if (earlier := _retried(user, body, now=now, thread=thread)) is not None:
        return _same_choice(earlier, anonymous=anonymous)
    if reply_to is not None and reply_to.thread_id != thread.id:
        reply_to = None
    post = _new_post(thread, space, user, body, anonymous=anonymous, is_opening=False, now=now,
                     reply_to=reply_to, moderator=moderator)
    if follow_of(thread, user) is None:
        follow(thread, user, mode="immediate", now=now)
    return post


def edit_refusal(user, post: ExchangePost, *, now: datetime) -> str | None:
    """Why the person may not edit the post now, or None. Authors edit within 30 minutes; a post sent back by the
    moderation may always be revised – but nothing in a locked thread, except by its moderators."""
    if post.author_id != user.id:
        return _("Sie können nur eigene Beiträge bearbeiten.")
    if post.status in ("deleted", "hidden"):
        return _("Dieser Beitrag kann nicht mehr bearbeitet werden.")
    if post.status != "rejected" and now - post.created_at > EDIT_WINDOW:
        return _("Beiträge können nur in den ersten 30 Minuten bearbeitet werden.")
    if post.thread.locked and not is_moderator(user, post.thread.space):
        return _("Dieses Gespräch ist gesperrt. Beiträge können nicht mehr bearbeitet werden.")
    return None


def can_edit(user, post: ExchangePost, *, now: datetime) -> bool:
    """Whether the person may edit the post now (see edit_refusal)."""
    return edit_refusal(user, post, now=now) is None


def title_editable(post: ExchangePost) -> bool:
    """Whether the thread's title may be changed with the post: its opening post, while it is not approved yet
    (waiting, or sent back – perhaps for the very title)."""
    return post.is_opening and post.status in ("pending", "rejected")


def edit_post(post: ExchangePost, user, body: str, *, now: datetime, title: str | None = None) -> ExchangePost:
    """Change one's own post – and with an opening post not approved yet, the thread's `title` (see
    title_editable). In a pre-moderated space a post not approved yet goes back to the queue; the change of an
    approved one waits there beside it, and everybody keeps reading the approved text until a moderator decides
    (sent back to the queue, an opening post took the whole conversation with it)."""
    if (refusal := edit_refusal(user, post, now=now)) is not None:
        raise ExchangeError(refusal)
    if title is not None and not title_editable(post):
        raise ExchangeError(_("Den Titel können Sie nur ändern, solange der erste Beitrag nicht freigegeben ist."))
    space = post.thread.space
    html = str(render_post_body(body))
    if title is not None:
        post.thread.title = checked_title(title)
    reviewed = space.is_premoderated and not is_moderator(user, space)
    if reviewed and post.status == "published":
        if body == post.body_source:  # back to the approved text: nothing left to decide
            drop_waiting_change(post)
        else:
            post.revision_source, post.revision_html, post.revised_at = body, html, now
        db.session.flush()
        return post
    post.body_source, post.body_html, post.edited_at = body, html, now
    drop_waiting_change(post)  # the text just written takes its place
    if reviewed:
        post.status, post.moderation_reason = "pending", ""
    elif post.status == "rejected":
        post.status = "published"
        published(post, now=now)
    db.session.flush()
    return post


def delete_post(post: ExchangePost, user, *, now: datetime) -> None:
    """Delete one's own post: its text is erased, a placeholder keeps the conversation readable.

    Deleting a hidden opening post takes the thread's title with it: members read a placeholder for it while the
    post was hidden, and the deleted post no longer hides it (see reading.shown_title).
    """
    if post.author_id != user.id:
        raise ExchangeError(_("Sie können nur eigene Beiträge löschen."))
    if post.status == "deleted":  # sent twice (a double tap, a retry): deleted already, as asked
        return
    if post.is_opening and post.status == "hidden":
        post.thread.title = WITHDRAWN_TITLE
    post.status, post.body_source, post.body_html, post.edited_at = "deleted", "", "", now
    drop_waiting_change(post)
    db.session.flush()


def text_to_edit(post: ExchangePost) -> str:
    """What the edit form starts from: the author's change still waiting for approval, so they can amend it,
    else the post's text."""
    return post.revision_source if post.has_waiting_change else post.body_source


def drop_waiting_change(post: ExchangePost) -> None:
    """Forget a change of the post that waits for approval; the approved text stays as it is."""
    post.revision_source = post.revision_html = post.revised_at = None


def drop_waiting_changes_of(user_id: int) -> None:
    """Forget the person's changes waiting for approval, for the erasure of their account: posts kept under
    "ehemaliges Mitglied" keep their approved text, never a change nobody has seen yet."""
    db.session.execute(update(ExchangePost).where(ExchangePost.author_id == user_id,
                                                  ExchangePost.revised_at.is_not(None))
                       .values(revision_source=None, revision_html=None, revised_at=None)
                       .execution_options(synchronize_session=False))


def published(post: ExchangePost, *, now: datetime) -> None:
    """A post became visible: date it, note that the thread's followers are to be told (the sending run writes
    the mails: see notices.py), count it towards the module."""
    post.published_at = now
    post.thread.last_activity_at = now
    db.session.flush()
    notices.note_new_post(post, now=now)
    space = post.thread.space
    if space.module_id is not None and post.author is not None:
        check_participation(post.author, space, now=now)


def check_participation(user, space: ExchangeSpace, *, now: datetime) -> bool:
    """Mark the exchange module done once the person has opened a thread and replied to others twice."""
    if took_part_in_space(user, space):
        return record_participation(user, space.module, via="exchange", now=now)
    return False


def took_part_in_module_space(user, module) -> bool:
    """Whether the person has done the exchange module by posting in its space (rather than at a session)."""
    space = db.session.scalar(select(ExchangeSpace).where(ExchangeSpace.module_id == module.id))
    return space is not None and took_part_in_space(user, space)


def took_part_in_space(user, space: ExchangeSpace) -> bool:
    """Whether the person opened a thread and replied to others twice, counting published posts."""
    started, replies = participation_in_space(user, space)
    return started >= THREADS_TO_COMPLETE and replies >= REPLIES_TO_COMPLETE


def participation_in_space(user, space: ExchangeSpace) -> tuple[int, int]:
    """Count the person's published threads opened in the space, and their replies in threads others opened
    (a thread whose opening post went with its author's account was opened by someone else, too)."""
    opening = aliased(ExchangePost)
    mine = (select(func.count()).select_from(ExchangePost).join(ExchangeThread)
            .where(ExchangeThread.space_id == space.id, ExchangePost.author_id == user.id,
                   ExchangePost.status == "published"))
    started = db.session.scalar(mine.where(ExchangePost.is_opening.is_(True)))
    opened_by_them = select(opening.id).where(opening.thread_id == ExchangeThread.id, opening.is_opening.is_(True),
                                              opening.author_id == user.id).exists()
    replies = db.session.scalar(mine.where(ExchangePost.is_opening.is_(False), ~opened_by_them))
    return started, replies



def delete_all_posts_of(user_id: int) -> None:
    """Delete what the person wrote in the exchange, for the erasure of their account.

    Their posts go, opening posts included, and with them the title of each thread they opened: a thread others
    wrote in stays under a neutral title, reached through their posts (see reading.can_see_thread), with a
    placeholder where its opening post was. A thread left with nothing of anybody else goes with it.
    """
    opened = select(ExchangePost.thread_id).where(ExchangePost.author_id == user_id, ExchangePost.is_opening.is_(True))
    written_in = list(db.session.scalars(
        select(ExchangePost.thread_id).where(ExchangePost.author_id == user_id).distinct()))
    db.session.execute(update(ExchangeThread).where(ExchangeThread.id.in_(opened)).values(title=FORGOTTEN_TITLE))
    db.session.execute(delete(ExchangePost).where(ExchangePost.author_id == user_id))
    readable = select(ExchangePost.id).where(ExchangePost.thread_id == ExchangeThread.id,
                                             ExchangePost.status != "deleted").exists()
    emptied = list(db.session.scalars(select(ExchangeThread.id).where(
        ExchangeThread.id.in_(written_in), ~readable, ExchangeThread.merged_into_id.is_(None))))
    if emptied:  # what is left in them are placeholders of posts others deleted
        db.session.execute(delete(ExchangePost).where(ExchangePost.thread_id.in_(emptied)))
        db.session.execute(delete(ExchangeThread).where(ExchangeThread.id.in_(emptied)))

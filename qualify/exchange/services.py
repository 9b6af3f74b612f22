"""Spaces, who belongs to them, threads and posts, follows and flags. Functions flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from qualify.accounts.roles import Role
from qualify.core.markdown import render_markdown
from qualify.courses import catalogue
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.exchange import mails
from qualify.exchange.models import (
    FOLLOW_MODES,
    ExchangeFlag,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    SpaceModerator,
    ThreadFollow,
)
from qualify.exchange.pseudonyms import pseudonym_for
from qualify.extensions import db
from qualify.learning.services import record_participation

EDIT_WINDOW = timedelta(minutes=30)
MAX_POST_LENGTH = 20_000
MAX_TITLE_LENGTH = 200
# What the exchange module asks for ("So schließen Sie das Modul ab"): one own contribution, two replies.
THREADS_TO_COMPLETE, REPLIES_TO_COMPLETE = 1, 2
# Whom a post is shown to, besides its author and the space's moderators.
SEEN_BY_MEMBERS = ("published", "hidden", "deleted")  # hidden and deleted ones as a placeholder


class ExchangeError(ValueError):
    """An exchange action that is not possible; the message is for the person."""


class NotModerator(PermissionError):
    """The person does not moderate this space."""


# ---------------------------------------------------------------- spaces and members

def _module_settings(version: ModuleVersion) -> tuple[str, str]:
    settings = version.settings or {}
    moderation = settings.get("moderation") if settings.get("moderation") in ("pre", "post") else "pre"
    anonymous = (
        settings.get("anonymous") if settings.get("anonymous") in ("allowed", "forbidden") else "forbidden"
    )
    return moderation, anonymous


def space_for_module(module: Module) -> ExchangeSpace:
    """Return the space of an exchange module, creating it on first use; settings follow the module file."""
    version = module.current_version
    if version is None or version.kind != "exchange":
        raise ExchangeError(_("Dieses Modul ist kein Austausch."))
    moderation, anonymous = _module_settings(version)
    space = db.session.scalar(select(ExchangeSpace).where(ExchangeSpace.module_id == module.id))
    if space is None:
        space = ExchangeSpace(module_id=module.id, title=version.title, organisation_id=None)
        try:
            with db.session.begin_nested():
                db.session.add(space)
        except IntegrityError:  # created by another request a moment ago
            space = db.session.scalar(select(ExchangeSpace).where(ExchangeSpace.module_id == module.id))
    space.title, space.moderation, space.anonymous = version.title, moderation, anonymous
    return space


def ensure_module_spaces() -> int:
    """Create the missing spaces of active exchange modules; return how many were created."""
    stmt = (select(Module).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .outerjoin(ExchangeSpace, ExchangeSpace.module_id == Module.id)
            .where(ModuleVersion.kind == "exchange", Module.archived.is_(False), ExchangeSpace.id.is_(None)))
    modules = list(db.session.scalars(stmt))
    for module in modules:
        space_for_module(module)
    db.session.flush()
    return len(modules)


def create_space(
    title: str,
    description: str,
    *,
    organisation_id: int | None,
    moderation: str,
    anonymous: str,
    by,
    now: datetime,
) -> ExchangeSpace:
    """Open a free-standing space; its creator becomes its first moderator."""
    if not by.has_any_role(Role.MODERATOR, Role.ADMIN):
        raise NotModerator()
    if moderation not in ("pre", "post") or anonymous not in ("allowed", "forbidden"):
        raise ExchangeError(_("Ungültige Einstellung."))
    space = ExchangeSpace(title=title.strip()[:MAX_TITLE_LENGTH], description_source=description,
                          description_html=str(render_post_body(description)) if description.strip() else "",
                          organisation_id=organisation_id, moderation=moderation, anonymous=anonymous,
                          created_at=now, created_by_id=by.id)
    db.session.add(space)
    db.session.flush()
    db.session.add(SpaceModerator(space_id=space.id, user_id=by.id, assigned_at=now, assigned_by_id=by.id))
    db.session.flush()
    return space


def is_moderator(user, space: ExchangeSpace) -> bool:
    """Admins, and people with the moderator role assigned to this very space."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(Role.MODERATOR):
        return False
    stmt = select(func.count()).where(SpaceModerator.space_id == space.id, SpaceModerator.user_id == user.id)
    return bool(db.session.scalar(stmt))


def require_moderator(user, space: ExchangeSpace) -> None:
    """Raise NotModerator unless the user moderates the space."""
    if not is_moderator(user, space):
        raise NotModerator()


def can_see(user, space: ExchangeSpace) -> bool:
    """A module's space is open to who may see the course; others network-wide or to one organisation."""
    if not user.is_authenticated:
        return False
    if is_moderator(user, space):
        return True
    if space.module_id is not None:
        module = space.module
        return not module.archived and catalogue.can_view(user, module.course)
    return space.organisation_id is None or space.organisation_id == user.organisation_id


def visible_spaces(user) -> list[ExchangeSpace]:
    """Return the spaces this person may enter: module spaces first, then by title."""
    moderated = select(SpaceModerator.space_id).where(SpaceModerator.user_id == user.id)
    stmt = (select(ExchangeSpace).outerjoin(Module, Module.id == ExchangeSpace.module_id)
            .outerjoin(Course, Course.id == Module.course_id)
            .order_by(ExchangeSpace.module_id.is_(None), ExchangeSpace.title))
    if not user.has_role(Role.ADMIN):
        free = and_(
            ExchangeSpace.module_id.is_(None),
            or_(
                ExchangeSpace.organisation_id.is_(None), ExchangeSpace.organisation_id == user.organisation_id
            ),
        )
        of_module = and_(Module.archived.is_(False), Course.status == "published")
        stmt = stmt.where(or_(free, of_module, ExchangeSpace.id.in_(moderated)))
    return list(db.session.scalars(stmt))


def moderators_of(space: ExchangeSpace) -> list:
    """Return the people assigned to moderate the space (who still hold the role)."""
    rows = db.session.scalars(select(SpaceModerator).where(SpaceModerator.space_id == space.id))
    return [row.user for row in rows if row.user.active and row.user.has_role(Role.MODERATOR)]


def assign_moderator(space: ExchangeSpace, user, *, by, now: datetime) -> None:
    """Let an admin assign a person holding the moderator role to the space (idempotent)."""
    if not by.has_role(Role.ADMIN):
        raise NotModerator()
    if not user.has_role(Role.MODERATOR):
        raise ExchangeError(_("Nur Personen mit der Rolle Moderation können einen Raum moderieren."))
    stmt = select(SpaceModerator).where(
        SpaceModerator.space_id == space.id, SpaceModerator.user_id == user.id
    )
    if db.session.scalar(stmt) is None:
        db.session.add(
            SpaceModerator(space_id=space.id, user_id=user.id, assigned_at=now, assigned_by_id=by.id)
        )
        db.session.flush()


def unassign_moderator(space: ExchangeSpace, user, *, by) -> None:
    """Let an admin take a moderator off the space."""
    if not by.has_role(Role.ADMIN):
        raise NotModerator()
    for row in db.session.scalars(select(SpaceModerator).where(SpaceModerator.space_id == space.id,
                                                               SpaceModerator.user_id == user.id)):
        db.session.delete(row)
    db.session.flush()


# ---------------------------------------------------------------- reading

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


# ---------------------------------------------------------------- writing

def render_post_body(text: str):
    """Check the length and render Markdown once, for storing."""
    if not text.strip():
        raise ExchangeError(_("Bitte schreiben Sie einen Text."))
    if len(text) > MAX_POST_LENGTH:
        raise ExchangeError(_("Der Beitrag ist zu lang (höchstens %(limit)s Zeichen).", limit="20.000"))
    return render_markdown(text)


def _check_anonymous(space: ExchangeSpace, anonymous: bool) -> None:
    if anonymous and not space.allows_pseudonyms:
        raise ExchangeError(_("In diesem Raum schreiben alle unter ihrem Namen."))


def _new_post(thread: ExchangeThread, space: ExchangeSpace, user, body: str, *, anonymous: bool,
              is_opening: bool, now: datetime, reply_to: ExchangePost | None = None,
              moderator: bool = False) -> ExchangePost:
    _check_anonymous(space, anonymous)
    html = render_post_body(body)
    # Moderators' own posts need no approval; everybody else's wait in a pre-moderated space.
    status = "pending" if space.is_premoderated and not moderator else "published"
    post = ExchangePost(thread=thread, author_id=user.id, is_opening=is_opening, body_source=body,
                        body_html=str(html), status=status, created_at=now,
                        pseudonym=pseudonym_for(space, user) if anonymous else None,
                        reply_to_id=reply_to.id if reply_to else None)
    db.session.add(post)
    db.session.flush()
    if status == "published":
        published(post, now=now)
    return post


def start_thread(space: ExchangeSpace, user, title: str, body: str, *, anonymous: bool,
                 now: datetime) -> ExchangeThread:
    """Open a thread with its first post; the author follows it."""
    title = " ".join(title.split())
    if not title:
        raise ExchangeError(_("Bitte geben Sie einen Titel an."))
    if len(title) > MAX_TITLE_LENGTH:
        raise ExchangeError(_("Der Titel ist zu lang (höchstens %(limit)s Zeichen).", limit=MAX_TITLE_LENGTH))
    _check_anonymous(space, anonymous)
    render_post_body(body)  # refuse before anything is added
    thread = ExchangeThread(space_id=space.id, title=title, created_at=now, last_activity_at=now)
    db.session.add(thread)
    _new_post(thread, space, user, body, anonymous=anonymous, is_opening=True, now=now,
              moderator=is_moderator(user, space))
    follow(thread, user, mode="immediate", now=now)
    return thread


def reply(thread: ExchangeThread, user, body: str, *, anonymous: bool, now: datetime,
          reply_to: ExchangePost | None = None) -> ExchangePost:
    """Add a reply; refused in a locked thread except to its moderators."""
    space = thread.space
    moderator = is_moderator(user, space)
    if thread.locked and not moderator:
        raise ExchangeError(_("Dieser Faden ist gesperrt. Antworten sind nicht mehr möglich."))
    if thread.merged_into_id is not None:
        raise ExchangeError(_("Dieser Faden wurde mit einem anderen zusammengeführt."))
    if reply_to is not None and reply_to.thread_id != thread.id:
        reply_to = None
    post = _new_post(thread, space, user, body, anonymous=anonymous, is_opening=False, now=now,
                     reply_to=reply_to, moderator=moderator)
    if follow_of(thread, user) is None:
        follow(thread, user, mode="immediate", now=now)
    return post


def can_edit(user, post: ExchangePost, *, now: datetime) -> bool:
    """Authors edit within 30 minutes; a post sent back by the moderation may always be revised."""
    if post.author_id != user.id or post.status in ("deleted", "hidden"):
        return False
    return post.status == "rejected" or now - post.created_at <= EDIT_WINDOW


def edit_post(post: ExchangePost, user, body: str, *, now: datetime) -> ExchangePost:
    """Change one's own post; in a pre-moderated space it goes back to the queue."""
    if not can_edit(user, post, now=now):
        raise ExchangeError(_("Beiträge können nur in den ersten 30 Minuten bearbeitet werden."))
    space = post.thread.space
    html = render_post_body(body)
    post.body_source, post.body_html, post.edited_at = body, str(html), now
    if space.is_premoderated and not is_moderator(user, space):
        post.status, post.moderation_reason = "pending", ""
    elif post.status == "rejected":
        post.status = "published"
        published(post, now=now)
    db.session.flush()
    return post


def delete_post(post: ExchangePost, user, *, now: datetime) -> None:
    """Delete one's own post: its text is erased, a placeholder keeps the conversation readable."""
    if post.author_id != user.id or post.status == "deleted":
        raise ExchangeError(_("Sie können nur eigene Beiträge löschen."))
    post.status, post.body_source, post.body_html, post.edited_at = "deleted", "", "", now
    db.session.flush()


def published(post: ExchangePost, *, now: datetime) -> None:
    """A post became visible: date it, tell the thread's followers, count it towards the module."""
    post.published_at = now
    post.thread.last_activity_at = now
    db.session.flush()
    space = post.thread.space
    stmt = select(ThreadFollow).where(
        ThreadFollow.thread_id == post.thread_id, ThreadFollow.mode == "immediate"
    )
    readers = [row.user for row in db.session.scalars(stmt)
               if row.user_id != post.author_id and row.user.active and can_see(row.user, space)]
    mails.notify_new_post(post, author_label(post), readers)
    if space.module_id is not None and post.author is not None:
        check_participation(post.author, space, now=now)


def check_participation(user, space: ExchangeSpace, *, now: datetime) -> bool:
    """Mark the exchange module done once the person has opened a thread and replied to others twice."""
    opening = aliased(ExchangePost)
    mine = (select(func.count()).select_from(ExchangePost).join(ExchangeThread)
            .where(ExchangeThread.space_id == space.id, ExchangePost.author_id == user.id,
                   ExchangePost.status == "published"))
    started = db.session.scalar(mine.where(ExchangePost.is_opening.is_(True)))
    replies = db.session.scalar(
        mine.join(opening, and_(opening.thread_id == ExchangeThread.id, opening.is_opening.is_(True)))
        .where(ExchangePost.is_opening.is_(False), opening.author_id != user.id))
    if started >= THREADS_TO_COMPLETE and replies >= REPLIES_TO_COMPLETE:
        return record_participation(user, space.module, via="exchange", now=now)
    return False


# ---------------------------------------------------------------- following and flagging

def follow_of(thread: ExchangeThread, user) -> ThreadFollow | None:
    """Return the person's follow of the thread, or None."""
    return db.session.scalar(select(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                                        ThreadFollow.user_id == user.id))


def follow(thread: ExchangeThread, user, *, mode: str, now: datetime) -> ThreadFollow:
    """Follow a thread (or change how): a mail per post, or a daily digest."""
    if mode not in FOLLOW_MODES:
        raise ExchangeError(_("Ungültige Einstellung."))
    row = follow_of(thread, user)
    if row is None:
        row = ThreadFollow(thread_id=thread.id, user_id=user.id, created_at=now, digested_until=now)
        db.session.add(row)
    row.mode = mode
    db.session.flush()
    return row


def unfollow(thread: ExchangeThread, user) -> None:
    """Stop following the thread."""
    row = follow_of(thread, user)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def followed_threads(user) -> list[ThreadFollow]:
    """Return what the person follows, most recently active first."""
    stmt = (select(ThreadFollow).join(ExchangeThread).where(ThreadFollow.user_id == user.id)
            .order_by(ExchangeThread.last_activity_at.desc()))
    return list(db.session.scalars(stmt))


def flag(post: ExchangePost, user, reason: str, *, now: datetime) -> ExchangeFlag:
    """Report a post to the space's moderators (once per person and post)."""
    reason = reason.strip()
    if not reason:
        raise ExchangeError(_("Bitte nennen Sie einen Grund."))
    if post.status != "published":
        raise ExchangeError(_("Dieser Beitrag kann nicht gemeldet werden."))
    existing = db.session.scalar(select(ExchangeFlag).where(ExchangeFlag.post_id == post.id,
                                                            ExchangeFlag.flagged_by_id == user.id))
    if existing is not None:
        return existing
    row = ExchangeFlag(post_id=post.id, flagged_by_id=user.id, reason=reason[:2000], created_at=now)
    db.session.add(row)
    db.session.flush()
    space = post.thread.space
    mails.notify_flag(row, moderators_of(space), author_label(post))
    return row

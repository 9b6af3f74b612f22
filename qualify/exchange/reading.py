"""What a person sees of threads and posts: who reads what, thread listings, author labels, quotes."""

from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from qualify.accounts.models import User
from qualify.core.i18n import localised_datetime
from qualify.core.templating import content_lang
from qualify.exchange.models import ExchangePost, ExchangeSpace, ExchangeThread
from qualify.extensions import db


def seen_by_members(post: ExchangePost) -> bool:
    """Whether members see the post, besides its author and the space's moderators: published ones, and hidden or
    deleted ones as a placeholder – but only once published, or deleting a waiting post would publish its thread."""
    return post.status in ("published", "hidden") or (post.status == "deleted" and post.published_at is not None)


def seen_by_members_sql(post):
    """seen_by_members as a condition on an ExchangePost entity (or alias) in a statement."""
    return or_(post.status.in_(("published", "hidden")),
               and_(post.status == "deleted", post.published_at.is_not(None)))


def author_label(post: ExchangePost) -> str:
    """The name a post is shown under: the frozen pseudonym, or the author's display name."""
    if post.pseudonym is not None:
        return post.pseudonym
    return post.author.display_name if post.author else _("Ehemaliges Mitglied")


def by_former_member(post: ExchangePost) -> bool:
    """Whether the post is shown as a former member's: written under the name of an account erased since."""
    return post.pseudonym is None and (post.author is None or post.author.is_stand_in)


def post_name(post: ExchangePost) -> str:
    """Which post it is, as its buttons name it for screen readers: by whom, and when."""
    time = localised_datetime(post.created_at, "short")
    if by_former_member(post):  # not "von ehemaliges Mitglied": a sentence of its own, in the genitive
        return _("Beitrag eines ehemaligen Mitglieds vom %(time)s", time=time)
    return _("Beitrag von %(author)s vom %(time)s", author=author_label(post), time=time)


def can_read(user, post: ExchangePost, *, moderator: bool) -> bool:
    """Whether the post (or its placeholder) appears for this person at all."""
    if seen_by_members(post):
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
    return thread.title_shown


def title_language(thread: ExchangeThread, shown: str | None = None) -> Markup:
    """content_lang for a thread's title as shown (its title_shown unless given): in its space's language – or
    nothing for a placeholder, which is in the reader's language like the page."""
    shown = thread.title_shown if shown is None else shown
    if shown != thread.title or thread.has_placeholder_title:
        return Markup("")
    return content_lang(thread.space.content_language)


def can_see_thread(user, thread: ExchangeThread, *, moderator: bool) -> bool:
    """A thread is seen once its opening post is; its author and the moderators see it from the start.

    A thread without an opening post lost it with its author's account (see posting.delete_all_posts_of): the
    replies of others that kept it are what members see of it.
    """
    opening = opening_post(thread)
    if opening is None:
        return any(moderator or seen_by_members(post) for post in thread.posts)
    return can_read(user, opening, moderator=moderator)


@dataclass
class ThreadRow:
    thread: ExchangeThread
    opening: ExchangePost | None  # None once its author erased their account and posts
    replies: int


def threads_of(space: ExchangeSpace, user, *, moderator: bool, limit: int | None = None,
               offset: int = 0) -> list[ThreadRow]:
    """List the threads this person may see, pinned first, then by latest activity (two statements); a page of
    them with `limit` and `offset`."""
    opening, reply = aliased(ExchangePost), aliased(ExchangePost)
    stmt = (
        select(ExchangeThread, opening)
        .outerjoin(opening, and_(opening.thread_id == ExchangeThread.id, opening.is_opening.is_(True)))
        .where(ExchangeThread.space_id == space.id, ExchangeThread.merged_into_id.is_(None))
        .order_by(
            ExchangeThread.pinned.desc(), ExchangeThread.last_activity_at.desc(), ExchangeThread.id.desc()
        )
    )
    if not moderator:  # the rules of can_see_thread
        replies_seen = select(reply.id).where(reply.thread_id == ExchangeThread.id, seen_by_members_sql(reply))
        stmt = stmt.where(or_(seen_by_members_sql(opening), opening.author_id == user.id,
                              and_(opening.id.is_(None), replies_seen.exists())))
    else:
        stmt = stmt.where(or_(opening.id.is_not(None),
                              select(reply.id).where(reply.thread_id == ExchangeThread.id).exists()))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    rows = db.session.execute(stmt).all()
    ids = [thread.id for thread, _opening in rows]
    counts = dict(db.session.execute(
        select(ExchangePost.thread_id, func.count()).where(ExchangePost.thread_id.in_(ids),
                                                           ExchangePost.is_opening.is_(False),
                                                           ExchangePost.status == "published")
        .group_by(ExchangePost.thread_id)).all()) if ids else {}
    return [ThreadRow(thread, post, counts.get(thread.id, 0)) for thread, post in rows]


def with_authors():
    """Load option: a post's author comes with it (one statement for all), without the author's roles – a post
    names its author, it does not ask what they may do. Without it, a thread of 400 posts sent 570 statements."""
    return selectinload(ExchangePost.author).options(lazyload(User.role_rows))


def posts_in_space(space: ExchangeSpace) -> dict[int, list[ExchangePost]]:
    """Every post of the space with its author, oldest first, by thread (two statements, for the export)."""
    stmt = (select(ExchangePost).join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
            .where(ExchangeThread.space_id == space.id).options(with_authors())
            .order_by(ExchangePost.thread_id, ExchangePost.id))
    posts: dict[int, list[ExchangePost]] = {}
    for post in db.session.scalars(stmt):
        posts.setdefault(post.thread_id, []).append(post)
    return posts


def posts_for(thread: ExchangeThread, user, *, moderator: bool) -> list[ExchangePost]:
    """Return the thread's posts this person may see, oldest first."""
    stmt = (select(ExchangePost).where(ExchangePost.thread_id == thread.id).options(with_authors())
            .order_by(ExchangePost.id))
    posts = list(db.session.scalars(stmt))
    set_committed_value(thread, "posts", posts)  # what the page asks of thread.posts later, it has
    return [post for post in posts if can_read(user, post, moderator=moderator)]


def quote(post: ExchangePost) -> str:
    """Prefill a reply: the post's text as a Markdown quote, attributed to the name it is shown under."""
    lines = post.body_source.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{author_label(post)}:**\n>\n{quoted}\n\n"


# A line of a post found quoted in another without the quote's header naming the post's author, nor the reply
# answering it, counts as quoting it only from this length: a short line ("Danke!") stands in many posts.
QUOTED_LINE_ALONE = 20


def _own_lines(text: str) -> set[str]:
    """The lines a post wrote itself (not those it quotes), as a quote of it carries them."""
    return {line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith(">")}


def _quoted_lines(text: str) -> set[str]:
    """The lines a post quotes, without their quote marks (nested ones too)."""
    lines = set()
    for line in text.splitlines():
        if line.lstrip().startswith(">") and (content := line.lstrip(" \t>").strip()):
            lines.add(content)
    return lines


def quotes(reply: ExchangePost, post: ExchangePost) -> bool:
    """Whether the reply shows words of the post in a quote: a line the post wrote stands quoted in it, and the
    reply answers the post, or its quote is headed by the name the post is shown under (as "Zitieren" makes it,
    see quote), or the line is long enough not to be another post's by chance (QUOTED_LINE_ALONE)."""
    if reply.id == post.id or reply.thread_id != post.thread_id:
        return False
    quoted_lines = _quoted_lines(reply.body_source)
    shared = quoted_lines & _own_lines(post.body_source)
    if not shared:
        return False
    return (reply.reply_to_id == post.id or f"**{author_label(post)}:**" in quoted_lines
            or any(len(line) >= QUOTED_LINE_ALONE for line in shared))


@cache
def _other_posts_statement():
    return (select(ExchangePost)
            .where(ExchangePost.thread_id == bindparam("thread"), ExchangePost.id != bindparam("post"),
                   ExchangePost.status.in_(("published", "pending")))
            .order_by(ExchangePost.id))


def quoting_replies(post: ExchangePost) -> list[ExchangePost]:
    """The posts of the thread, published or waiting, that quote this one (see quotes): hidden, its words still
    stand there. One statement."""
    others = db.session.scalars(_other_posts_statement(), {"thread": post.thread_id, "post": post.id})
    return [other for other in others if quotes(other, post)]


def quoting_hidden(posts: list[ExchangePost]) -> dict[int, ExchangePost]:
    """Of these posts of a thread, those that quote a hidden one, with the post they quote (for its moderators)."""
    hidden = [post for post in posts if post.status == "hidden"]
    found: dict[int, ExchangePost] = {}
    for post in posts:
        if post.status in ("published", "pending") and post.id not in found:
            quoted_post = next((other for other in hidden if quotes(post, other)), None)
            if quoted_post is not None:
                found[post.id] = quoted_post
    return found


def quoting_hidden_in_queue(posts: list[ExchangePost]) -> dict[int, ExchangePost]:
    """Of the posts waiting for approval (of any threads), those that quote a hidden post of their thread, with
    the post they quote: approved, they would show its words again. One statement, or two with hidden posts."""
    waiting = [post for post in posts if post.status == "pending"]
    if not waiting:
        return {}
    hidden: dict[int, list[ExchangePost]] = {}
    stmt = (select(ExchangePost).where(ExchangePost.thread_id.in_(sorted({post.thread_id for post in waiting})),
                                       ExchangePost.status == "hidden")
            .options(with_authors()).order_by(ExchangePost.id))
    for post in db.session.scalars(stmt):
        hidden.setdefault(post.thread_id, []).append(post)
    found: dict[int, ExchangePost] = {}
    for post in waiting:
        quoted_post = next((other for other in hidden.get(post.thread_id, []) if quotes(post, other)), None)
        if quoted_post is not None:
            found[post.id] = quoted_post
    return found

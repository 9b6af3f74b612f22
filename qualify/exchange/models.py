"""Exchange spaces, their threads and posts, moderators, flags, follows, the moderation log and minutes."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualify.accounts.models import Organisation, User
from qualify.core.time import UTCDateTime, utcnow
from qualify.courses.models import Module
from qualify.extensions import db

MODERATION_MODES = (
    "pre",
    "post",
)  # pre: approved before anyone sees it · post: visible at once, can be hidden
ANONYMITY_MODES = ("allowed", "forbidden")
# pending: waits for approval · published: visible · rejected: sent back to the author with a reason
# hidden: taken down by a moderator · deleted: removed by its author (text erased)
POST_STATUSES = ("pending", "published", "rejected", "hidden", "deleted")
FOLLOW_MODES = ("immediate", "digest")


class ExchangeSpace(db.Model):
    """A place to talk: one per exchange module, or free-standing on a topic."""

    __tablename__ = "exchange_spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set for the space of an exchange module; its current version's body heads the space.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # None: network-wide; else only members of this organisation (and the space's moderators).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                        index=True)
    moderation: Mapped[str] = mapped_column(String(10), default="pre")
    anonymous: Mapped[str] = mapped_column(String(10), default="allowed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    module: Mapped[Module | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_premoderated(self) -> bool:
        return self.moderation == "pre"

    @property
    def allows_pseudonyms(self) -> bool:
        return self.anonymous == "allowed"

    @property
    def content_language(self) -> str | None:
        """The language its title and description are written in, for content_lang: a module's space is its
        course's; a free-standing space stores none, so it counts as the default, German (None)."""
        return self.module.course.language if self.module_id else None


class SpaceModerator(db.Model):
    """A person with the moderator role assigned to moderate one space."""

    __tablename__ = "exchange_space_moderators"
    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("exchange_spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The day (Europe/Berlin) the moderator was last mailed what waits in their spaces, kept on each of their
    # assignments: one reminder a day per person, however often the job runs (exchange/jobs.py).
    reminded_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    space: Mapped[ExchangeSpace] = relationship()


class ExchangePseudonym(db.Model):
    """The one pseudonym a person writes under in one space (derived by HMAC, kept for stability)."""

    __tablename__ = "exchange_pseudonyms"
    __table_args__ = (UniqueConstraint("space_id", "user_id"), UniqueConstraint("space_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("exchange_spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))


# Titles the code gives a thread, stored in German and shown in the reader's language (ExchangeThread.title_shown):
# when the author deletes its hidden opening post (the hidden words go for good), and when the person who opened
# it deleted their account while others had replied.
WITHDRAWN_TITLE = "Gespräch ausgeblendet"
FORGOTTEN_TITLE = "Thema eines gelöschten Kontos"
_PLACEHOLDER_TITLES = {WITHDRAWN_TITLE: _l("Gespräch ausgeblendet"),
                       FORGOTTEN_TITLE: _l("Thema eines gelöschten Kontos")}


def title_in_readers_language(title: str) -> str:
    """A thread's title as written, or a placeholder the code put there in the reader's language."""
    placeholder = _PLACEHOLDER_TITLES.get(title)
    return str(placeholder) if placeholder is not None else title


class ExchangeThread(db.Model):
    __tablename__ = "exchange_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("exchange_spaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    # A duplicate merged into another thread keeps its row, so old links lead to the surviving thread.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_threads.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    space: Mapped[ExchangeSpace] = relationship()
    posts: Mapped[list["ExchangePost"]] = relationship(back_populates="thread", order_by="ExchangePost.id",
                                                      foreign_keys="ExchangePost.thread_id")

    @property
    def title_shown(self) -> str:
        """The title as written, or a placeholder the code put there in the reader's language."""
        return title_in_readers_language(self.title)

    @property
    def has_placeholder_title(self) -> bool:
        """Whether the code put a placeholder where its title was (shown in the reader's language)."""
        return self.title in _PLACEHOLDER_TITLES


class ExchangePost(db.Model):
    __tablename__ = "exchange_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("exchange_threads.id", ondelete="CASCADE"), index=True)
    # Never shown for a pseudonymous post; only an admin's recorded reveal reads it.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Frozen at writing: a thread moved to another space keeps the names it was written under.
    pseudonym: Mapped[str | None] = mapped_column(String(60))
    is_opening: Mapped[bool] = mapped_column(default=False)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_posts.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    # An author's change of their published post in a pre-moderated space, waiting for approval: until a moderator
    # approves it, everybody keeps reading the approved text above. Set together, or all None.
    revision_source: Mapped[str | None] = mapped_column(Text)
    revision_html: Mapped[str | None] = mapped_column(Text)
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the queue looks for these

    thread: Mapped[ExchangeThread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_pseudonymous(self) -> bool:
        return self.pseudonym is not None

    @property
    def has_waiting_change(self) -> bool:
        return self.revised_at is not None


class PostNotice(db.Model):
    """A post just published whose thread's followers are still to be told, kept until the next sending run
    (a minute at most): the request notes it, the run writes the mails (see exchange/notices.py)."""

    __tablename__ = "exchange_post_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Goes with its post: a post erased before the run is mailed to nobody.
    post_id: Mapped[int] = mapped_column(ForeignKey("exchange_posts.id", ondelete="CASCADE"), index=True)
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExchangeFlag(db.Model):
    """A member's report of a post; who reported it is kept for de-duplication, never shown."""

    __tablename__ = "exchange_flags"
    __table_args__ = (UniqueConstraint("post_id", "flagged_by_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("exchange_posts.id", ondelete="CASCADE"))
    flagged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[ExchangePost] = relationship()


class ThreadFollow(db.Model):
    """A person following a thread: a mail per new post, or one daily digest."""

    __tablename__ = "exchange_follows"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("exchange_threads.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(10), default="immediate")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The digest covers posts published after this moment.
    digested_until: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[ExchangeThread] = relationship()
    user: Mapped[User] = relationship()


class ExchangeLogEntry(db.Model):
    """A moderator's (or admin's) action: who, what, when, why. Read by admins and the space's moderators."""

    __tablename__ = "exchange_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("exchange_spaces.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_threads.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_posts.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class ExchangeMinutes(db.Model):
    """The structured minutes of an exchange session; published to the space once a moderator approves."""

    __tablename__ = "exchange_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), unique=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("exchange_spaces.id", ondelete="CASCADE"), index=True)
    topics: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    open_questions: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    # The four sections rendered once on save, as one HTML document.
    body_html: Mapped[str] = mapped_column(Text, default="")
    # People listed as taking part; shown only while they agree to be named (see MinutesConsent).
    named_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # draft: the sections above wait for approval (beside the approved version below, if there is one)
    # published: the sections above are the approved version
    status: Mapped[str] = mapped_column(String(12), default="draft")
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last saved
    # Since when the sections have waited for approval, kept while they are saved again (see wait_for_approval);
    # None while they are the approved version (status published).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The version last approved, which the space shows: a change saved since waits above it, and the space keeps
    # showing this until the change is approved. Set together with published_at (publish), or all None (never
    # approved, or taken down after a withdrawn consent: unpublish). The names listed are shown only while they
    # agree, as above.
    published_texts: Mapped[dict[str, str] | None] = mapped_column(JSON)  # the four sections by field
    published_html: Mapped[str | None] = mapped_column(Text)
    published_named_ids: Mapped[list[int] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def wait_for_approval(self, *, now: datetime) -> None:
        """The sections as they stand wait for approval: since now, or since they came to wait if they already
        did (a draft saved again has waited as long as before)."""
        if self.status != "draft" or self.waiting_since is None:
            self.waiting_since = now
        self.status = "draft"

    def publish(self, texts: dict[str, str], *, by_id: int, now: datetime) -> None:
        """Approve the sections as they stand (`texts`: them by field): they become the approved version, which
        the space shows – all of published_* set together – and nothing waits any more."""
        self.published_texts, self.published_html = texts, self.body_html
        self.published_named_ids = list(self.named_user_ids or [])
        self.published_at, self.published_by_id = now, by_id
        self.status, self.waiting_since = "published", None

    def unpublish(self, *, now: datetime) -> None:
        """The space stops showing the minutes: the approved version goes – all of published_* together –, the
        sections stay and wait for approval again (see wait_for_approval)."""
        self.published_texts = self.published_html = self.published_named_ids = None
        self.published_at = self.published_by_id = None
        self.wait_for_approval(now=now)

    @property
    def is_shown(self) -> bool:
        """Whether the space shows a version of these minutes (the approved one: see publish and unpublish)."""
        return self.published_html is not None

    @property
    def has_waiting_change(self) -> bool:
        """Whether a change of approved minutes waits for approval (the space shows the approved version)."""
        return self.status == "draft" and self.is_shown


class MinutesConsent(db.Model):
    """A participant's agreement to be named in the minutes of one session; taken back, the row stays with
    withdrawn_at, so that the moderator reads "withdrew" apart from "has not answered"."""

    __tablename__ = "exchange_minutes_consents"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: agrees

    user: Mapped[User] = relationship()

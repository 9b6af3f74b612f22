"""What waits for the moderation: counted for a moderator's start page and navigation, and gathered per space for
the working-day reminder (jobs.remind_moderators).

"Waiting" is what the queue lists (moderation_queue: pending_posts, open_flags, waiting_minutes): new posts waiting
for approval, changes of published posts waiting for approval, open reports, and minutes of exchange sessions waiting
for approval (never approved yet, or a change of approved ones). Nothing here reads a post's or the minutes' text or
who wrote it.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import g
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.database import in_german_order
from qualify.core.templating import nav_count
from qualify.exchange.models import (
    ExchangeFlag,
    ExchangeMinutes,
    ExchangePost,
    ExchangeSpace,
    ExchangeThread,
    SpaceModerator,
)
from qualify.extensions import db

# A new post waiting for approval; a published post whose change waits (ExchangePost.has_waiting_change).
_NEW_POST = and_(ExchangePost.status == "pending", ExchangePost.revised_at.is_(None))
_CHANGE = ExchangePost.revised_at.is_not(None)
# Minutes whose sections wait for approval: a draft never approved (or taken down after a withdrawn consent), or
# the change of approved ones (ExchangeMinutes.has_waiting_change) – both are "draft", see ExchangeMinutes.status.
# Any moderator of the space may write them and any may approve them, their writer too (minutes.publish_minutes asks
# for no second pair of eyes): they wait for every moderator of the space, whoever saved them last.
_MINUTES = ExchangeMinutes.status == "draft"


@dataclass(frozen=True)
class Waiting:
    """How much waits: new posts and changes waiting for approval, open reports, minutes waiting for approval;
    since when the oldest of them (None where not asked)."""

    posts: int = 0
    changes: int = 0
    reports: int = 0
    minutes: int = 0
    since: datetime | None = None

    @property
    def total(self) -> int:
        return self.posts + self.changes + self.reports + self.minutes


NOTHING = Waiting()


def waiting_for(user) -> Waiting:
    """What waits in the spaces this person moderates (every space for an admin who has the moderator role, as
    the queue shows them): one statement, however much waits; none for someone without the moderator role."""
    if not user.is_authenticated or not user.has_role(Role.MODERATOR):
        return NOTHING
    def in_my_spaces(space_id):
        if user.has_role(Role.ADMIN):
            return space_id.is_not(None)
        return space_id.in_(select(SpaceModerator.space_id).where(SpaceModerator.user_id == user.id))

    def posts(which):
        return (select(func.count(ExchangePost.id))
                .join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
                .where(in_my_spaces(ExchangeThread.space_id), which).scalar_subquery())

    reports = (select(func.count(ExchangeFlag.id)).join(ExchangePost, ExchangePost.id == ExchangeFlag.post_id)
               .join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
               .where(in_my_spaces(ExchangeThread.space_id), ExchangeFlag.resolved_at.is_(None)).scalar_subquery())
    minutes = (select(func.count(ExchangeMinutes.id))
               .where(in_my_spaces(ExchangeMinutes.space_id), _MINUTES).scalar_subquery())
    new, changes, reported, waiting_minutes = db.session.execute(
        select(posts(_NEW_POST), posts(_CHANGE), reports, minutes)).one()
    return Waiting(posts=new, changes=changes, reports=reported, minutes=waiting_minutes)


def waiting_for_current_user(user) -> Waiting:
    """waiting_for, asked once per request: the start page's tile and the navigation show the same count."""
    cached = g.get("_moderation_waiting")
    if cached is None or cached[0] != user.id:
        cached = g._moderation_waiting = (user.id, waiting_for(user))
    return cached[1]


@nav_count("exchange.moderation_queue")
def _beside_the_queue_in_the_navigation(user) -> int:
    return waiting_for_current_user(user).total


def waiting_by_space() -> dict[int, Waiting]:
    """What waits in each space where anything does, with since when the oldest item (three statements)."""
    found: dict[int, Waiting] = {}

    def add(space_id: int, oldest: datetime, **counts: int) -> None:
        before = found.get(space_id, NOTHING)
        since = oldest if before.since is None else min(before.since, oldest)
        found[space_id] = replace(before, since=since, **counts)

    since = func.min(func.coalesce(ExchangePost.revised_at, ExchangePost.created_at))
    post_rows = db.session.execute(
        select(ExchangeThread.space_id, func.count(case((_NEW_POST, 1))), func.count(case((_CHANGE, 1))), since)
        .join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
        .where(or_(_NEW_POST, _CHANGE)).group_by(ExchangeThread.space_id))
    for space_id, new, changes, oldest in post_rows:
        add(space_id, oldest, posts=new, changes=changes)
    report_rows = db.session.execute(
        select(ExchangeThread.space_id, func.count(ExchangeFlag.id), func.min(ExchangeFlag.created_at))
        .join(ExchangePost, ExchangePost.id == ExchangeFlag.post_id)
        .join(ExchangeThread, ExchangeThread.id == ExchangePost.thread_id)
        .where(ExchangeFlag.resolved_at.is_(None)).group_by(ExchangeThread.space_id))
    for space_id, count, oldest in report_rows:
        add(space_id, oldest, reports=count)
    # Waiting since they came to wait (ExchangeMinutes.waiting_since), however often saved since – as a new post
    # waits since it was written, however often its author corrects it.
    minutes_rows = db.session.execute(
        select(ExchangeMinutes.space_id, func.count(ExchangeMinutes.id), func.min(ExchangeMinutes.waiting_since))
        .where(_MINUTES).group_by(ExchangeMinutes.space_id))
    for space_id, count, oldest in minutes_rows:
        add(space_id, oldest, minutes=count)
    return found


def moderators_to_remind(waiting: dict[int, Waiting]) -> list[tuple[User, list[tuple[ExchangeSpace, Waiting]]]]:
    """Who moderates a space where something waits – active, and still holding the moderator role (an assignment
    outlives a role taken away) –, each with those spaces in German order of title (two statements)."""
    if not waiting:
        return []
    stmt = (select(SpaceModerator)
            .join(User, User.id == SpaceModerator.user_id)
            .join(ExchangeSpace, ExchangeSpace.id == SpaceModerator.space_id)
            .where(SpaceModerator.space_id.in_(list(waiting)), User.active.is_(True))
            .options(contains_eager(SpaceModerator.user).selectinload(User.role_rows),
                     contains_eager(SpaceModerator.space))
            .order_by(SpaceModerator.user_id, in_german_order(ExchangeSpace.title), ExchangeSpace.id))
    found: dict[int, tuple[User, list]] = {}
    for row in db.session.scalars(stmt):
        if row.user.has_role(Role.MODERATOR):
            found.setdefault(row.user_id, (row.user, []))[1].append((row.space, waiting[row.space_id]))
    return list(found.values())


def claim_reminder(user_id: int, today: date) -> bool:
    """Note that the person is reminded today; False if they were already (by this run or another).

    One UPDATE of their assignments that leaves them alone if any says today: a second scheduler running the job
    at the same moment waits for the first's rows on PostgreSQL and then finds them marked, so it sends nothing.
    """
    others = aliased(SpaceModerator)
    stmt = (update(SpaceModerator)
            .where(SpaceModerator.user_id == user_id,
                   or_(SpaceModerator.reminded_on.is_(None), SpaceModerator.reminded_on != today),
                   ~exists().where(others.user_id == user_id, others.reminded_on == today))
            .values(reminded_on=today).execution_options(synchronize_session=False))
    return db.session.execute(stmt).rowcount > 0

"""Spaces, who may enter them and who moderates them. Functions flush; the caller commits."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.courses import catalogue
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.exchange.errors import ExchangeError, NotModerator
from qualify.exchange.models import ExchangeSpace, SpaceModerator
from qualify.exchange.text import MAX_TITLE_LENGTH, render_post_body
from qualify.extensions import db


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
    audit.record("exchange.space_created", actor=by, target=space, title=space.title,
                 organisation_id=organisation_id)
    return space


def is_moderator(user, space: ExchangeSpace, *, assigned: set[int] | None = None) -> bool:
    """Admins, and people with the moderator role assigned to this very space (`assigned`: the ids of those
    assigned, read once by whoever asks about many people)."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(Role.MODERATOR):
        return False
    if assigned is not None:
        return user.id in assigned
    stmt = select(func.count()).where(SpaceModerator.space_id == space.id, SpaceModerator.user_id == user.id)
    return bool(db.session.scalar(stmt))


def assigned_moderators(space: ExchangeSpace) -> set[int]:
    """The ids of the people assigned to moderate the space."""
    return set(db.session.scalars(select(SpaceModerator.user_id).where(SpaceModerator.space_id == space.id)))


def moderates_space_of_module(user, module: Module) -> bool:
    """Tell whether the person is assigned to moderate the exchange space of this module."""
    stmt = (select(func.count()).select_from(SpaceModerator)
            .join(ExchangeSpace, ExchangeSpace.id == SpaceModerator.space_id)
            .where(ExchangeSpace.module_id == module.id, SpaceModerator.user_id == user.id))
    return bool(db.session.scalar(stmt))


def require_moderator(user, space: ExchangeSpace) -> None:
    """Raise NotModerator unless the user moderates the space."""
    if not is_moderator(user, space):
        raise NotModerator()


def can_see(user, space: ExchangeSpace, *, assigned: set[int] | None = None) -> bool:
    """A module's space is open to who may see the course; others network-wide or to one organisation."""
    if not user.is_authenticated:
        return False
    if is_moderator(user, space, assigned=assigned):
        return True
    if space.module_id is not None:
        module = space.module
        return not module.archived and catalogue.can_view(user, module.course)
    return space.organisation_id is None or space.organisation_id == user.organisation_id


# Who may enter a space as a member, by the space's own rules (as can_see decides; the space's moderators and the
# admins enter it besides): everybody signed in, one organisation's members, the editors of a course not published
# (the space of one of its modules), or nobody (the space of an archived module).
EVERYONE = ("everyone",)
NOBODY = ("nobody",)


def audience(space: ExchangeSpace) -> tuple:
    """Who may enter the space as a member: EVERYONE, NOBODY, ("organisation", id) or ("course editors", id)."""
    if space.module_id is not None:
        module = space.module
        if module.archived:
            return NOBODY
        return EVERYONE if module.course.is_published else ("course editors", module.course_id)
    return EVERYONE if space.organisation_id is None else ("organisation", space.organisation_id)


def audience_includes(wider: ExchangeSpace, narrower: ExchangeSpace) -> bool:
    """Whether everybody who may enter `narrower` as a member may enter `wider` too – decided from the two spaces'
    rules alone, never from who anybody is: a space for everybody includes every other, a space of one
    organisation (or of a draft course's editors) only one of the same, and every space includes one nobody
    may enter."""
    outer, inner = audience(wider), audience(narrower)
    return outer == EVERYONE or inner == NOBODY or outer == inner


def visible_spaces(user) -> list[ExchangeSpace]:
    """Return the spaces this person may enter: module spaces first, then by title."""
    moderated = select(SpaceModerator.space_id).where(SpaceModerator.user_id == user.id)
    stmt = (select(ExchangeSpace).outerjoin(Module, Module.id == ExchangeSpace.module_id)
            .outerjoin(Course, Course.id == Module.course_id)
            .options(contains_eager(ExchangeSpace.module).contains_eager(Module.course))  # for content_language
            .order_by(ExchangeSpace.module_id.is_(None), in_german_order(ExchangeSpace.title)))
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
    # The people at once (their roles come with them in one more statement), not each on its own.
    people = db.session.scalars(select(User).join(SpaceModerator, SpaceModerator.user_id == User.id)
                                .where(SpaceModerator.space_id == space.id, User.active.is_(True))
                                .order_by(SpaceModerator.id))
    return [person for person in people if person.has_role(Role.MODERATOR)]


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
        # Who moderates a space decides what its members read: a change of hands belongs in the log.
        audit.record("exchange.moderator_assigned", actor=by, target=space, user_id=user.id)


def unassign_moderator(space: ExchangeSpace, user, *, by) -> None:
    """Let an admin take a moderator off the space."""
    if not by.has_role(Role.ADMIN):
        raise NotModerator()
    for row in db.session.scalars(select(SpaceModerator).where(SpaceModerator.space_id == space.id,
                                                               SpaceModerator.user_id == user.id)):
        db.session.delete(row)
        audit.record("exchange.moderator_unassigned", actor=by, target=space, user_id=user.id)
    db.session.flush()

"""Who may edit a course: its owners and co-owners."""

from flask_babel import gettext as _
from sqlalchemy import select

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.accounts.services import find_user_by_email
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.courses import services
from qualify.courses.authoring import AuthoringError
from qualify.courses.models import Course, CourseOwner
from qualify.extensions import db


def course_owners(course: Course) -> list[User]:
    """Return the owners and co-owners of the course, by name."""
    stmt = (select(User).join(CourseOwner, CourseOwner.user_id == User.id)
            .where(CourseOwner.course_id == course.id).order_by(in_german_order(User.display_name)))
    return list(db.session.scalars(stmt))


def add_owner(course: Course, email: str, *, actor) -> User:
    """Let a trainer (found by e-mail) edit the course."""
    services.take_turns_on_course(course.slug)
    user = find_user_by_email(email)
    if user is None or not user.active or not user.has_role(Role.TRAINER):
        raise AuthoringError(_("Unter dieser Adresse gibt es keine aktive Person mit der Rolle Trainer/in."))
    if user in course_owners(course):
        raise AuthoringError(_("%(name)s bearbeitet diesen Kurs schon.", name=user.display_name))
    db.session.add(CourseOwner(course_id=course.id, user_id=user.id))
    audit.record("authoring.owner_added", actor=actor, target=course, user_id=user.id)
    return user


def remove_owner(course: Course, user_id: int, *, actor) -> None:
    """Take away a person's right to edit the course. Who has none – any more: the same form sent twice – is left
    as they are."""
    services.take_turns_on_course(course.slug)
    owner = db.session.scalar(select(CourseOwner).where(CourseOwner.course_id == course.id,
                                                        CourseOwner.user_id == user_id))
    if owner is None:
        return
    db.session.delete(owner)
    audit.record("authoring.owner_removed", actor=actor, target=course, user_id=user_id)

"""What the person page tells an admin beyond the account itself: the work a person leaves behind when their
account is deactivated; and which entries of the log an organisation's administration reads."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from qualify.accounts.models import Unit, User
from qualify.core.audit import AuditEvent
from qualify.core.database import in_german_order
from qualify.courses.models import Course, CourseOwner, Module, ModuleVersion
from qualify.extensions import db
from qualify.learning import mandatory
from qualify.workshops.models import WorkshopSession, session_trainers

# Looks at the same person's data (their page, a certificate) within this time are one visit in the log.
ONE_LOOK = timedelta(minutes=10)
# The invitation sent after the account was created without one, and each one sent again.
INVITATION_ACTIONS = ("user.invited", "user.invitation")
# As for the administration's reset link (auth.ADMIN_RESET_LINKS_PER_DAY): each click on "send again" was another
# mail in the person's inbox, and every invitation works for two days – a few a day per person are plenty.
INVITATIONS_PER_DAY = 3
INVITATION_DAY = timedelta(hours=24)
SHOWN_SESSIONS = 5  # on the person page; the count says how many more


@dataclass(frozen=True)
class LedSession:
    id: int
    title: str
    language: str  # the course's, in which the title is written
    starts_at: datetime


@dataclass(frozen=True)
class OwnedCourse:
    slug: str
    title: str
    language: str


@dataclass(frozen=True)
class Duties:
    """What someone leads or alone looks after: upcoming sessions (the first few, and how many in all) and the
    courses nobody else active may edit."""

    sessions: list[LedSession]
    session_count: int
    sole_courses: list[OwnedCourse]

    def __bool__(self) -> bool:
        return bool(self.session_count or self.sole_courses)


def invitations_sent(user: User, *, now: datetime) -> list[datetime]:
    """When the invitation went to this person in the last 24 hours, by button or after a corrected address, from
    whichever administrator: oldest first (one statement). The one with a new account is not among them."""
    return list(db.session.scalars(
        select(AuditEvent.created_at).where(AuditEvent.target_type == "User", AuditEvent.target_id == user.id,
                                            AuditEvent.action.in_(INVITATION_ACTIONS),
                                            AuditEvent.created_at >= now - INVITATION_DAY)
        .order_by(AuditEvent.created_at)))


def duties_of(user: User, *, now: datetime) -> Duties:
    """The upcoming sessions the person leads and the courses they are the only active owner of (two
    statements, however many)."""
    title = func.coalesce(ModuleVersion.title, Module.slug)
    led = (select(WorkshopSession.id, title, Course.language, WorkshopSession.starts_at, func.count().over())
           .join(session_trainers, session_trainers.c.session_id == WorkshopSession.id)
           .join(Module, Module.id == WorkshopSession.module_id).join(Course, Course.id == Module.course_id)
           .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
           .where(session_trainers.c.user_id == user.id, WorkshopSession.status == "scheduled",
                  WorkshopSession.starts_at >= now)
           .order_by(WorkshopSession.starts_at, WorkshopSession.id).limit(SHOWN_SESSIONS))
    rows = db.session.execute(led).all()
    other, colleague = aliased(CourseOwner), aliased(User)
    shared = (select(other.id).join(colleague, colleague.id == other.user_id)
              .where(other.course_id == Course.id, other.user_id != user.id, colleague.active.is_(True)))
    sole = (select(Course.slug, Course.title, Course.language).join(CourseOwner, CourseOwner.course_id == Course.id)
            .where(CourseOwner.user_id == user.id, ~shared.exists()).order_by(in_german_order(Course.title)))
    return Duties(sessions=[LedSession(*row[:4]) for row in rows], session_count=rows[0][4] if rows else 0,
                  sole_courses=[OwnedCourse(*row) for row in db.session.execute(sole)])


def entries_of_organisation(organisation_id: int):
    """The condition on audit events an organisation's administration reads: those about the organisation's
    people (as they belong to it now), the organisation itself and its units, mandatory courses for its units
    among them – never another organisation's.

    Of the events carrying an organisation in their column, only the mandatory courses': the others are the
    works council's access log (who looked at reports), which is none of the employer's business."""
    people = select(User.id).where(User.organisation_id == organisation_id)
    units = select(Unit.id).where(Unit.organisation_id == organisation_id)
    return or_(and_(AuditEvent.target_type == "User", AuditEvent.target_id.in_(people)),
               and_(AuditEvent.target_type == "Organisation", AuditEvent.target_id == organisation_id),
               and_(AuditEvent.target_type == "Unit", AuditEvent.target_id.in_(units)),
               and_(AuditEvent.action.in_(mandatory.LOGGED_ACTIONS), AuditEvent.organisation_id == organisation_id))

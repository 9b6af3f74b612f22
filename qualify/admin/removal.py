"""Deleting an organisation (set up by mistake, or gone from the network) or a unit: only once nothing of it is left
that must be kept. Here, above accounts, because what must be kept belongs to the features that build on it:
report figures, mandatory courses, exchange spaces."""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from qualify.accounts import organisations as structure
from qualify.accounts.models import Organisation, PendingImport, Unit, User
from qualify.accounts.organisations import MEMBER
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.core.i18n import quoted
from qualify.courses.models import Course
from qualify.exchange.models import ExchangeSpace
from qualify.extensions import db
from qualify.learning.models import MandatoryAssignment
from qualify.reports.models import ParticipationRollup, UnitHeadcount


class StillInUse(Exception):
    """What still refers to the organisation or unit, each reason a sentence of its own."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _running_courses(units) -> list[str]:
    """The titles of the courses mandatory for these units now (ended ones enrol nobody and go with the unit)."""
    running = select(MandatoryAssignment.course_id).where(MandatoryAssignment.unit_id.in_(units),
                                                          MandatoryAssignment.ended_at.is_(None))
    return list(db.session.scalars(select(Course.title).where(Course.id.in_(running))
                                   .order_by(in_german_order(Course.title), Course.id)))


def _running_courses_problem(units, *, where: str) -> str | None:
    # Whoever it enrolled keeps the course as mandatory, with its deadline, while it runs – also after leaving
    # the unit: deleting it would take that from them unasked.
    courses = _running_courses(units)
    if not courses:
        return None
    return ngettext("Für %(where)s ist der Kurs %(courses)s noch ein Pflichtkurs. Beenden Sie ihn zuerst unter "
                    "„Pflichtkurse“.",
                    "Für %(where)s sind die Kurse %(courses)s noch Pflichtkurse. Beenden Sie sie zuerst unter "
                    "„Pflichtkurse“.", len(courses), where=where, courses=quoted(*courses))


def unit_removal_problem(unit: Unit, *, lock: bool = False) -> str | None:
    """Say why the unit cannot be removed now, or None: people in it, report figures (accounts.organisations), or
    a course that is mandatory for it."""
    if problem := structure.unit_removal_problem(unit, lock=lock):
        return problem
    return _running_courses_problem([unit.id], where=_("die Einheit %(unit)s", unit=quoted(unit.name)))


def remove_unit(unit: Unit, *, actor: User) -> None:
    """Delete a unit nobody belongs to, no report counts and no running mandatory course names; audited."""
    if problem := unit_removal_problem(unit, lock=True):
        raise StillInUse([problem])
    structure.remove_unit(unit, actor=actor)


def organisation_removal_problems(organisation: Organisation, *, lock: bool = False) -> list[str]:
    """Say everything that keeps the organisation from being deleted now, or nothing when it can be.

    People in it would be left without an organisation nobody chose; report figures of past months would lose
    their rows (their foreign keys cascade), changing numbers the works council saw; running mandatory courses
    and exchange spaces only for its people would go with it. Its audit events stay as they are.
    """
    if lock:  # on PostgreSQL, holds off anyone placing a person in it (or a unit) until this transaction ends
        db.session.execute(select(Organisation.id).where(Organisation.id == organisation.id).with_for_update())
    people = select(func.count()).select_from(User).where(User.organisation_id == organisation.id, MEMBER)
    figures = (select(UnitHeadcount.id).where(UnitHeadcount.organisation_id == organisation.id).exists()
               | select(ParticipationRollup.id).where(ParticipationRollup.organisation_id == organisation.id).exists())
    count, counted = db.session.execute(select(people.scalar_subquery(), figures)).one()
    problems = []
    if count:
        problems.append(ngettext(
            "Der Organisation gehört noch %(num)d Person an. Ordnen Sie sie zuerst einer anderen Organisation zu "
            "oder löschen Sie ihr Konto.",
            "Der Organisation gehören noch %(num)d Personen an. Ordnen Sie sie zuerst einer anderen Organisation "
            "zu oder löschen Sie ihre Konten.", count))
    if counted:
        problems.append(_("Für die Organisation gibt es Berichtszahlen früherer Monate. Damit diese Zahlen stimmen, "
                          "bleibt sie; Sie können sie umbenennen."))
    units = select(Unit.id).where(Unit.organisation_id == organisation.id)
    if problem := _running_courses_problem(units, where=_("ihre Einheiten")):
        problems.append(problem)
    spaces = list(db.session.scalars(select(ExchangeSpace.title).where(
        ExchangeSpace.organisation_id == organisation.id).order_by(in_german_order(ExchangeSpace.title))))
    if spaces:
        problems.append(ngettext(
            "Der Austauschraum %(spaces)s ist nur für diese Organisation; mit ihr ginge er samt seinen Beiträgen "
            "verloren.",
            "Die Austauschräume %(spaces)s sind nur für diese Organisation; mit ihr gingen sie samt ihren Beiträgen "
            "verloren.", len(spaces), spaces=quoted(*spaces)))
    return problems


def remove_organisation(organisation: Organisation, *, actor: User) -> None:
    """Delete an organisation and its units once nothing refers to them that must be kept; audited."""
    if problems := organisation_removal_problems(organisation, lock=True):
        raise StillInUse(problems)
    unit_names = list(db.session.scalars(select(Unit.name).where(Unit.organisation_id == organisation.id)
                                         .order_by(in_german_order(Unit.name))))
    audit.record("organisation.removed", actor=actor, target=organisation, name=organisation.name,
                 slug=organisation.slug, units=unit_names)
    # Stand-ins of erased accounts (nobody counts them: MEMBER) may still name it; no counted month has figures
    # of it, or it would stay, so they lose nothing by belonging to none.
    db.session.execute(update(User).where(User.organisation_id == organisation.id)
                       .values(organisation_id=None, unit_id=None).execution_options(synchronize_session=False))
    # Uploads waiting for their confirmation, and the units' ended mandatory courses (and whom they took in).
    db.session.execute(delete(PendingImport).where(PendingImport.organisation_id == organisation.id)
                       .execution_options(synchronize_session=False))
    units = select(Unit.id).where(Unit.organisation_id == organisation.id)
    db.session.execute(delete(MandatoryAssignment).where(MandatoryAssignment.unit_id.in_(units))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(Unit).where(Unit.organisation_id == organisation.id)
                       .execution_options(synchronize_session=False))
    db.session.expire(organisation, ["units"])
    db.session.delete(organisation)
    db.session.flush()

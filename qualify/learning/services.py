"""Enrolment, progress and completion. Functions take what they need and leave the commit to the caller."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, and_, bindparam, cast, delete, exists, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from qualify.accounts.roles import Role
from qualify.core.database import insert_unless_present, run
from qualify.core.time import UTCDateTime
from qualify.courses import catalogue
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.courses.outline import OutlineModule, outline_of
from qualify.extensions import db
from qualify.learning.mandatory import deadline_columns
from qualify.learning.models import (
    Certificate,
    Enrolment,
    MandatoryAssignment,
    MandatoryEnrolment,
    ModuleCompletion,
    WithdrawnCertificate,
)

PARTICIPATION_KINDS = {"workshop", "exchange"}
# How a module was done (ModuleCompletion.via), as the administration's pages and the data export say it.
DONE_VIA_LABELS = {"read": _l("gelesen"), "quiz": _l("Quiz bestanden"), "workshop": _l("Teilnahme am Workshop"),
                   "exchange": _l("Teilnahme am Austausch")}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed from paper


class LearningError(ValueError):
    """A learning action that is not possible; the message is for the learner."""


@cache
def _enrolment_statement():
    return select(Enrolment).where(Enrolment.user_id == bindparam("user_id"),
                                   Enrolment.course_id == bindparam("course_id"))


def get_enrolment(user, course: Course) -> Enrolment | None:
    """Return the user's enrolment in the course, or None."""
    return db.session.scalar(_enrolment_statement(), {"user_id": user.id, "course_id": course.id})


@cache
def _enrolment_state_statement():
    user_id, course_id = bindparam("user_id"), bindparam("course_id")
    # Which of the course's modules the person has done, in the same statement.
    done = (select(func.aggregate_strings(cast(ModuleCompletion.module_id, String), ","))
            .join(Module, Module.id == ModuleCompletion.module_id)
            .where(ModuleCompletion.user_id == user_id, Module.course_id == course_id, Module.archived.is_(False))
            .scalar_subquery())
    certificate = (select(Certificate.code).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
                   .scalar_subquery())
    # From the course, so that a mandatory course the person left still says so, and by when (one row, or none
    # for a course that is gone).
    return (select(Enrolment.id, Enrolment.completed_at, done.label("done_ids"),
                   certificate.label("certificate_code"), *deadline_columns(user_id, course_id))
            .select_from(Course)
            .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == user_id))
            .where(Course.id == course_id))


@dataclass(frozen=True)
class EnrolmentState:
    """The person's enrolment in a course as its page shows it."""

    id: int | None  # None: not enrolled (a mandatory course they left, or any other course)
    completed_at: datetime | None
    done_ids: frozenset[int]  # the course's modules the person has done
    certificate_code: str | None
    mandatory: bool = False  # for the person, by a running assignment to their unit (learning/mandatory.py)
    due_at: datetime | None = None  # the earliest deadline of those, if any

    @property
    def done(self) -> int:
        return len(self.done_ids)

    @property
    def enrolled(self) -> bool:
        return self.id is not None


def enrolment_state(user, course: Course) -> EnrolmentState | None:
    """Return the user's standing in the course – enrolled or not, the modules done, mandatory for them and by
    when – or None for a course that is gone: for the course page (one statement)."""
    row = run(_enrolment_state_statement(), user_id=user.id, course_id=course.id).first()
    if row is None:
        return None
    done = frozenset(int(each) for each in row.done_ids.split(",")) if row.done_ids else frozenset()
    return EnrolmentState(row.id, row.completed_at, done, row.certificate_code, bool(row.mandatory), row.due_at)


def is_open_to(user, course) -> bool:
    """Whether the person can open the course (a plain row of my_learning will do): a course taken back to draft
    stays in their list with its progress, but leads nowhere until it is published again."""
    return course.status == "published" or catalogue.can_edit(user, course)


def enrol(user, course: Course, *, now: datetime, by=None) -> Enrolment:
    """Enrol the user (idempotent); learners only in published courses, admins may enrol anyone."""
    if not course.is_published and not (by is not None and by.has_role(Role.ADMIN)):
        raise LearningError(_("Dieser Kurs ist noch nicht veröffentlicht."))
    existing = get_enrolment(user, course)
    if existing:
        return existing
    enrolment = Enrolment(user_id=user.id, course_id=course.id, enrolled_at=now,
                          enrolled_by_id=getattr(by, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:  # the same person enrolled in another tab a moment ago
        return get_enrolment(user, course)
    # Someone who left and comes back with every module done has completed the course.
    check_course_completion(user, course, now=now)
    return enrolment


def leave(user, course: Course) -> None:
    """End the enrolment; modules already done stay done should the person come back. A completed course is not
    left: its completion date is the certificate's, and leaving took the certificate out of view."""
    stmt = delete(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id,
                                   Enrolment.completed_at.is_(None))
    if db.session.execute(stmt).rowcount == 0 and get_enrolment(user, course) is not None:
        raise LearningError(_("Einen abgeschlossenen Kurs können Sie nicht verlassen: Er bleibt mit seinem "
                              "Zertifikat unter „Mein Lernen“."))


@cache
def _done_statement():
    return (select(ModuleCompletion.module_id).join(Module, Module.id == ModuleCompletion.module_id)
            .where(ModuleCompletion.user_id == bindparam("user_id"),
                   Module.course_id.in_(bindparam("course_ids", expanding=True))))


def completed_module_ids(user, course_ids: list[int]) -> set[int]:
    """Return the ids of the modules the user has done in these courses, in one statement."""
    if not course_ids:
        return set()
    return set(run(_done_statement(), user_id=user.id, course_ids=course_ids).scalars())


def _done_this_request() -> dict | None:
    # What this request has read about modules done, by (user id, module id): the module page's panels
    # (progress, feedback) ask the same question, and the answer cannot change within a page view.
    return request.environ.setdefault("qualify.modules_done", {}) if has_request_context() else None


def remember_done(user, module_id: int, done: bool) -> None:
    """Note for the rest of this request whether the user has done the module."""
    memo = _done_this_request()
    if memo is not None:
        memo[(user.id, module_id)] = done


def known_done(user, module_id: int) -> bool | None:
    """Return what this request already read about the module being done, or None."""
    memo = _done_this_request()
    return None if memo is None else memo.get((user.id, module_id))


def is_module_done(user, module: Module) -> bool:
    """Tell whether the user has done the module (on any version)."""
    stmt = select(func.count()).where(ModuleCompletion.user_id == user.id,
                                      ModuleCompletion.module_id == module.id)
    return bool(db.session.scalar(stmt))


def complete_module(user, module: Module, version: ModuleVersion, *, via: str, now: datetime) -> bool:
    """Record a module as done (once) and complete the course when it was the last; True if newly done."""
    newly_done = insert_unless_present(ModuleCompletion, user_id=user.id, module_id=module.id,
                                       module_version_id=version.id, completed_at=now, via=via)
    if not newly_done:
        return False
    remember_done(user, module.id, True)
    certificate = check_course_completion(user, module.course, now=now)
    if has_request_context():
        request.environ.setdefault("qualify.completed", []).append((user.id, version.title, certificate))
    return True


def completed_in_this_request(user) -> list[str]:
    """Say what the person completed in this request: for pages where taking part finished a module unasked
    (a post in the module's exchange space), which would otherwise go by without a word."""
    said = []
    for user_id, module_title, certificate in request.environ.get("qualify.completed", []):
        if user_id != user.id:
            continue
        said.append(_("Das Modul „%(title)s“ ist damit erledigt.", title=module_title))
        if certificate is not None:
            said.append(_("Sie haben den Kurs „%(course)s“ abgeschlossen. Ihr Zertifikat finden Sie unter „Mein "
                          "Lernen“.", course=certificate.course_title))
    return said


def mark_read(user, module: Module, *, now: datetime) -> bool:
    """Mark a reading module as done; modules with a quiz are done by passing it."""
    version = module.current_version
    if version.kind != "self-study" or version.has_quiz:
        raise LearningError(_("Dieses Modul wird nicht durch Lesen abgeschlossen."))
    return complete_module(user, module, version, via="read", now=now)


def record_participation(user, module: Module, *, via: str, now: datetime) -> bool:
    """Mark a workshop or exchange module as done because the person took part (called by those features)."""
    if via not in PARTICIPATION_KINDS:
        raise ValueError(f"unknown kind of participation: {via}")
    return complete_module(user, module, module.current_version, via=via, now=now)


def withdraw_participation(user, module: Module, *, via: str) -> bool:
    """Undo a module done because the person took part, when that was recorded by mistake.

    Not once the course is complete: its certificate is issued (and may be printed already), which only an
    admin can take back. Return False when the module has to stay done for that reason, else True.
    """
    completion = db.session.scalar(select(ModuleCompletion).where(
        ModuleCompletion.user_id == user.id, ModuleCompletion.module_id == module.id, ModuleCompletion.via == via))
    if completion is None:
        return True  # nothing recorded through taking part: nothing to undo
    enrolment = get_enrolment(user, module.course)
    if enrolment is not None and enrolment.completed_at is not None:
        return False
    db.session.delete(completion)
    remember_done(user, module.id, False)
    return True


def check_course_completion(user, course: Course, *, now: datetime) -> Certificate | None:
    """Complete the enrolment and issue the certificate once every active module is done."""
    enrolment = get_enrolment(user, course)
    if enrolment is None or enrolment.completed_at is not None:
        return None
    required = {module.id for module in outline_of(course).modules}
    if not required or not required <= completed_module_ids(user, [course.id]):  # no modules: nothing done
        return None
    enrolment.completed_at = now
    return issue_certificate(user, course, now=now)


def new_certificate_code() -> str:
    """Return a verification code such as 'QF-7KX2-M9PA' (40 bits of randomness)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"QF-{raw[:4]}-{raw[4:]}"


def issue_certificate(user, course: Course, *, now: datetime) -> Certificate:
    """Issue the certificate of a completed course (once)."""
    for _try in range(5):
        existing = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                               Certificate.course_id == course.id))
        if existing:
            return existing
        certificate = Certificate(code=new_certificate_code(), user_id=user.id, course_id=course.id,
                                  holder_name=user.display_name, course_title=course.title,
                                  duration_minutes=course.duration_minutes, issued_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:  # issued a moment ago by another request, or (rarely) the code was taken
            continue
        return certificate
    raise RuntimeError("could not issue a certificate with a unique code")


@dataclass
class CourseProgress:
    course: Any  # id, slug, title, language, status, updated_at of the course (a plain row)
    # completed_at, mandatory and due_at (mandatory.deadline_columns) of the enrolment, and whether the person is
    # enrolled – not so in a mandatory course they left (the same row)
    enrolment: Any
    done: int
    total: int
    next_module: OutlineModule | None
    certificate: Any  # code of the certificate (a plain row), or None
    withdrawn: Any = None  # the latest withdrawn certificate (code, withdrawn_at, reason) while none is current

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def left(self) -> bool:
        """A mandatory course the person left: listed with its deadline, to be joined again."""
        return not self.enrolment.enrolled


@cache
def _my_courses_statement():
    user_id = bindparam("user_id")
    course = (Course.id, Course.slug, Course.title, Course.language, Course.status, Course.updated_at)
    enrolled = (select(*course, Enrolment.completed_at, literal(True).label("enrolled"),
                       Enrolment.enrolled_at.label("listed_at"), Enrolment.id.label("tiebreak"),
                       *deadline_columns(user_id, Course.id))
                .join(Enrolment, Enrolment.course_id == Course.id).where(Enrolment.user_id == user_id))
    # A mandatory course the person left stays theirs to do, with its deadline and reminder, while its assignment
    # runs (mandatory.py): listed first, as the one that asks for a step.
    mine = (select(MandatoryAssignment.course_id)
            .join(MandatoryEnrolment, MandatoryEnrolment.assignment_id == MandatoryAssignment.id)
            .where(MandatoryEnrolment.user_id == user_id, MandatoryAssignment.ended_at.is_(None)))
    left = (select(*course, literal(None, UTCDateTime).label("completed_at"), literal(False).label("enrolled"),
                   literal(None, UTCDateTime).label("listed_at"), Course.id.label("tiebreak"),
                   *deadline_columns(user_id, Course.id))
            .where(Course.id.in_(mine),
                   ~exists().where(Enrolment.user_id == user_id, Enrolment.course_id == Course.id)))
    rows = union_all(enrolled, left).subquery()
    return select(rows).order_by(rows.c.enrolled, rows.c.listed_at.desc(), rows.c.tiebreak.desc())


@cache
def _my_certificates_statement():
    # The certificates and, in the same statement, the withdrawn ones: the person sees why a course is open again.
    user_id, course_ids = bindparam("user_id"), bindparam("course_ids", expanding=True)
    withdrawn = WithdrawnCertificate
    return union_all(
        select(withdrawn.course_id, withdrawn.code, withdrawn.withdrawn_at, withdrawn.reason)
        .where(withdrawn.user_id == user_id, withdrawn.course_id.in_(course_ids)),
        select(Certificate.course_id, Certificate.code, literal(None, UTCDateTime), literal(None, Text))
        .where(Certificate.user_id == user_id, Certificate.course_id.in_(course_ids)))


def my_learning(user) -> list[CourseProgress]:
    """Return the enrolled courses, and the mandatory ones the person left, with progress and where to continue,
    in three statements.

    The modules come from the cached course outlines; the rest are plain rows (the learner's start page).
    """
    courses = run(_my_courses_statement(), user_id=user.id).all()
    if not courses:
        return []
    course_ids = [course.id for course in courses]
    done = completed_module_ids(user, course_ids)
    certificates, withdrawn = {}, {}
    for row in run(_my_certificates_statement(), user_id=user.id, course_ids=course_ids):
        if row.withdrawn_at is None:
            certificates[row.course_id] = row
        elif row.course_id not in withdrawn or row.withdrawn_at > withdrawn[row.course_id].withdrawn_at:
            withdrawn[row.course_id] = row
    progress = []
    for course in courses:
        modules = outline_of(course).modules
        progress.append(CourseProgress(
            course=course, enrolment=course, done=sum(1 for m in modules if m.id in done), total=len(modules),
            next_module=next((m for m in modules if m.id not in done), None),
            certificate=certificates.get(course.id),
            withdrawn=None if course.id in certificates else withdrawn.get(course.id)))
    return progress


def resume_module(user, course: Course) -> OutlineModule | None:
    """Return the first unfinished module of the course: where the learner picks up."""
    done = completed_module_ids(user, [course.id])
    return next((m for m in outline_of(course).modules if m.id not in done), None)


def normalise_code(code: str) -> str:
    """Read a verification code as typed from paper: "qf wed6 esd4", "QF-WED6ESD4" → "QF-WED6-ESD4"."""
    raw = re.sub(r"[^A-Z0-9]", "", code.upper())
    raw = raw.removeprefix("QF")
    return f"QF-{raw[:4]}-{raw[4:]}" if len(raw) == 8 else code.strip().upper()


def certificate_by_code(code: str) -> Certificate | None:
    """Find a certificate by its verification code, forgiving case, blanks and hyphens."""
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))

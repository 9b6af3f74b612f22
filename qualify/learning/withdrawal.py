"""Taking back a certificate issued by mistake: the course is open again until the person completes it anew.

The typical case: a trainer marked someone present at a workshop who was not there, and the workshop was the
course's last module. Taking "present" back cannot undo a course that is complete (the certificate may be
printed already), so an administrator withdraws the certificate and chooses which modules are open again.
Or the certificate alone goes (issued to the wrong account, say, or for a course whose modules cannot open
again, such as a passed quiz): the course stays complete, without a certificate.
The code stays checkable: whoever verifies it learns that it was withdrawn (never why).
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select

from qualify.accounts.models import User
from qualify.core import audit
from qualify.core.database import contains_text
from qualify.core.i18n import locale_for
from qualify.core.mail import absolute_url, queue_mail
from qualify.courses.models import Course
from qualify.courses.outline import OutlineModule, outline_of
from qualify.exchange.posting import took_part_in_module_space
from qualify.extensions import db
from qualify.learning.models import Certificate, ModuleCompletion, WithdrawnCertificate
from qualify.learning.services import (
    PARTICIPATION_KINDS,
    LearningError,
    get_enrolment,
    normalise_code,
    remember_done,
)
from qualify.workshops.queries import modules_attended

MAX_REASON = 1000
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class DoneModule:
    module: OutlineModule
    via: str  # read | quiz | workshop | exchange
    completed_at: datetime
    present: bool | None = None  # done by taking part: whether the person is still marked present at a session
    posted: bool = False  # an exchange module the person also did by posting in its space

    @property
    def reopenable(self) -> bool:
        """Whether doing the module again means anything.

        Not for a passed quiz (its graded attempt is the record, and the attempt limit may allow no other), nor
        for an exchange module done by posting (the posts count again at the person's next post), nor while the
        person is marked present at a session of it (the trainer's record says they took part: the trainer
        takes it back first, then the module can open again).
        """
        return self.via != "quiz" and not self.posted and not self.present

    @property
    def kept_because(self) -> str:
        """Why a module that is not reopenable stays done, in the reader's language."""
        if self.via == "quiz":
            return _("ein bestandenes Quiz bleibt bestanden")
        if self.posted:
            return _("die Beiträge im Austausch zählen weiter")
        return _("als anwesend eingetragen – erst wenn die Leitung das zurücknimmt, lässt es sich wieder öffnen")

    @property
    def suggested(self) -> bool:
        """Done by taking part, which no longer stands ("present" taken back): the mistake to correct."""
        return self.present is False and not self.posted


def done_modules(certificate: Certificate) -> list[DoneModule]:
    """List the course's modules the holder has done, in the course's order, and how."""
    modules = outline_of(db.session.get(Course, certificate.course_id)).modules
    completions = {row.module_id: row for row in db.session.execute(
        select(ModuleCompletion.module_id, ModuleCompletion.via, ModuleCompletion.completed_at)
        .where(ModuleCompletion.user_id == certificate.user_id,
               ModuleCompletion.module_id.in_([m.id for m in modules])))}
    taking_part = {m.id for m in modules if m.id in completions and completions[m.id].via in PARTICIPATION_KINDS}
    present = modules_attended(certificate.user_id, list(taking_part))
    holder = db.session.get(User, certificate.user_id)
    posted = {m.id for m in modules if m.id in taking_part and completions[m.id].via == "exchange"
              and took_part_in_module_space(holder, m)}
    return [DoneModule(module, completions[module.id].via, completions[module.id].completed_at,
                       present=(module.id in present) if module.id in taking_part else None,
                       posted=module.id in posted)
            for module in modules if module.id in completions]


def withdraw_certificate(certificate: Certificate, *, reason: str, reopen: set[int], by: User,
                         now: datetime) -> WithdrawnCertificate:
    """Withdraw the certificate, open the course again with the chosen modules to do, and tell the holder.

    Without a module to open again (reopen empty), only the certificate goes: the course stays complete, as what
    the person did stays done, and no new certificate is issued for it – the enrolment's completion is what
    issues one (check_course_completion), and it stands.
    """
    reason = reason.strip()
    if not reason:
        raise LearningError(_("Bitte geben Sie einen Grund an; die Person erfährt ihn per E-Mail."))
    done = done_modules(certificate) if reopen else []
    allowed = {d.module.id for d in done if d.reopenable}
    if not reopen <= allowed:
        raise LearningError(_("Diese Module können nicht wieder geöffnet werden."))

    holder = db.session.get(User, certificate.user_id)
    course = db.session.get(Course, certificate.course_id)
    withdrawn = WithdrawnCertificate(
        code=certificate.code, user_id=certificate.user_id, course_id=certificate.course_id,
        holder_name=certificate.holder_name, course_title=certificate.course_title,
        issued_at=certificate.issued_at, withdrawn_at=now, reason=reason[:MAX_REASON])
    db.session.delete(certificate)
    db.session.add(withdrawn)
    enrolment = get_enrolment(holder, course)
    if enrolment is not None and reopen:
        enrolment.completed_at = None
    if reopen:
        db.session.execute(delete(ModuleCompletion).where(ModuleCompletion.user_id == holder.id,
                                                          ModuleCompletion.module_id.in_(reopen)))
    for module_id in reopen:
        remember_done(holder, module_id, False)
    # The reason stays out of the audit log, which every administrator reads: it may say something about the person.
    audit.record("certificate.withdrawn", actor=by, target=holder, code=withdrawn.code, course_id=course.id,
                 reopened=sorted(reopen))
    _tell_holder(holder, withdrawn, course, [d.module for d in done if d.module.id in reopen])
    db.session.flush()
    return withdrawn


def _tell_holder(holder: User, withdrawn: WithdrawnCertificate, course: Course,
                 reopened: list[OutlineModule]) -> None:
    if not holder.active or not holder.email:
        return
    with force_locale(locale_for(holder.language)):
        subject = _("Ihr Zertifikat wurde zurückgezogen: %(course)s", course=withdrawn.course_title)
        body = current_app.jinja_env.get_template("learning/mail/certificate_withdrawn.txt").render(
            holder=holder, withdrawn=withdrawn, modules=reopened,
            url=absolute_url("courses.course", slug=course.slug))
    queue_mail(holder, subject, body)


def withdrawn_by_code(code: str) -> WithdrawnCertificate | None:
    """Find a withdrawn certificate by its verification code, forgiving case, blanks and hyphens."""
    return db.session.scalar(select(WithdrawnCertificate).where(WithdrawnCertificate.code == normalise_code(code)))


def search_certificates(query: str) -> tuple[list[Certificate], list[WithdrawnCertificate]]:
    """Find issued and withdrawn certificates by code, holder's name or e-mail, or course title.

    Without a query: the latest withdrawals, so that an administrator sees what was taken back lately.
    """
    query = query.strip()
    if not query:
        latest = select(WithdrawnCertificate).order_by(WithdrawnCertificate.withdrawn_at.desc()).limit(SEARCH_LIMIT)
        return [], list(db.session.scalars(latest))
    return (_matching(Certificate, Certificate.issued_at, query),
            _matching(WithdrawnCertificate, WithdrawnCertificate.withdrawn_at, query))


def _matching(model, newest_first, query: str) -> list:
    stmt = (select(model).join(User, User.id == model.user_id)
            .where(or_(model.code == normalise_code(query), contains_text(model.code, query),
                       contains_text(model.holder_name, query),
                       contains_text(User.email, query), contains_text(model.course_title, query)))
            .order_by(newest_first.desc()).limit(SEARCH_LIMIT))
    return list(db.session.scalars(stmt))

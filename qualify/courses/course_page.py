"""The course editor's page, and the one way a form of the authoring pages makes its change: valid, changed,
committed – or refused, rolled back and shown again as it was sent, with the reasons at their fields.

Shared by the views of the course editor (authoring_views) and of its question banks (bank_views).
"""

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from qualify.core.time import utcnow
from qualify.courses import authoring, catalogue, drafts, owners, structure
from qualify.courses.authoring_forms import (
    ConfirmForm,
    MediaForm,
    NewBankForm,
    NewModuleForm,
    OwnerForm,
    RenameBanksForm,
    StatusForm,
)
from qualify.courses.editing import source_form
from qualify.courses.models import Course, Module
from qualify.extensions import db
from qualify.learning.models import Enrolment
from qualify.workshops.models import ACTIVE_STATUSES, Booking, WorkshopSession


def _learners_affected(course: Course) -> dict[str, int]:
    """Who would lose the course if it went back to draft: people still learning it, and booked seats to come."""
    learning = select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id,
                                                                 Enrolment.completed_at.is_(None))
    seats = (select(func.count()).select_from(Booking).join(WorkshopSession).join(Module)
             .where(Module.course_id == course.id, Booking.status.in_(ACTIVE_STATUSES),
                    WorkshopSession.status == "scheduled", WorkshopSession.starts_at > utcnow()))
    return {"learning": db.session.scalar(learning), "seats": db.session.scalar(seats)}


def course_page(course: Course, **shown):
    """Render the course editor; `shown` replaces the blank forms and adds problems or a preview."""
    if course.is_published:
        shown.setdefault("affected", _learners_affected(course))
    forms = {"source_form": source_form(course.source), "module_form": NewModuleForm(formdata=None),
             "media_form": MediaForm(formdata=None), "bank_form": NewBankForm(formdata=None),
             "owner_form": OwnerForm(formdata=None)}
    files = authoring.file_list(course)
    misnamed = structure.misnamed_banks([f.path for f in files])
    shown["rename_form"] = _rename_form(misnamed, shown.get("rename_form"))
    return render_template("authoring/course.html", course=course, owners=owners.course_owners(course),
                           media=[f for f in files if f.path.startswith(authoring.MEDIA_FOLDER)],
                           banks=[f for f in files if f.path.startswith(authoring.BANK_FOLDER)],
                           misnamed={bank.path for bank in misnamed},
                           status_form=StatusForm(formdata=None), draft_ids=drafts.modules_with_drafts(course),
                           confirm=ConfirmForm(formdata=None), **{**forms, **shown})


def _rename_form(misnamed: list, form: RenameBanksForm | None = None) -> RenameBanksForm:
    """The form renaming the misnamed banks, each new name filled in with the one suggested (or as typed), its
    label naming the bank and its hint saying what is wrong with the name it has."""
    if form is None:
        form = RenameBanksForm(formdata=None, banks=[{"old": bank.path, "new": bank.suggestion} for bank in misnamed])
    problems = {bank.path: bank.problem for bank in misnamed}
    for entry in form.banks:
        old = entry.form.old.data or ""
        entry.form.new.label.text = _("Neuer Name für „%(path)s“", path=old)
        entry.form.new.description = problems.get(old, "")
    return form


def problem_text(problem, name: str) -> str:
    """A problem in a message about one file: its line in that file, file and line in another."""
    if problem.file == name:
        return _("Zeile %(line)d: %(message)s", line=problem.line, message=problem.message)
    return _("%(file)s, Zeile %(line)d: %(message)s", file=problem.file, line=problem.line, message=problem.message)


def _with_way_out(problem, text: str) -> str:
    """A problem said in a form of the course page; a bank's name the loader no longer takes – which refuses any
    change of the course – with the form on this page that mends it."""
    if not structure.is_misnamed_bank(problem):
        return text
    return _("%(problem)s Benennen Sie die Fragensammlung zuerst um, unter „Fragensammlungen umbenennen“ auf "
             "dieser Seite.", problem=text)


def form_change(form, *, change, done, page, error_at, refused_at=None,
                said=lambda problem: problem_text(problem, "")):
    """Make the change a form asks for: when the form is valid, `change()`, commit, and answer with
    `done(result)`. Otherwise answer with `page()`, which shows the form as it was sent: invalid, or the change
    refused – which leaves nothing behind –, with the reason: the domain's (AuthoringError) at the field
    `error_at(error)`, the loader's problems at the field `refused_at`, each as `said(problem)` says it (either
    above the form where no field is given)."""
    if form.validate_on_submit():
        try:
            result = change()
        except authoring.AuthoringError as error:
            _undo(error_at(error), form).append(str(error))
        except authoring.Refused as refused:
            _undo(refused_at, form).extend(_with_way_out(problem, said(problem)) for problem in refused.problems)
        else:
            db.session.commit()
            return done(result)
    return page()


def course_form(course: Course, form, *, shown_as: str, change, **how):
    """Make the change a form of the course page asks for (form_change, `how` its other arguments but `page`);
    where it is not made, the course page shows the form (`shown_as`) as it was sent. `course`: as
    catalogue.course_with_outline loads it."""
    slug = course.slug
    tried = []

    def changed():
        tried.append(True)
        return change()

    def page():
        # A refused change was rolled back, which let go of what was loaded: read again, as the course page reads
        # it. An invalid form changed nothing: the course is shown as it was loaded.
        return course_page(catalogue.course_with_outline(slug) if tried else course, **{shown_as: form})

    return form_change(form, change=changed, page=page, **how)


def _undo(field, form) -> list[str]:
    """Roll back what a refused change began (and the course's turn it took: the page is rendered without it);
    return where to say why – the field's errors, or the form's own."""
    db.session.rollback()
    return field.errors if field is not None else form.form_errors


def go_on(message: str, url: str):
    """Say that it is done, and go on to `url`."""
    flash(message, "success")
    return redirect(url)

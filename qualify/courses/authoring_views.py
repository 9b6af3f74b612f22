"""Authoring: trainers edit the files of their courses in the browser; every save goes through the loader.

The course editor is here; the module editor is in module_views, the changes to a course's shape in
structure_views. All are registered on this blueprint, whose check that the person may edit the course they share.
"""

import io
from functools import wraps

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from qualify.accounts.roles import Role
from qualify.core.security import role_required
from qualify.core.text import spelt_out
from qualify.core.time import utcnow
from qualify.courses import authoring, catalogue, drafts, module_views, structure, structure_views
from qualify.courses.authoring_forms import (
    ConfirmForm,
    MediaForm,
    NewBankForm,
    NewCourseForm,
    NewModuleForm,
    OwnerForm,
    RenameBanksForm,
    StatusForm,
)
from qualify.courses.editing import preview_file, save_file, source_form
from qualify.courses.loader import bank_slug
from qualify.courses.models import STATUSES, Course, Module
from qualify.extensions import db
from qualify.learning.models import Enrolment
from qualify.workshops.models import ACTIVE_STATUSES, Booking, WorkshopSession

bp = Blueprint("authoring", __name__, url_prefix="/autoren")
EDITORS = (Role.TRAINER, Role.ADMIN)
STARTER_BANK = "// Fragensammlung im GIFT-Format: eine Frage je Absatz.\n"
PREVIEWS = ("authoring.preview_course", "authoring.preview_module", "authoring.preview_bank")


def _course(slug: str) -> Course:
    course = catalogue.course_with_outline(slug)
    if course is None or not catalogue.can_edit(current_user, course):
        abort(404)
    return course


def _bank_path(course: Course, name: str) -> str:
    path = authoring.BANK_FOLDER + name
    if not authoring.BANK_NAME.match(name) or authoring.stored_file(course, path) is None:
        abort(404)
    return path


def _learners_affected(course: Course) -> dict[str, int]:
    """Who would lose the course if it went back to draft: people still learning it, and booked seats to come."""
    learning = select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id,
                                                                 Enrolment.completed_at.is_(None))
    seats = (select(func.count()).select_from(Booking).join(WorkshopSession).join(Module)
             .where(Module.course_id == course.id, Booking.status.in_(ACTIVE_STATUSES),
                    WorkshopSession.status == "scheduled", WorkshopSession.starts_at > utcnow()))
    return {"learning": db.session.scalar(learning), "seats": db.session.scalar(seats)}


def _course_page(course: Course, **shown):
    """Render the course editor; `shown` replaces the blank forms and adds problems or a preview."""
    if course.is_published:
        shown.setdefault("affected", _learners_affected(course))
    forms = {"source_form": source_form(course.source), "module_form": NewModuleForm(formdata=None),
             "media_form": MediaForm(formdata=None), "bank_form": NewBankForm(formdata=None),
             "owner_form": OwnerForm(formdata=None)}
    files = authoring.file_list(course)
    misnamed = structure.misnamed_banks([f.path for f in files])
    shown["rename_form"] = _rename_form(misnamed, shown.get("rename_form"))
    return render_template("authoring/course.html", course=course, owners=authoring.course_owners(course),
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


def _bank_page(course: Course, path: str, **shown):
    shown.setdefault("source_form", source_form(authoring.text_of(course, path)))
    return render_template("authoring/bank.html", course=course, path=path, **shown)


@bp.after_request
def _signed_out_preview(response):
    """A preview asked for after the sign-in ended (signed out in another tab, the session over): authoring.js
    shows only a successful answer in the preview pane, so the answer is the fragment that says so – in the
    words of a save sent signed out – instead of "try again", which cannot help."""
    if request.endpoint not in PREVIEWS or request.headers.get("X-Requested-With") != "authoring.js" \
            or current_user.is_authenticated:
        return response
    editor = request.path.removesuffix("/vorschau")
    fragment = render_template("authoring/_signed_out.html", sign_in_url=url_for("accounts.login", next=editor))
    return make_response(fragment, 200, {"Cache-Control": "no-store"})


@bp.app_template_filter("version_note")
def version_note(note: str) -> str:
    """A version's note in the reader's language where Qualify wrote it ("Neues Modul")."""
    return authoring.note_text(note or "")


@bp.get("/hilfe", endpoint="help")
@role_required(*EDITORS)
def help_page():
    """The guide to the course format (docs/authoring.md), in the reader's language."""
    language = "en" if str(get_locale()).startswith("en") else "de"
    return render_template("authoring/help.html", guide=authoring.guide(language))


def _problem_text(problem, name: str) -> str:
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


def _course_form(course: Course, form, *, shown_as: str, change, done, error_at, refused_at=None,
                 said=lambda problem: _problem_text(problem, "")):
    """Make the change a form of the course page asks for: when the form is valid, `change()`, commit, and answer
    with `done(result)`. A change refused leaves nothing behind, and the page shows the form (`shown_as`) as it
    was sent, with the reason: the domain's (AuthoringError) at the field `error_at(error)`, the loader's problems
    at the field `refused_at`, each as `said(problem)` says it (either above the form where no field is given)."""
    slug = course.slug
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
        # Read again, as the course page reads it: the rollback let go of what was loaded.
        course = catalogue.course_with_outline(slug)
    return _course_page(course, **{shown_as: form})


def _undo(field, form) -> list[str]:
    """Roll back what a refused change began (and the course's turn it took: the page is rendered without it);
    return where to say why – the field's errors, or the form's own."""
    db.session.rollback()
    return field.errors if field is not None else form.form_errors


def _done(message: str, url: str):
    """Say that it is done, and go on to `url`."""
    flash(message, "success")
    return redirect(url)


@bp.route("/", methods=["GET", "POST"])
@role_required(*EDITORS)
def index():
    """List the courses the person may edit, and create a new one."""
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = authoring.create_course(form.slug.data, form.title.data, form.summary.data or "",
                                             actor=current_user, language=form.language.data)
        except authoring.AuthoringError as error:
            form.slug.errors.append(str(error))
        except authoring.Refused as refused:
            form.title.errors.extend(problem.message for problem in refused.problems)
        else:
            db.session.commit()
            flash(_("Der Kurs ist als Entwurf angelegt."), "success")
            return redirect(url_for("authoring.course", slug=course.slug))
    courses = authoring.editable_courses(current_user)
    return render_template("authoring/index.html", courses=courses, form=form,
                           module_counts=catalogue.module_counts([c.id for c in courses]))


@bp.get("/<slug>")
@role_required(*EDITORS)
def course(slug: str):
    """Show the course editor: course.md, modules, media, question banks, status and owners."""
    return _course_page(_course(slug))


@bp.post("/<slug>")
@role_required(*EDITORS)
def save_course(slug: str):
    """Save the text of course.md."""
    course = _course(slug)
    return save_file(course, authoring.COURSE_FILE, lambda **shown: _course_page(course, **shown),
                 url_for("authoring.course", slug=slug))


@bp.post("/<slug>/vorschau")
@role_required(*EDITORS)
def preview_course(slug: str):
    """Preview the typed text of course.md."""
    course = _course(slug)
    return preview_file(course, authoring.COURSE_FILE, lambda **shown: _course_page(course, **shown))


@bp.post("/<slug>/status")
@role_required(*EDITORS)
def set_status(slug: str):
    """Publish the course or take it back to draft."""
    course = _course(slug)
    form = StatusForm()
    if not form.validate_on_submit() or form.status.data not in STATUSES:
        abort(400)
    try:
        authoring.set_status(course, form.status.data, actor=current_user)
    except authoring.Refused as refused:
        # Said as what stopped the publishing, not in the editor's "nothing saved, line 5" words: nothing
        # was typed here, a button was pressed.
        db.session.rollback()
        for problem in refused.problems:
            flash(_("Nicht veröffentlicht: %(reason)s", reason=problem.message), "error")
        return redirect(url_for("authoring.course", slug=slug))
    db.session.commit()
    flash(_("Der Kurs ist veröffentlicht.") if course.is_published else _("Der Kurs ist wieder ein Entwurf."),
          "success")
    return redirect(url_for("authoring.course", slug=slug))


@bp.get("/<slug>/export.zip")
@role_required(*EDITORS)
def export(slug: str):
    """Download the course folder as a ZIP file for `qualify courses import`."""
    course = _course(slug)
    return send_file(io.BytesIO(authoring.export_zip(course)), mimetype="application/zip", as_attachment=True,
                     download_name=f"{course.slug}.zip")


@bp.post("/<slug>/module")
@role_required(*EDITORS)
def add_module(slug: str):
    """Add a module with starter text for its kind."""
    course = _course(slug)
    form = NewModuleForm()
    return _course_form(
        course, form, shown_as="module_form",
        change=lambda: authoring.add_module(course, form.number.data, form.slug.data, form.title.data,
                                            form.kind.data, actor=current_user),
        done=lambda module: _done(_("Das Modul ist angelegt. Schreiben Sie jetzt den Inhalt."),
                                  url_for("authoring.module", slug=slug, module_slug=module.slug)),
        error_at=lambda _error: form.slug, refused_at=form.number, said=lambda problem: problem.message)


@bp.post("/<slug>/medien")
@role_required(*EDITORS)
def upload_media(slug: str):
    """Upload an image or PDF into medien/."""
    course = _course(slug)
    form = MediaForm()
    name = secure_filename(spelt_out(form.file.data.filename or "")).lower() if form.file.data else ""
    return _course_form(
        course, form, shown_as="media_form",
        change=lambda: authoring.upload_media(course, name, form.file.data.read(), actor=current_user,
                                              replace=form.replace.data),
        done=lambda path: _done(_("Hochgeladen. Verlinken mit [Titel des Dokuments](%(path)s)", path=path)
                                if path.endswith(".pdf") else  # a document is linked, an image shown
                                _("Hochgeladen. Einbinden mit ![Beschreibung](%(path)s)", path=path),
                                url_for("authoring.course", slug=slug) + "#medien"),
        error_at=lambda _error: form.file, refused_at=form.file,
        said=lambda problem: _problem_text(problem, authoring.MEDIA_FOLDER + name))


@bp.post("/<slug>/medien/loeschen")
@role_required(*EDITORS)
def delete_media(slug: str):
    """Delete an image or PDF that no text of the course uses any more."""
    course = _course(slug)
    if ConfirmForm().validate_on_submit():
        path = request.form.get("path", "")
        try:
            authoring.delete_media(course, path, actor=current_user)
        except authoring.AuthoringError as error:
            flash(str(error), "error")
        except authoring.Refused as refused:
            flash(_("„%(path)s“ wird noch verwendet und bleibt: %(where)s", path=path,
                    where=structure_views.where_refused(refused, path)), "error")
        else:
            db.session.commit()
            flash(_("„%(path)s“ ist gelöscht.", path=path), "success")
    return redirect(url_for("authoring.course", slug=slug) + "#medien")


def _bank_name_of_file(filename: str) -> str:
    """Make a question bank's name of an uploaded file's name: "Mein Pool.GIFT" → "mein-pool.gift"."""
    stem = bank_slug(filename.rsplit(".", 1)[0])
    return f"{stem}.gift" if stem else ""


def _bank_name(form: NewBankForm) -> str:
    """Name the new question bank as typed, else after the uploaded file; AuthoringError when neither gives one."""
    typed = (form.name.data or "").strip().lower()
    if typed:
        return typed if typed.endswith(".gift") else f"{typed.rsplit('.', 1)[0]}.gift"
    upload = form.file.data
    if upload is None:
        raise authoring.AuthoringError(_("Wählen Sie eine GIFT-Datei aus, oder geben Sie einen Namen ein, um eine "
                                         "leere Fragensammlung anzulegen."))
    name = _bank_name_of_file(upload.filename or "")
    if not authoring.BANK_NAME.match(name):
        raise authoring.AuthoringError(_("Aus dem Dateinamen „%(file)s“ lässt sich kein Name für die "
                                         "Fragensammlung machen. Geben Sie einen Namen ein: a–z, 0–9 und "
                                         "Bindestriche, Endung .gift.", file=upload.filename))
    return name


def _create_bank(course: Course, form: NewBankForm) -> str:
    """Create the question bank the form asks for: from the uploaded file, or empty."""
    upload = form.file.data
    data = upload.read() if upload else STARTER_BANK.encode("utf-8")
    return authoring.create_bank(course, _bank_name(form), data, actor=current_user)


@bp.post("/<slug>/fragen")
@role_required(*EDITORS)
def add_bank(slug: str):
    """Create a question bank in fragen/, empty or from an uploaded GIFT file (named after it unless named)."""
    course = _course(slug)
    form = NewBankForm()
    return _course_form(
        course, form, shown_as="bank_form", change=lambda: _create_bank(course, form),
        done=lambda path: redirect(url_for("authoring.bank", slug=slug,
                                           name=path.removeprefix(authoring.BANK_FOLDER))),
        error_at=lambda _error: form.name, refused_at=form.file,
        # Refused by the loader: the bank had its name by then, which _bank_name gives again.
        said=lambda problem: _problem_text(problem, authoring.BANK_FOLDER + _bank_name(form)))


def _new_name_of(form: RenameBanksForm, error: authoring.AuthoringError):
    """The field of the new name that the error is about (structure.BankNameRefused); None for another error."""
    path = getattr(error, "path", None)
    return next((entry.form.new for entry in form.banks if entry.form.old.data == path), None)


@bp.post("/<slug>/fragen/umbenennen")
@role_required(*EDITORS)
def rename_banks(slug: str):
    """Rename the question banks whose names Qualify no longer takes, and the `questions:` naming them."""
    course = _course(slug)
    form = RenameBanksForm()
    return _course_form(
        course, form, shown_as="rename_form",
        change=lambda: structure.rename_banks(
            course, {entry.form.old.data: entry.form.new.data for entry in form.banks}, actor=current_user),
        done=lambda _versions: _done(_("Umbenannt. Module, die daraus Fragen ziehen, nennen die neuen Namen."),
                                     url_for("authoring.course", slug=slug) + "#fragen"),
        error_at=lambda error: _new_name_of(form, error))


@bp.get("/<slug>/fragen/<name>")
@role_required(*EDITORS)
def bank(slug: str, name: str):
    """Show the editor for a question bank."""
    course = _course(slug)
    return _bank_page(course, _bank_path(course, name))


@bp.post("/<slug>/fragen/<name>")
@role_required(*EDITORS)
def save_bank(slug: str, name: str):
    """Save a question bank; modules drawing from it get new versions."""
    course = _course(slug)
    path = _bank_path(course, name)
    return save_file(course, path, lambda **shown: _bank_page(course, path, **shown),
                 url_for("authoring.bank", slug=slug, name=name))


@bp.post("/<slug>/fragen/<name>/vorschau")
@role_required(*EDITORS)
def preview_bank(slug: str, name: str):
    """Preview the typed text of a question bank: its questions as the module editor's preview shows a quiz."""
    course = _course(slug)
    path = _bank_path(course, name)
    return preview_file(course, path, lambda **shown: _bank_page(course, path, **shown))


@bp.post("/<slug>/besitzer")
@role_required(Role.ADMIN)
def add_owner(slug: str):
    """Let another trainer edit the course."""
    course = _course(slug)
    form = OwnerForm()
    if form.validate_on_submit():
        try:
            user = authoring.add_owner(course, form.email.data, actor=current_user)
        except authoring.AuthoringError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s kann den Kurs jetzt bearbeiten.", name=user.display_name), "success")
            return redirect(url_for("authoring.course", slug=slug) + "#verantwortliche")
    return _course_page(course, owner_form=form)


@bp.post("/<slug>/besitzer/<int:user_id>/entfernen")
@role_required(Role.ADMIN)
def remove_owner(slug: str, user_id: int):
    """Take away a trainer's right to edit the course."""
    course = _course(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    authoring.remove_owner(course, user_id, actor=current_user)
    db.session.commit()
    flash(_("Entfernt."), "success")
    return redirect(url_for("authoring.course", slug=slug) + "#verantwortliche")


def _with_editable_course(view):
    """Register a view that takes the course (which the person may edit) in place of its slug."""
    @role_required(*EDITORS)
    @wraps(view)
    def course_view(slug: str, **values):
        return view(_course(slug), **values)
    return course_view


for _rule, _view, _methods in structure_views.ROUTES + module_views.ROUTES:
    bp.add_url_rule(_rule, _view.__name__, _with_editable_course(_view), methods=list(_methods))

"""Authoring: trainers edit the files of their courses in the browser; every save goes through the loader.

The course editor is here (its page and the way its forms make changes in course_page); the module editor is in
module_views, the question banks' views in bank_views, the changes to a course's shape in structure_views. All are
registered on this blueprint, whose check that the person may edit the course they share.
"""

import io
from functools import wraps

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from qualify.accounts.roles import Role
from qualify.core.security import role_required
from qualify.core.text import spelt_out
from qualify.courses import (
    authoring,
    authoring_preview,
    bank_views,
    catalogue,
    course_files,
    module_versions,
    module_views,
    owners,
    starters,
    structure_views,
)
from qualify.courses.authoring_forms import ConfirmForm, MediaForm, NewCourseForm, NewModuleForm, OwnerForm, StatusForm
from qualify.courses.course_page import course_form, course_page, form_change, go_on, problem_text
from qualify.courses.editing import preview_file, save_file
from qualify.courses.models import STATUSES, Course
from qualify.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/autoren")
EDITORS = (Role.TRAINER, Role.ADMIN)
PREVIEWS = ("authoring.preview_course", "authoring.preview_module", "authoring.preview_bank",
            "authoring.preview_mended")


def _course(slug: str) -> Course:
    course = catalogue.course_with_outline(slug)
    if course is None or not catalogue.can_edit(current_user, course):
        abort(404)
    return course


@bp.after_request
def _signed_out_preview(response):
    """A preview asked for after the sign-in ended (signed out in another tab, the session over): authoring.js
    shows only a successful answer in the preview pane, so the answer is the fragment that says so – in the
    words of a save sent signed out – instead of "try again", which cannot help."""
    if request.endpoint not in PREVIEWS or request.headers.get("X-Requested-With") != "authoring.js" \
            or current_user.is_authenticated:
        return response
    editor = request.path.removesuffix("/vorschau")
    if request.endpoint == "authoring.preview_mended":  # a removed module's editor is opened from the course page
        editor = url_for("authoring.course", slug=request.view_args["slug"])
    fragment = render_template("authoring/_signed_out.html", sign_in_url=url_for("accounts.login", next=editor))
    return make_response(fragment, 200, {"Cache-Control": "no-store"})


@bp.app_template_filter("version_note")
def version_note(note: str) -> str:
    """A version's note in the reader's language where Qualify wrote it ("Neues Modul")."""
    return module_versions.note_text(note or "")


@bp.get("/hilfe", endpoint="help")
@role_required(*EDITORS)
def help_page():
    """The guide to the course format (docs/authoring.md), in the reader's language."""
    language = "en" if str(get_locale()).startswith("en") else "de"
    return render_template("authoring/help.html", guide=authoring_preview.guide(language))


@bp.route("/", methods=["GET", "POST"])
@role_required(*EDITORS)
def index():
    """List the courses the person may edit, and create a new one."""
    form = NewCourseForm()
    return form_change(
        form, change=lambda: starters.create_course(form.slug.data, form.title.data, form.summary.data or "",
                                                    actor=current_user, language=form.language.data),
        done=lambda course: go_on(_("Der Kurs ist als Entwurf angelegt."),
                                  url_for("authoring.course", slug=course.slug)),
        page=lambda: _index_page(form),
        error_at=lambda _error: form.slug, refused_at=form.title, said=lambda problem: problem.message)


def _index_page(form: NewCourseForm):
    courses = authoring.editable_courses(current_user)
    return render_template("authoring/index.html", courses=courses, form=form,
                           module_counts=catalogue.module_counts([c.id for c in courses]))


@bp.get("/<slug>")
@role_required(*EDITORS)
def course(slug: str):
    """Show the course editor: course.md, modules, media, question banks, status and owners."""
    return course_page(_course(slug))


@bp.post("/<slug>")
@role_required(*EDITORS)
def save_course(slug: str):
    """Save the text of course.md."""
    course = _course(slug)
    return save_file(course, authoring.COURSE_FILE, lambda **shown: course_page(course, **shown),
                 url_for("authoring.course", slug=slug))


@bp.post("/<slug>/vorschau")
@role_required(*EDITORS)
def preview_course(slug: str):
    """Preview the typed text of course.md."""
    course = _course(slug)
    return preview_file(course, authoring.COURSE_FILE, lambda **shown: course_page(course, **shown))


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
    return course_form(
        course, form, shown_as="module_form",
        change=lambda: starters.add_module(course, form.number.data, form.slug.data, form.title.data,
                                           form.kind.data, actor=current_user),
        done=lambda module: go_on(_("Das Modul ist angelegt. Schreiben Sie jetzt den Inhalt."),
                                  url_for("authoring.module", slug=slug, module_slug=module.slug)),
        error_at=lambda _error: form.slug, refused_at=form.number, said=lambda problem: problem.message)


@bp.post("/<slug>/medien")
@role_required(*EDITORS)
def upload_media(slug: str):
    """Upload an image or PDF into medien/."""
    course = _course(slug)
    form = MediaForm()
    name = secure_filename(spelt_out(form.file.data.filename or "")).lower() if form.file.data else ""
    return course_form(
        course, form, shown_as="media_form",
        change=lambda: course_files.upload_media(course, name, form.file.data.read(), actor=current_user,
                                                 replace=form.replace.data),
        done=lambda path: go_on(_("Hochgeladen. Verlinken mit [Titel des Dokuments](%(path)s)", path=path)
                                if path.endswith(".pdf") else  # a document is linked, an image shown
                                _("Hochgeladen. Einbinden mit ![Beschreibung](%(path)s)", path=path),
                                url_for("authoring.course", slug=slug) + "#medien"),
        error_at=lambda _error: form.file, refused_at=form.file,
        said=lambda problem: problem_text(problem, authoring.MEDIA_FOLDER + name))


@bp.post("/<slug>/medien/loeschen")
@role_required(*EDITORS)
def delete_media(slug: str):
    """Delete an image or PDF that no text of the course uses any more."""
    course = _course(slug)
    if ConfirmForm().validate_on_submit():
        path = request.form.get("path", "")
        try:
            course_files.delete_media(course, path, actor=current_user)
        except authoring.AuthoringError as error:
            flash(str(error), "error")
        except authoring.Refused as refused:
            flash(_("„%(path)s“ wird noch verwendet und bleibt: %(where)s", path=path,
                    where=structure_views.where_refused(refused, path)), "error")
        else:
            db.session.commit()
            flash(_("„%(path)s“ ist gelöscht.", path=path), "success")
    return redirect(url_for("authoring.course", slug=slug) + "#medien")


@bp.post("/<slug>/besitzer")
@role_required(Role.ADMIN)
def add_owner(slug: str):
    """Let another trainer edit the course."""
    course = _course(slug)
    form = OwnerForm()
    return course_form(
        course, form, shown_as="owner_form",
        change=lambda: owners.add_owner(course, form.email.data, actor=current_user),
        done=lambda user: go_on(_("%(name)s kann den Kurs jetzt bearbeiten.", name=user.display_name),
                                url_for("authoring.course", slug=slug) + "#verantwortliche"),
        error_at=lambda _error: form.email)


@bp.post("/<slug>/besitzer/<int:user_id>/entfernen")
@role_required(Role.ADMIN)
def remove_owner(slug: str, user_id: int):
    """Take away a trainer's right to edit the course."""
    course = _course(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    owners.remove_owner(course, user_id, actor=current_user)
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


for _rule, _view, _methods in structure_views.ROUTES + module_views.ROUTES + bank_views.ROUTES:
    bp.add_url_rule(_rule, _view.__name__, _with_editable_course(_view), methods=list(_methods))

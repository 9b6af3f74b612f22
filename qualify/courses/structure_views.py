"""Views that change the shape of a course – and the editor of a removed module's text, to bring it back mended –:
registered on the authoring blueprint (see its ROUTES there)."""

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from qualify.courses import authoring, authoring_preview, drafts, structure
from qualify.courses.authoring_forms import ConfirmForm
from qualify.courses.editing import preview_file, save_file, source_form, with_ways_out
from qualify.courses.models import Course, Module
from qualify.courses.quiz_size import saved_quiz_size
from qualify.extensions import db


def _module_of(course: Course, module_slug: str) -> Module:
    """The module, removed ones included (they can be brought back)."""
    stmt = select(Module).where(Module.course_id == course.id, Module.slug == module_slug)
    return db.session.scalar(stmt) or abort(404)


def where_refused(refused: authoring.Refused, target: str = "") -> str:
    """The loader's problems in one line for a message: file, line and what is wrong – or, for a problem with a
    link or reference to the file being removed (`target`), only where it stands: that file is still in use,
    not missing."""
    return "; ".join(_("%(file)s, Zeile %(line)d", file=p.file, line=p.line) if target and p.target == target
                     else _("%(file)s, Zeile %(line)d: %(message)s", file=p.file, line=p.line, message=p.message)
                     for p in refused.problems)


def _changed(course: Course, change, done: str, refused_as: str, target: str = ""):
    """Apply a change when the confirmation form is valid; say what happened; back to the course's modules.
    `target`: the file the change removes, which the refusal names the places of."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change()
    except authoring.AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
    except authoring.Refused as refused:
        db.session.rollback()
        flash(refused_as + " " + where_refused(refused, target), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("authoring.course", slug=course.slug))  # the message heads the page: no jump past it


def move_module(course: Course, module_slug: str):
    """Move a module one place up or down, from the place the page showed it at."""
    module = _module_of(course, module_slug)
    step = -1 if request.form.get("direction") == "up" else 1
    seen_at = request.form.get("position", type=int)
    return _changed(course, lambda: structure.move_module(course, module, step, actor=current_user, seen_at=seen_at),
                    _("„%(title)s“ ist verschoben.", title=module.current_version.title),
                    _("Das Verschieben geht so nicht, weil ein Text auf den Dateinamen verweist:"))


def remove_module(course: Course, module_slug: str):
    """Take a module out of the course; learners keep what they did in it."""
    module = _module_of(course, module_slug)
    return _changed(course, lambda: structure.remove_module(course, module, actor=current_user),
                    _("„%(title)s“ ist aus dem Kurs genommen. Unter „Entfernte Module“ können Sie es "
                      "zurückholen.", title=module.current_version.title),
                    _("Das Modul bleibt, weil ein Text noch darauf verweist:"), target=module.file_name)


def restore_module(course: Course, module_slug: str):
    """Bring a removed module back at the end of the course (or in a gap when the last module has number 99).
    When its text no longer checks (a file it links to deleted since), open it in an editor, with the problems,
    to mend it and bring it back with the mended text."""
    module = _module_of(course, module_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        structure.restore_module(course, module, actor=current_user)
    except authoring.AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
    except authoring.Refused as refused:
        db.session.rollback()
        name = _back_as(course, module)
        text = module.current_version.source
        return _mend_page(course, module, name=name, problems=with_ways_out(course, refused.problems),
                          lines=authoring_preview.marked_lines(text, refused.problems, name))
    else:
        db.session.commit()
        flash(_restored(module), "success")
    return redirect(url_for("authoring.course", slug=course.slug))


def _restored(module: Module, _versions=()) -> str:
    return _("„%(title)s“ ist wieder im Kurs. Mit ↑ und ↓ verschieben Sie es an seinen Platz.",
             title=module.current_version.title)


def _mend_page(course: Course, module: Module, *, name: str, **shown):
    """The editor of a removed module's text, which comes back as `name` with the text saved from it – and with
    the module's draft from before it was removed, if it has one, which that drops (structure.restore_mended)."""
    shown.setdefault("source_form", source_form(module.current_version.source))
    shown.setdefault("size", saved_quiz_size(module.current_version))
    shown["source_form"].submit.label.text = _("Speichern und zurückholen")
    draft = drafts.draft_with_author(module) if module.archived else None
    return render_template("authoring/restore_module.html", course=course, module=module, name=name, draft=draft,
                           **shown)


def _back_as(course: Course, module: Module) -> str:
    """The file a removed module comes back as (a module back already: its file). With no number free for it,
    its old file name: bringing it back then says why it cannot be, the typed text kept."""
    if not module.archived:
        return module.file_name
    try:
        return structure.restored_file_name(course, module)
    except authoring.AuthoringError:
        return module.file_name


def restore_mended(course: Course, module_slug: str):
    """Bring a removed module back with its text as mended in the editor, as a new version."""
    module = _module_of(course, module_slug)
    name = _back_as(course, module)
    return save_file(course, name, partial(_mend_page, course, module, name=name),
                     url_for("authoring.course", slug=course.slug), partial(structure.restore_mended, course, module),
                     said=partial(_restored, module))


def preview_mended(course: Course, module_slug: str):
    """Preview the mended text of a removed module, checked as bringing it back would check it."""
    module = _module_of(course, module_slug)
    name = _back_as(course, module)
    return preview_file(course, name, partial(_mend_page, course, module, name=name))


def delete_bank(course: Course, name: str):
    """Delete a question bank that no module draws from, or another file of fragen/ (in a subfolder too)."""
    path = authoring.BANK_FOLDER + name
    return _changed(course, lambda: structure.delete_bank(course, path, actor=current_user),
                    _("„%(path)s“ ist gelöscht.", path=path),
                    _("Die Fragensammlung bleibt, weil ein Modul daraus Fragen zieht:"), target=path)


# (rule, view, methods) below the authoring blueprint's prefix; each view gets the course it may edit.
ROUTES = (
    ("/<slug>/module/<module_slug>/verschieben", move_module, ("POST",)),
    ("/<slug>/module/<module_slug>/entfernen", remove_module, ("POST",)),
    ("/<slug>/module/<module_slug>/zurueckholen", restore_module, ("POST",)),
    ("/<slug>/module/<module_slug>/zurueckholen/text", restore_mended, ("POST",)),
    ("/<slug>/module/<module_slug>/zurueckholen/vorschau", preview_mended, ("POST",)),
    # path: a file in a subfolder of fragen/ is deleted here too (structure.delete_bank keeps it in the folder).
    ("/<slug>/fragen/<path:name>/loeschen", delete_bank, ("POST",)),
)

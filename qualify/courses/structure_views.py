"""Views that change the shape of a course: registered on the authoring blueprint (see its ROUTES there)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from qualify.courses import authoring, structure
from qualify.courses.authoring_forms import ConfirmForm
from qualify.courses.models import Course, Module
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
    """Bring a removed module back at the end of the course (or in a gap when the last module has number 99)."""
    module = _module_of(course, module_slug)
    return _changed(course, lambda: structure.restore_module(course, module, actor=current_user),
                    _("„%(title)s“ ist wieder im Kurs. Mit ↑ und ↓ verschieben Sie es an seinen Platz.",
                      title=module.current_version.title),
                    _("Das Modul lässt sich so nicht zurückholen:"))


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
    # path: a file in a subfolder of fragen/ is deleted here too (structure.delete_bank keeps it in the folder).
    ("/<slug>/fragen/<path:name>/loeschen", delete_bank, ("POST",)),
)

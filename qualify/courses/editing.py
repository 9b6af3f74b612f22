"""Saving and previewing one file from an editor form: course.md, a module or a question bank.

Shared by the editors of course.md (authoring_views), of the modules (module_views) and of the question banks
(bank_views). `page` renders the editor the form came from, with what it is given in place of its blank forms.
"""

from dataclasses import dataclass
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from qualify.courses import authoring, authoring_preview, drafts, module_versions, structure
from qualify.courses.authoring_forms import SourceForm
from qualify.courses.models import Course
from qualify.courses.sources import Problem
from qualify.extensions import db


@dataclass(frozen=True)
class BankToRename(Problem):
    """A question bank's name that the loader no longer takes, with the address of the form that renames it (on
    the course page): until then no file of the course can be saved."""

    rename_url: str = ""


def with_ways_out(course: Course, problems: list[Problem]) -> list[Problem]:
    """The problems as the editor lists them: a misnamed bank's with a link to the rename form."""
    url = url_for("authoring.course", slug=course.slug) + "#fragen-umbenennen"
    return [BankToRename(p.file, p.line, p.message, p.target, url) if structure.is_misnamed_bank(p) else p
            for p in problems]


def source_form(text: str) -> SourceForm:
    """The editor form holding a file's saved text, written over that text."""
    return SourceForm(formdata=None, text=text, base=authoring.fingerprint(text))


def _say_saved(versions: list, course: Course, status_before: str) -> None:
    if course.status != status_before:  # `status:` typed into course.md
        flash(_("Gespeichert. Der Kurs ist jetzt veröffentlicht: Lernende sehen ihn im Katalog.")
              if course.is_published else
              _("Gespeichert. Der Kurs ist wieder ein Entwurf: Lernende sehen ihn nicht mehr."), "success")
    elif not versions:
        flash(_("Gespeichert."), "success")
    else:
        flash(ngettext("Gespeichert. Neue Version: %(list)s.", "Gespeichert. Neue Versionen: %(list)s.",
                       len(versions), list=", ".join(f"{v.title} ({v.number})" for v in versions)), "success")


def save_file(course: Course, name: str, page, done: str, save=None, said=None):
    """Save one file from the editor form; show problems with the typed text kept. After a save in between
    (another tab, a colleague), show what it changed, and save over it only when asked to once more.
    `save(text, base=, actor=, note=)`: how (authoring.save_text of the file by default); `said(versions)`: what
    to say when it is saved ("Gespeichert." and the new versions by default)."""
    form = SourceForm()
    if not form.validate_on_submit():
        return page(source_form=form)
    status_before = course.status
    save = save or partial(authoring.save_text, course, name)
    try:
        versions = save(form.text.data, base=form.overwrite.data or form.base.data, actor=current_user,
                        note=form.note.data or "")
    except authoring.Refused as refused:
        return page(source_form=form, problems=with_ways_out(course, refused.problems), name=name,
                    lines=authoring_preview.marked_lines(form.text.data, refused.problems, name))
    except drafts.DraftConflict as conflict:  # publishing a module's text: its draft changed meanwhile
        return page(source_form=form, conflict=str(conflict), changes=drafts.changes(conflict, form.text.data))
    except authoring.Conflict as conflict:
        return page(source_form=form, conflict=str(conflict), changes=module_versions.changes_since(
            course, name, form.base.data, form.text.data, conflict.saved))
    except authoring.AuthoringError as error:
        form.text.errors.append(str(error))
        return page(source_form=form)
    db.session.commit()
    if said is None:
        _say_saved(versions, course, status_before)
    else:
        flash(said(versions), "success")
    return redirect(done)


def preview_file(course: Course, name: str, page):
    """Render the typed text with its quiz and what saving would refuse: a fragment for authoring.js, the whole
    editor without JavaScript."""
    form = SourceForm()
    shown = authoring_preview.preview_file(course, name, form.text.data or "")
    problems = with_ways_out(course, shown.problems)
    if request.headers.get("X-Requested-With") == "authoring.js":
        return render_template("authoring/_preview.html", preview=shown.html, fresh=True, questions=shown.questions,
                               problems=problems, name=name, language=course.language, size=shown.size,
                               bank=name.startswith(authoring.BANK_FOLDER))
    return page(source_form=form, preview=shown.html, questions=shown.questions, preview_problems=problems,
                name=name, size=shown.size)

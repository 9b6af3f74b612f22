"""The module editor: a module's text, its draft, its preview and its versions. Registered on the authoring
blueprint, which checks that the person may edit the course (see its ROUTES there)."""

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from qualify.courses import authoring, authoring_preview, drafts, module_versions
from qualify.courses.authoring_forms import ConfirmForm, RestoreForm, SourceForm
from qualify.courses.editing import preview_file, save_file, source_form, with_ways_out
from qualify.courses.models import Course, Module
from qualify.courses.quiz_size import saved_quiz_size
from qualify.extensions import db


def _module(course: Course, module_slug: str) -> Module:
    """A module of the course that is in use (removed ones are brought back from the course editor)."""
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == module_slug,
                                                    Module.archived.is_(False)))
    if module is None:
        abort(404)
    return module


def _editor_url(course: Course, module: Module) -> str:
    return url_for("authoring.module", slug=course.slug, module_slug=module.slug)


def _module_page(course: Course, module: Module, **shown):
    """Render a module's editor: with its draft where there is one (the text, and no preview of the published
    version beside it, which would not be what the editor holds)."""
    draft = drafts.draft_with_author(module)
    if "source_form" not in shown:
        if draft is None:
            shown["source_form"] = source_form(module.current_version.source)
        else:
            shown["source_form"] = SourceForm(formdata=None, text=draft.source, base=draft.base,
                                              draft_base=authoring.fingerprint(draft.source), note=draft.note)
            shown.setdefault("preview", None)
    if "size" not in shown:  # the saved version's quiz, which the preview pane shows until "Vorschau"
        shown["size"] = saved_quiz_size(module.current_version)
    return render_template("authoring/module.html", course=course, module=module, draft=draft,
                           draft_action=url_for("authoring.save_module_draft", slug=course.slug,
                                                module_slug=module.slug) if course.is_published or draft else None,
                           **shown)


def module(course: Course, module_slug: str):
    """Show the editor for a module file."""
    return _module_page(course, _module(course, module_slug))


def save_module(course: Course, module_slug: str):
    """Save a module file as a new version (its draft, if it had one, is published with it)."""
    module = _module(course, module_slug)
    return save_file(course, module.file_name, partial(_module_page, course, module), _editor_url(course, module),
                     partial(drafts.publish, module, draft_base=request.form.get("draft_base", "")))


def save_module_draft(course: Course, module_slug: str):
    """Keep the typed text of a module as its draft: learners go on seeing the current version."""
    module = _module(course, module_slug)
    form = SourceForm()
    if not form.validate_on_submit():
        return _module_page(course, module, source_form=form)
    try:
        draft = drafts.save_draft(module, form.text.data, base=form.base.data,
                                  draft_base=form.overwrite.data or form.draft_base.data, actor=current_user,
                                  note=form.note.data or "")
    except drafts.DraftConflict as conflict:
        return _module_page(course, module, source_form=form, conflict=str(conflict),
                            changes=drafts.changes(conflict, form.text.data),
                            overwrite_action=url_for("authoring.save_module_draft", slug=course.slug,
                                                     module_slug=module_slug))
    db.session.commit()
    if draft is None:
        flash(_("Ihr Text ist die veröffentlichte Fassung: Es gibt keinen Entwurf dazu."), "success")
    else:
        flash(_("Als Entwurf gespeichert. Lernende sehen weiter Version %(number)d.",
                number=module.current_version.number), "success")
        problems = authoring_preview.preview_file(course, module.file_name, draft.source).problems
        if problems:  # kept all the same: a draft is work in progress
            flash(ngettext("So ließe sich der Entwurf noch nicht veröffentlichen: %(num)d Problem. „Vorschau“ "
                           "zeigt es mit seiner Zeile.",
                           "So ließe sich der Entwurf noch nicht veröffentlichen: %(num)d Probleme. „Vorschau“ "
                           "zeigt sie mit ihren Zeilen.", len(problems)), "warning")
    return redirect(_editor_url(course, module))


def discard_module_draft(course: Course, module_slug: str):
    """Delete a module's draft; the published version stays as it is."""
    module = _module(course, module_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if drafts.discard(module, actor=current_user):
        db.session.commit()
        flash(_("Der Entwurf ist verworfen. Der Editor zeigt wieder die veröffentlichte Fassung."), "success")
    return redirect(_editor_url(course, module))


def preview_module(course: Course, module_slug: str):
    """Preview the typed text of a module."""
    module = _module(course, module_slug)
    return preview_file(course, module.file_name, partial(_module_page, course, module))


def history(course: Course, module_slug: str):
    """List the versions of a module: number, date, who, note."""
    module = _module(course, module_slug)
    return render_template("authoring/history.html", course=course, module=module,
                           versions=module_versions.history(module))


def diff(course: Course, module_slug: str, number: int):
    """Show what a version changed against the one before it."""
    module = _module(course, module_slug)
    version = module_versions.version(module, number) or abort(404)
    previous = module_versions.version(module, number - 1)
    return render_template("authoring/diff.html", course=course, module=module, version=version,
                           previous=previous, form=RestoreForm(),
                           lines=module_versions.diff(previous.source if previous else "", version.source))


def restore(course: Course, module_slug: str, number: int):
    """Save an old version's source as a new version."""
    module = _module(course, module_slug)
    version = module_versions.version(module, number) or abort(404)
    history_url = url_for("authoring.history", slug=course.slug, module_slug=module_slug)
    if not RestoreForm().validate_on_submit():
        abort(400)
    try:
        new = module_versions.restore(module, version, actor=current_user)
    except authoring.AuthoringError as error:
        flash(str(error), "error")
        return redirect(history_url)
    except authoring.Refused as refused:
        form = SourceForm(formdata=None, text=version.source,
                          base=authoring.fingerprint(module.current_version.source))
        lines = authoring_preview.marked_lines(version.source, refused.problems, module.file_name)
        return _module_page(course, module, source_form=form, problems=with_ways_out(course, refused.problems),
                            name=module.file_name, lines=lines)
    db.session.commit()
    flash(_("Version %(old)d ist als Version %(new)d wiederhergestellt.", old=number, new=new.number),
          "success")
    return redirect(history_url)


ROUTES = (
    ("/<slug>/module/<module_slug>", module, ("GET",)),
    ("/<slug>/module/<module_slug>", save_module, ("POST",)),
    ("/<slug>/module/<module_slug>/entwurf", save_module_draft, ("POST",)),
    ("/<slug>/module/<module_slug>/entwurf/verwerfen", discard_module_draft, ("POST",)),
    ("/<slug>/module/<module_slug>/vorschau", preview_module, ("POST",)),
    ("/<slug>/module/<module_slug>/versionen", history, ("GET",)),
    ("/<slug>/module/<module_slug>/versionen/<int:number>", diff, ("GET",)),
    ("/<slug>/module/<module_slug>/versionen/<int:number>/wiederherstellen", restore, ("POST",)),
)

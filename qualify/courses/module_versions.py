"""The versions of a course's files: Qualify's own notes in the history, a module's versions and going back to
one, and what another save changed."""

import difflib
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from qualify.accounts.models import User
from qualify.core import audit
from qualify.courses import frontmatter, services
from qualify.courses.authoring import AuthoringError, conform, fingerprint, import_changes
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db

# Notes Qualify writes itself into the version history, stored as codes and said in the reader's language.
NEW_MODULE_NOTE = "qualify:neues-modul"
BANK_RENAMED_NOTE = "qualify:fragensammlung-umbenannt"
RESTORED_NOTE = "qualify:wiederhergestellt:{number}"
# Also the notes stored before there were codes: in German, or in English for a trainer on the English pages.
_NEW_MODULE_NOTES = {NEW_MODULE_NOTE, "Neues Modul", "New module"}
_RESTORED_NOTES = re.compile(r"qualify:wiederhergestellt:([0-9]+)|Wiederhergestellt aus Version ([0-9]+)"
                             r"|Restored from version ([0-9]+)")


def note_text(note: str) -> str:
    """A version's note as the reader reads it: Qualify's own notes in the reader's language, the others as
    written."""
    if note in _NEW_MODULE_NOTES:
        return _("Neues Modul")
    if note == BANK_RENAMED_NOTE:
        return _("Fragensammlung umbenannt")
    restored = _RESTORED_NOTES.fullmatch(note)
    if restored:
        return _("Wiederhergestellt aus Version %(number)d",
                 number=int(next(group for group in restored.groups() if group)))
    return note


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "hunk" or "same"
    text: str


@dataclass(frozen=True)
class Changes:
    """What the save that came in between changed, for a trainer whose save it refused.

    `since_opened`: the lines are what it changed in the text the editor was opened with (a module: its versions
    keep every text). Otherwise (course.md and question banks keep no history) how the saved text differs from
    the typed one. `fingerprint`: of the saved text, sent back to save the typed text over it.
    """

    since_opened: bool
    lines: list[DiffLine]
    fingerprint: str


def changes_since(course: Course, name: str, base: str, typed: str, saved: str) -> Changes:
    """Show a trainer whose save was refused (Conflict) what the other save changed."""
    module = next((m for m in course.active_modules if m.file_name == name), None)
    if module is not None:
        sources = db.session.scalars(select(ModuleVersion.source).where(ModuleVersion.module_id == module.id)
                                     .order_by(ModuleVersion.number.desc()))
        opened = next((source for source in sources if fingerprint(source) == base), None)
        if opened is not None:
            return Changes(True, diff(opened, saved), fingerprint(saved))
    return Changes(False, diff(saved, conform(typed, saved)), fingerprint(saved))


def history(module: Module) -> list[tuple[ModuleVersion, User | None]]:
    """List the versions of a module, newest first, with who saved each (two statements)."""
    stmt = (select(ModuleVersion).where(ModuleVersion.module_id == module.id)
            .options(defer(ModuleVersion.source), defer(ModuleVersion.body_html),
                     defer(ModuleVersion.questions))
            .order_by(ModuleVersion.number.desc()))
    versions = list(db.session.scalars(stmt))
    ids = {v.created_by_id for v in versions if v.created_by_id}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [(version, people.get(version.created_by_id)) for version in versions]


def version(module: Module, number: int) -> ModuleVersion | None:
    """Return one version of the module."""
    return db.session.scalar(select(ModuleVersion).where(ModuleVersion.module_id == module.id,
                                                         ModuleVersion.number == number))


def diff(old: str, new: str) -> list[DiffLine]:
    """Compare two sources line by line (unified diff without its two header lines)."""
    old_lines, new_lines = frontmatter.split_lines(old), frontmatter.split_lines(new)
    lines = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=3))[2:]
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    return [DiffLine(kinds.get(line[:1], "same"), line) for line in lines]


def restore(module: Module, version: ModuleVersion, *, actor) -> ModuleVersion:
    """Make a new version with the source of an old one; history stays as it was. Sent twice, the second copy
    finds the version the first made, and returns it."""
    course = module.course
    services.take_turns_on_course(course.slug)
    note = RESTORED_NOTE.format(number=version.number)
    if version.source == module.current_version.source:
        if module.current_version.note == note:
            return module.current_version
        raise AuthoringError(_("Diese Version ist schon die aktuelle."))
    created = import_changes(course.slug, course, {module.file_name: version.source.encode("utf-8")},
                             actor=actor, note=note)
    new = module.current_version
    audit.record("authoring.restore", actor=actor, target=new, module=module.slug, restored=version.number,
                 versions=[[v.module.slug, v.number] for v in created])
    return new

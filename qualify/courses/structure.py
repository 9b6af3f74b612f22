"""The shape of a course, changed in the browser: modules moved, removed and brought back; banks deleted.

Each is a change of files in the course folder – a module's place is the number in its file name – checked by
the loader and imported like every save. A removed module is archived: the learners keep what they did in it,
and it can be brought back with its versions. A move makes no new version, except of texts whose links to the
moved files it rewrites.
"""

import re

from flask_babel import gettext as _

from qualify.core import audit
from qualify.courses.authoring import (
    BANK_FOLDER,
    COURSE_FILE,
    AuthoringError,
    import_changes,
    stored_file,
)
from qualify.courses.models import Course, Module
from qualify.courses.services import take_turns_on_course


def _source(module: Module) -> bytes:
    return module.current_version.source.encode("utf-8")


def _taken(course: Course, module: Module, *, archived: bool = False) -> None:
    """Take the course's turn and check that the module is (still) in it – or, for bringing it back, removed."""
    take_turns_on_course(course.slug)
    if module.archived != archived:
        raise AuthoringError(_("Dieses Modul ist nicht entfernt.") if archived else
                             _("Dieses Modul wurde schon aus dem Kurs genommen."))


def move_module(course: Course, module: Module, step: int, *, actor, seen_at: int | None = None) -> None:
    """Swap the module with its neighbour before (step -1) or after (step 1); at either end nothing happens.

    `seen_at`: the module's number on the page the move was sent from. When it has moved since – the same click
    sent twice, whose first copy moved it already – nothing happens either: a double tap moves it one place.
    """
    _taken(course, module)
    if seen_at is not None and module.position != seen_at:
        return
    modules = course.active_modules
    index = modules.index(module) + step
    if not 0 <= index < len(modules):
        return
    other = modules[index]
    renamed = {module.file_name: f"{other.position:02d}-{module.slug}.md",
               other.file_name: f"{module.position:02d}-{other.slug}.md"}
    # A module's number is in its file name, and links name the file: they move with it, in every text.
    texts = {COURSE_FILE: course.source, **{each.file_name: each.current_version.source for each in modules}}
    changes = {}
    for name, text in texts.items():
        linked = with_links_renamed(text, renamed)
        if name in renamed or linked != text:
            changes[renamed.get(name, name)] = linked.encode("utf-8")
    import_changes(course.slug, course, changes, actor=actor, removed=(module.file_name, other.file_name))
    audit.record("authoring.module_moved", actor=actor, target=course, module=module.slug, position=other.position)


def with_links_renamed(text: str, renamed: dict[str, str]) -> str:
    """Point links to renamed files at their new names: `[Text](02-a.md)`, `(02-a.md#abschnitt)`, `[id]: 02-a.md`."""
    target = "|".join(re.escape(name) for name in renamed)
    pattern = re.compile(rf"(\]\(\s*<?|^[ ]{{0,3}}\[[^\]\n]+\]:[ \t]*<?)({target})(?=[)#>\s\"']|$)", re.M)
    return pattern.sub(lambda match: match.group(1) + renamed[match.group(2)], text)


def remove_module(course: Course, module: Module, *, actor) -> None:
    """Take the module out of the course (Refused while another text links to it)."""
    _taken(course, module)
    import_changes(course.slug, course, {}, actor=actor, removed=(module.file_name,))
    audit.record("authoring.module_removed", actor=actor, target=course, module=module.slug)


def free_number(taken: set[int]) -> int:
    """The number for a module brought back: after the last one, or, when that has 99, the first free one."""
    last = max(taken, default=0)
    if last < 99:
        return last + 1
    free = next((number for number in range(1, 100) if number not in taken), None)
    if free is None:
        raise AuthoringError(_("Das Modul lässt sich nicht zurückholen: Alle Nummern von 1 bis 99 sind an Module "
                               "vergeben. Entfernen Sie zuerst ein anderes Modul."))
    return free


def restore_module(course: Course, module: Module, *, actor) -> None:
    """Bring a removed module back, at the end of the course (or in a gap), as it was when it was removed."""
    _taken(course, module, archived=True)
    position = free_number({m.position for m in course.active_modules})
    import_changes(course.slug, course, {f"{position:02d}-{module.slug}.md": _source(module)}, actor=actor)
    audit.record("authoring.module_restored", actor=actor, target=course, module=module.slug)


def delete_bank(course: Course, path: str, *, actor) -> None:
    """Delete a question bank no module draws from (Refused while one does)."""
    take_turns_on_course(course.slug)
    if not path.startswith(BANK_FOLDER) or stored_file(course, path) is None:
        raise AuthoringError(_("Diese Datei gibt es nicht (mehr)."))
    import_changes(course.slug, course, {}, actor=actor, removed=(path,))
    audit.record("authoring.bank_deleted", actor=actor, target=course, path=path)

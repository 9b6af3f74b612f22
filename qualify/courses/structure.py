"""The shape of a course, changed in the browser: modules moved, removed and brought back; banks deleted and
renamed.

Each is a change of files in the course folder – a module's place is the number in its file name – checked by
the loader and imported like every save. A removed module is archived: the learners keep what they did in it,
and it can be brought back with its versions – with its text mended in an editor when it no longer checks
(a file it links to deleted since). A move makes no new version, except of texts whose links to the
moved files it rewrites.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from qualify.core import audit
from qualify.courses import frontmatter
from qualify.courses.authoring import (
    BANK_FOLDER,
    BANK_NAME,
    COURSE_FILE,
    AuthoringError,
    conform,
    fingerprint,
    import_changes,
    in_course_folder,
    saved_in_between,
    stored_file,
)
from qualify.courses.course_files import bank_name_rule
from qualify.courses.models import Course, Module, ModuleDraft, ModuleVersion
from qualify.courses.module_versions import BANK_RENAMED_NOTE
from qualify.courses.services import take_turns_on_course
from qualify.courses.sources import Problem, bank_name_problem, bank_slug, content_hash
from qualify.extensions import db


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


def restored_file_name(course: Course, module: Module) -> str:
    """The file a removed module comes back as: numbered after the last module of the course (or in a gap)."""
    return f"{free_number({m.position for m in course.active_modules}):02d}-{module.slug}.md"


def restore_module(course: Course, module: Module, *, actor) -> None:
    """Bring a removed module back, at the end of the course (or in a gap), as it was when it was removed.
    Refused when its text no longer checks – a file it links to, or the bank it draws from, deleted since –: then
    restore_mended brings it back with its text mended."""
    _taken(course, module, archived=True)
    import_changes(course.slug, course, {restored_file_name(course, module): _source(module)}, actor=actor)
    audit.record("authoring.module_restored", actor=actor, target=course, module=module.slug)


def restore_mended(course: Course, module: Module, text: str, *, base: str, actor, note: str = "") -> list:
    """Bring a removed module back with its text as mended in the editor, checked and imported like every save
    (Refused, nothing written, while the loader finds a problem); return the module versions this made.

    `base`: the fingerprint of the text the editor was opened with; when the module's text changed since (a bank
    it draws from renamed), nothing is saved (Conflict). The same form sent twice: the second copy finds the
    module back with this text.

    A draft of the module, saved before it was removed (none can be saved while it is), is dropped, as publishing
    a text drops it: it was written over the text as removed, and the module is back with the mended one. The
    editor showed it beside the text, to take from it what should stay.
    """
    take_turns_on_course(course.slug)
    current = module.current_version.source
    typed = conform(text, current)
    if not module.archived:
        if typed == current:
            return []
        raise AuthoringError(_("Dieses Modul ist nicht entfernt."))
    if base != fingerprint(current):
        raise saved_in_between(current)
    versions = import_changes(course.slug, course, {restored_file_name(course, module): typed.encode("utf-8")},
                              actor=actor, note=note)
    audit.record("authoring.module_restored", actor=actor, target=course, module=module.slug,
                 versions=[[v.module.slug, v.number] for v in versions])
    draft = db.session.get(ModuleDraft, module.id)
    if draft is not None:
        db.session.delete(draft)
        audit.record("authoring.draft_discarded", actor=actor, target=course, module=module.slug)
    return versions


def delete_bank(course: Course, path: str, *, actor) -> None:
    """Delete a question bank no module draws from (Refused while one does) – or any other file in fragen/, in a
    subfolder too ("fragen/alt/pool.gift"), as imports brought them before the loader checked bank names."""
    take_turns_on_course(course.slug)
    if not path.startswith(BANK_FOLDER) or not in_course_folder(path) or stored_file(course, path) is None:
        raise AuthoringError(_("Diese Datei gibt es nicht (mehr)."))
    import_changes(course.slug, course, {}, actor=actor, removed=(path,))
    audit.record("authoring.bank_deleted", actor=actor, target=course, path=path)


@dataclass(frozen=True)
class MisnamedBank:
    """A question bank whose name the loader refuses – imported before it checked names –, with what is wrong and
    a name it takes instead ("fragen/Alte Fragen.gift": "alte-fragen.gift")."""

    path: str
    problem: str
    suggestion: str


def misnamed_banks(paths: list[str]) -> list[MisnamedBank]:
    """The misnamed question banks among a course's files. While one is there the loader refuses every save of
    the course, so each gets a name made of its old one that no other file of the course has, nor is suggested."""
    taken = set(paths)
    found = []
    for path in paths:
        problem = bank_name_problem(path.removeprefix(BANK_FOLDER)) if path.startswith(BANK_FOLDER) else None
        if problem is None:
            continue
        stem = bank_slug(path.removeprefix(BANK_FOLDER).rsplit(".", 1)[0]) or "fragen"
        suggestion, number = f"{stem}.gift", 2
        while BANK_FOLDER + suggestion in taken:
            suggestion, number = f"{stem[:57].rstrip('-')}-{number}.gift", number + 1
        taken.add(BANK_FOLDER + suggestion)
        found.append(MisnamedBank(path, problem, suggestion))
    return found


def is_misnamed_bank(problem: Problem) -> bool:
    """Whether the loader's problem is the name of a file in fragen/ that it no longer takes – which refuses every
    change of the course until the bank is renamed (rename_banks) or deleted."""
    return problem.file.startswith(BANK_FOLDER) and \
        problem.message == bank_name_problem(problem.file.removeprefix(BANK_FOLDER))


class BankNameRefused(AuthoringError):
    """A new name that cannot be given to the question bank at `path`."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


def bank_file_name(typed: str) -> str:
    """The file name a typed name of a question bank stands for: "Alte-Fragen" → "alte-fragen.gift"."""
    name = typed.strip().lower().removeprefix(BANK_FOLDER)
    return name if name.endswith(".gift") else f"{name}.gift"


def rename_banks(course: Course, names: dict[str, str], *, actor) -> list:
    """Give question banks new names ({"fragen/Alte Fragen.gift": "alte-fragen"}) and point `questions:` in every
    module drawing from one at its new name – in the published text and in a draft –, all in one save checked by
    the loader with the whole course (Refused, nothing written, while it finds a problem), so that a course whose
    banks' names keep it from being saved can be saved again. Return the module versions this made.

    A bank renamed already – the same form sent twice – is left as it is.
    """
    take_turns_on_course(course.slug)
    renames = {old: BANK_FOLDER + bank_file_name(typed) for old, typed in names.items()}
    taken = {file.path for file in course.files} - set(renames)
    renamed, changes = {}, {}
    for old, new in renames.items():
        stored = stored_file(course, old) if old.startswith(BANK_FOLDER) else None
        if stored is None and stored_file(course, new) is not None:
            continue  # renamed by the first copy of this form
        if stored is None:
            raise BankNameRefused(_("Diese Datei gibt es nicht (mehr)."), old)
        if not BANK_NAME.match(new.removeprefix(BANK_FOLDER)):
            raise BankNameRefused(bank_name_rule(names[old].strip()), old)
        if new in taken:
            raise BankNameRefused(_("Eine Fragensammlung „%(path)s“ gibt es schon. Wählen Sie einen anderen "
                                    "Namen.", path=new), old)
        taken.add(new)
        if new != old:
            renamed[old] = new
            changes[new] = stored.data
    if not renamed:
        return []
    for module in course.active_modules:
        text = with_bank_renamed(module.current_version.source, renamed)
        if text != module.current_version.source:
            changes[module.file_name] = text.encode("utf-8")
    published = {module.id: module.current_version.source for module in course.modules if module.current_version}
    versions = import_changes(course.slug, course, changes, actor=actor, note=BANK_RENAMED_NOTE,
                              removed=tuple(renamed))
    versions += _rename_in_removed_modules(course, renamed, actor=actor)
    _rename_in_drafts(course, renamed, published)
    audit.record("authoring.bank_renamed", actor=actor, target=course, before=list(renamed),
                 after=list(renamed.values()), versions=[[v.module.slug, v.number] for v in versions])
    return versions


def _rename_in_removed_modules(course: Course, renamed: dict[str, str], *, actor) -> list[ModuleVersion]:
    """Point `questions:` of removed modules at the banks' new names too, each in a new version. Bringing one back
    writes its text into the course folder, which the loader refuses while it names a bank that is gone – and a
    removed module has no editor to mend it in. (Its learners read nothing of it: its page is gone with it, and
    their attempts keep the questions they answered.)"""
    made = []
    for module in course.modules:
        version = module.current_version
        if not module.archived or version is None:
            continue
        text = with_bank_renamed(version.source, renamed)
        if text != version.source:
            made.append(_version_with_bank_renamed(module, text, renamed, actor=actor))
    return made


def _version_with_bank_renamed(module: Module, text: str, renamed: dict[str, str], *, actor) -> ModuleVersion:
    """The module's current version again, with its `questions:` renamed: a rename changes no question, so its
    HTML and questions stay as they were – and so does whether bringing it back renders them anew (the bank
    was changed after the module was removed), which its fingerprint tells the import."""
    old = module.current_version
    bank = renamed[frontmatter.split(old.source).meta["questions"]]  # where with_bank_renamed found it
    data = stored_file(module.course, bank).data  # the same bytes as under the old name
    up_to_date = old.content_hash == content_hash(old.source, data)
    version = ModuleVersion(number=max(v.number for v in module.versions) + 1, title=old.title, kind=old.kind,
                            minutes=old.minutes, settings={**(old.settings or {}), "questions": bank},
                            source=text, body_html=old.body_html, questions=old.questions,
                            content_hash=content_hash(text, data) if up_to_date else old.content_hash,
                            created_by_id=getattr(actor, "id", None), note=BANK_RENAMED_NOTE)
    module.versions.append(version)
    db.session.flush()
    module.current_version = version
    return version


def _rename_in_drafts(course: Course, renamed: dict[str, str], published: dict[int, str]) -> None:
    """Rename the banks in the modules' drafts too. A draft written over the text the rename changed is now
    written over the new one: the rename is no change of a colleague's that publishing it should show."""
    stmt = (select(ModuleDraft).join(Module, Module.id == ModuleDraft.module_id)
            .where(Module.course_id == course.id))
    modules = {module.id: module for module in course.modules}
    for draft in db.session.scalars(stmt):
        draft.source = with_bank_renamed(draft.source, renamed)
        before = published.get(draft.module_id)
        if before is not None and draft.base == fingerprint(before):
            draft.base = fingerprint(modules[draft.module_id].current_version.source)


def with_bank_renamed(text: str, renamed: dict[str, str]) -> str:
    """Point a module's `questions:` at its bank's new name, writing that line anew and leaving every other
    character of the file as it was. A text whose front matter does not read (a draft may) stays as it is."""
    try:
        document = frontmatter.split(text)
    except frontmatter.FrontMatterError:
        return text
    bank = document.meta.get("questions")
    if not isinstance(bank, str) or bank not in renamed or "questions" not in document.key_lines:
        return text
    lines = frontmatter.split_lines(text, keepends=True)
    index = document.key_lines["questions"] - 1
    ending = lines[index][len(lines[index].rstrip("\r\n")):]
    lines[index] = f"questions: {renamed[bank]}{ending}"
    return "".join(lines)

"""Editing courses in the browser: every change is checked and imported like `qualify courses import` does."""

import difflib
import hashlib
import io
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import defer

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.accounts.services import find_user_by_email
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.core.markdown import MarkdownTooLarge, render_markdown
from qualify.courses import frontmatter, services
from qualify.courses.authoring_media import media_name_problem, media_problem
from qualify.courses.fields import COURSE_FIELDS
from qualify.courses.gift import parse_gift
from qualify.courses.loader import load_course
from qualify.courses.models import Course, CourseFile, CourseOwner, Module, ModuleVersion
from qualify.courses.sources import BANK_FILE, MODULE_FILE, SLUG, Problem, bank_slug, length_problem, module_as_typed
from qualify.extensions import db
from qualify.learning.quiz import QuizSize, quiz_size  # the preview counts a quiz as an attempt asks it

COURSE_FILE = "course.md"
BANK_FOLDER, MEDIA_FOLDER = "fragen/", "medien/"
BANK_NAME = BANK_FILE
# Addresses below /autoren/ that are pages of their own, not courses: no course may take them as its slug.
RESERVED_SLUGS = frozenset({"hilfe"})
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
STARTERS = {
    "self-study": {"minutes": 15},
    "exchange": {"minutes": 60, "moderation": "pre", "anonymous": "allowed"},
    "workshop": {"minutes": 90, "duration_minutes": 90, "capacity": 12, "format": "in-person"},
}
# The first lines Qualify writes into a new file become the course's own text: they are in the course's language,
# whichever language the trainer reads the pages in (so not through _()).
STARTER_TEXTS = {
    "de": {"course": "Worum geht es in diesem Kurs?\n",
           "self-study": "## Lernziele\n\n- …\n",
           "exchange": "## Leitfragen\n\n- …\n\n## Regeln\n\n- …\n",
           "workshop": "## Ablauf\n\n- …\n\n## Was Sie mitbringen\n\n- …\n"},
    "en": {"course": "What is this course about?\n",
           "self-study": "## Learning objectives\n\n- …\n",
           "exchange": "## Guiding questions\n\n- …\n\n## Rules\n\n- …\n",
           "workshop": "## Agenda\n\n- …\n\n## What to bring\n\n- …\n"},
}


class AuthoringError(Exception):
    """A request the domain refuses, with a message for the trainer."""


class Refused(Exception):
    """The loader found problems in the edited course; nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class Conflict(AuthoringError):
    """Someone saved the file after the editor was opened; `saved` is the text they saved."""

    def __init__(self, message: str, saved: str):
        super().__init__(message)
        self.saved = saved


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


def editable_courses(user) -> list[Course]:
    """Return the courses the user may edit (admins: all), without their sources."""
    stmt = (select(Course).options(defer(Course.source), defer(Course.overview_html))
            .order_by(in_german_order(Course.title)))
    if not user.has_role(Role.ADMIN):
        stmt = stmt.join(CourseOwner).where(CourseOwner.user_id == user.id)
    return list(db.session.scalars(stmt))


def fingerprint(text: str) -> str:
    """Identify a file's text, so a save can tell whether someone else saved in between."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def text_of(course: Course, name: str) -> str | None:
    """Return the current text of course.md, a module file or a question bank; None when there is none."""
    if name == COURSE_FILE:
        return course.source
    module = next((m for m in course.active_modules if m.file_name == name), None)
    if module is not None:
        return module.current_version.source
    stored = stored_file(course, name)
    return stored.data.decode("utf-8", errors="replace") if stored else None


def stored_file(course: Course, path: str) -> CourseFile | None:
    """Return one file of the course folder (media or question bank)."""
    stmt = select(CourseFile).where(CourseFile.course_id == course.id, CourseFile.path == path)
    return db.session.scalar(stmt)


def conform(text: str, like: str) -> str:
    """Give text from a textarea (which sends CRLF) the line ends and byte order mark of its file."""
    text = text.replace("\r\n", "\n")
    if "\r\n" in like:
        text = text.replace("\n", "\r\n")
    if like.startswith("\ufeff") and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    return text


def in_course_folder(path: str) -> bool:
    """Whether a path names a file inside a course folder ("fragen/alt/pool.gift"): relative, and without `..`,
    `.` or empty parts that would lead elsewhere."""
    return all(part not in ("", ".", "..") for part in path.split("/"))


def import_changes(slug: str, course: Course | None, changes: dict[str, bytes], *, actor, note: str = "",
                   removed: tuple[str, ...] = ()) -> list:
    """Write changes over an export of the course (and drop removed files), check the folder with the loader,
    then import it. The caller has taken the course's turn (services.take_turns_on_course) and checked after it
    what it changes."""
    if not all(in_course_folder(name) for name in (*changes, *removed)):
        raise AuthoringError(_("Diese Datei gibt es nicht (mehr)."))  # never a file outside the course folder
    with tempfile.TemporaryDirectory(prefix="qualify-authoring-") as tmp:
        folder = Path(tmp) / slug
        folder.mkdir()
        if course is not None:
            services.export_course(course, folder)
        for name in removed:
            (folder / name).unlink(missing_ok=True)
        for name, data in changes.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        source, problems = load_course(folder)
    if problems or source is None:
        raise Refused(problems)
    before = {module.id: module.current_version_id for module in course.modules} if course else {}
    course = services.import_course(source, services.ImportReport(), actor=actor)
    db.session.flush()
    created = [m.current_version for m in course.modules if m.current_version_id != before.get(m.id)]
    for version in created:
        version.note = note.strip()[:300]
    return created


def save_text(course: Course, name: str, text: str, *, base: str, actor, note: str = "") -> list:
    """Save the edited text of one file; return the module versions this made (none when nothing changed).

    `base` is the fingerprint of the text the editor showed; when the file has been saved since, nothing is saved
    (Conflict) – unless `base` is the fingerprint of that newer text, sent to save over it deliberately, or the
    text saved since is this very text: the same form sent twice, whose second copy finds its text saved.
    """
    services.take_turns_on_course(course.slug)
    current = text_of(course, name)
    if current is None:
        raise AuthoringError(_("Diese Datei gibt es nicht (mehr)."))
    if base != fingerprint(current):
        if conform(text, current) == current:
            return []
        raise Conflict(_("Diese Datei wurde inzwischen gespeichert – von jemand anderem oder in einem anderen "
                         "Fenster. Nichts gespeichert; Ihr Text ist unten erhalten."), current)
    status = course.status
    data = conform(text, current).encode("utf-8")
    versions = import_changes(course.slug, course, {name: data}, actor=actor, note=note)
    audit.record("authoring.save", actor=actor, target=course, file=name, note=note.strip()[:300],
                 versions=[[v.module.slug, v.number] for v in versions])
    if course.status != status:  # `status:` typed into course.md publishes as the button does
        audit.record("authoring.status", actor=actor, target=course, status=course.status)
    return versions


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


def _slug_rule() -> str:
    return _("Nur a–z, 0–9 und Bindestriche, beginnend mit einem Buchstaben oder einer Ziffer.")


def _yaml(meta: dict) -> str:
    import yaml  # on first use, like the front-matter reader

    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)


def create_course(slug: str, title: str, summary: str, *, actor, language: str = "de") -> Course:
    """Write a starter course.md (a draft) in the course's language, import it and make the creator its owner.
    The same form sent twice: the second copy finds the course the first created, and returns it."""
    if not SLUG.match(slug):
        raise AuthoringError(_slug_rule())
    problem = COURSE_FIELDS["language"].check(language)
    if problem:
        raise AuthoringError(_("„%(name)s“ %(problem)s.", name="language", problem=problem))
    meta = {"title": title.strip(), **({"summary": summary.strip()} if summary.strip() else {}),
            "language": language, "status": "draft"}
    text = f"---\n{_yaml(meta)}---\n\n# {title.strip()}\n\n{STARTER_TEXTS[language]['course']}"
    services.take_turns_on_course(slug)
    taken = services.get_course(slug)
    if taken is not None and taken.source == text and actor.id in {owner.id for owner in course_owners(taken)}:
        return taken
    if slug in RESERVED_SLUGS or taken is not None:
        raise AuthoringError(_("Dieses Kürzel ist schon vergeben."))
    import_changes(slug, None, {COURSE_FILE: text.encode("utf-8")}, actor=actor)
    course = services.get_course(slug)
    db.session.add(CourseOwner(course_id=course.id, user_id=actor.id))
    audit.record("authoring.course_created", actor=actor, target=course, slug=slug)
    return course


def add_module(course: Course, number: int, slug: str, title: str, kind: str, *, actor) -> Module:
    """Add a module file with starter text for its kind, in the course's language. The same form sent twice: the
    second copy finds the module the first added, still as it began, and returns it."""
    if not SLUG.match(slug):
        raise AuthoringError(_slug_rule())
    body = STARTER_TEXTS.get(course.language, STARTER_TEXTS["de"])[kind]
    meta = {"title": title.strip(), "kind": kind, **STARTERS[kind]}
    text = f"---\n{_yaml(meta)}---\n\n# {title.strip()}\n\n{body}"
    name = f"{number:02d}-{slug}.md"
    services.take_turns_on_course(course.slug)
    taken = next((module for module in course.modules if module.slug == slug), None)
    if taken is not None and _as_added(taken, name, text):
        return taken
    if taken is not None and taken.archived:  # archived ones too: progress points there
        raise AuthoringError(_("Dieses Kürzel gehört einem entfernten Modul. Holen Sie es unter „Entfernte Module“ "
                               "zurück, oder wählen Sie ein anderes Kürzel."))
    if taken is not None:
        raise AuthoringError(_("Dieses Kürzel ist in diesem Kurs schon vergeben."))
    import_changes(course.slug, course, {name: text.encode("utf-8")}, actor=actor, note=NEW_MODULE_NOTE)
    audit.record("authoring.module_added", actor=actor, target=course, file=name)
    return next(module for module in course.modules if module.slug == slug)


def _as_added(module: Module, name: str, text: str) -> bool:
    """Whether the module is still as add_module made it with this file name and starter text."""
    return (not module.archived and module.file_name == name and module.current_version.note == NEW_MODULE_NOTE
            and module.current_version.source == text)


def with_status(text: str, status: str) -> str:
    """Set `status:` in the front matter, leaving every other character of the file as it was."""
    document = frontmatter.split(text)
    lines = frontmatter.split_lines(text, keepends=True)
    line = document.key_lines.get("status")
    if line:
        old = lines[line - 1]
        lines[line - 1] = f"status: {status}{old[len(old.rstrip(chr(13) + chr(10))):]}"
    else:
        ending = "\r\n" if lines[0].endswith("\r\n") else "\n"
        lines.insert(document.body_line - 2, f"status: {status}{ending}")
    return "".join(lines)


def set_status(course: Course, status: str, *, actor) -> None:
    """Publish the course or take it back to draft, through its course.md."""
    services.take_turns_on_course(course.slug)
    text = with_status(course.source, status)
    import_changes(course.slug, course, {COURSE_FILE: text.encode("utf-8")}, actor=actor)
    audit.record("authoring.status", actor=actor, target=course, status=status)


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


def _holds(stored: CourseFile | None, data: bytes) -> bool:
    """Whether the stored file has exactly this content: the same upload, sent twice."""
    return stored is not None and stored.sha256 == hashlib.sha256(data).hexdigest()


def upload_media(course: Course, filename: str, data: bytes, *, actor, replace: bool = False) -> str:
    """Check an uploaded file by its content and store it under medien/; return its path. A file of the same
    name is replaced only when asked to: every text showing it would show the new one. The same file sent twice:
    the second copy finds it stored."""
    problem = media_name_problem(filename) or media_problem(filename, data)
    if problem:
        raise AuthoringError(problem)
    path = MEDIA_FOLDER + filename
    services.take_turns_on_course(course.slug)
    stored = stored_file(course, path)
    if _holds(stored, data):
        return path
    if not replace and stored is not None:
        raise AuthoringError(_("Eine Datei „%(path)s“ gibt es schon. Um sie zu ersetzen, wählen Sie die neue noch "
                               "einmal aus und kreuzen „ersetzen“ an; sonst benennen Sie die neue Datei um.",
                               path=path))
    import_changes(course.slug, course, {path: data}, actor=actor)
    audit.record("authoring.media", actor=actor, target=course, path=path, bytes=len(data))
    return path


def delete_media(course: Course, path: str, *, actor) -> None:
    """Remove a file from medien/, unless a module or the overview still shows or links it (Refused)."""
    services.take_turns_on_course(course.slug)
    if not path.startswith(MEDIA_FOLDER) or not in_course_folder(path) or stored_file(course, path) is None:
        raise AuthoringError(_("Diese Datei gibt es nicht (mehr)."))
    import_changes(course.slug, course, {}, actor=actor, removed=(path,))
    audit.record("authoring.media_deleted", actor=actor, target=course, path=path)


def create_bank(course: Course, name: str, data: bytes, *, actor) -> str:
    """Add a question bank under fragen/; its GIFT is checked by the loader. The same bank sent twice: the second
    copy finds it stored."""
    if not BANK_NAME.match(name):
        raise AuthoringError(bank_name_rule(name))
    path = BANK_FOLDER + name
    services.take_turns_on_course(course.slug)
    stored = stored_file(course, path)
    if _holds(stored, data):
        return path
    if stored is not None:
        raise AuthoringError(_("Diese Fragensammlung gibt es schon. Bearbeiten Sie sie in der Liste."))
    import_changes(course.slug, course, {path: data}, actor=actor)
    audit.record("authoring.bank_created", actor=actor, target=course, path=path)
    return path


def bank_name_rule(typed: str) -> str:
    """Say which names a new question bank may have, with one made of what was typed ("Sicherheit HV")."""
    stem = typed[:-5] if typed.lower().endswith(".gift") else typed
    return _("Name der Fragensammlung: erlaubt sind nur Kleinbuchstaben a–z, Ziffern und Bindestriche (höchstens "
             "61 Zeichen), z. B. „%(example)s“.", example=bank_slug(stem) or "notfall")


def course_owners(course: Course) -> list[User]:
    """Return the owners and co-owners of the course, by name."""
    stmt = (select(User).join(CourseOwner, CourseOwner.user_id == User.id)
            .where(CourseOwner.course_id == course.id).order_by(in_german_order(User.display_name)))
    return list(db.session.scalars(stmt))


def add_owner(course: Course, email: str, *, actor) -> User:
    """Let a trainer (found by e-mail) edit the course."""
    services.take_turns_on_course(course.slug)
    user = find_user_by_email(email)
    if user is None or not user.active or not user.has_role(Role.TRAINER):
        raise AuthoringError(_("Unter dieser Adresse gibt es keine aktive Person mit der Rolle Trainer/in."))
    if user in course_owners(course):
        raise AuthoringError(_("%(name)s bearbeitet diesen Kurs schon.", name=user.display_name))
    db.session.add(CourseOwner(course_id=course.id, user_id=user.id))
    audit.record("authoring.owner_added", actor=actor, target=course, user_id=user.id)
    return user


def remove_owner(course: Course, user_id: int, *, actor) -> None:
    """Take away a person's right to edit the course. Who has none – any more: the same form sent twice – is left
    as they are."""
    services.take_turns_on_course(course.slug)
    owner = db.session.scalar(select(CourseOwner).where(CourseOwner.course_id == course.id,
                                                        CourseOwner.user_id == user_id))
    if owner is None:
        return
    db.session.delete(owner)
    audit.record("authoring.owner_removed", actor=actor, target=course, user_id=user_id)


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


def marked_lines(text: str, problems: list[Problem], name: str) -> list[tuple[int, str, list[str]]]:
    """Number the lines of the submitted text and attach the problems found on each."""
    found: dict[int, list[str]] = {}
    for problem in problems:
        if problem.file == name:
            found.setdefault(problem.line, []).append(problem.message)
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").removesuffix("\n").split("\n")
    return [(number, line, found.get(number, [])) for number, line in enumerate(lines, start=1)]


@dataclass
class Preview:
    """The typed text as learners will see it, its quiz, and what saving it would refuse."""

    html: Markup
    questions: list[dict] = field(default_factory=list)  # as a version stores them: the trainer sees which count
    problems: list[Problem] = field(default_factory=list)
    size: QuizSize = QuizSize(0)


def preview_file(course: Course, name: str, text: str) -> Preview:
    """Check the typed file as saving would (the whole course, with the loader) and render it as saving would.

    Where the loader refuses the file, the text is still shown as far as it renders, with the problems by line.
    A question bank shows its questions as a module drawing from it does.
    """
    with tempfile.TemporaryDirectory(prefix="qualify-preview-") as tmp:
        folder = Path(tmp) / course.slug
        folder.mkdir()
        services.export_course(course, folder)
        (folder / name).write_bytes(conform(text, "").encode("utf-8"))
        source, problems = load_course(folder)
    language = source.language if source is not None else course.language
    if name.startswith(BANK_FOLDER):
        resolve = services.link_resolver(course.slug)
        questions = [services.serialise_question(question, resolve, language)
                     for question in parse_gift(conform(text, "")).questions]
        return Preview(Markup(), questions, problems, quiz_size(questions))
    module = next((m for m in source.modules if m.file == name), None) if source is not None else None
    if module is None and MODULE_FILE.match(name):
        # Refused (its front matter, or course.md, does not read): its body still shows, as far as it renders,
        # with the problems of the fields and of the body together, as the save names them.
        module = module_as_typed(name, conform(text, ""))
    if module is None:
        return Preview(preview(course.slug, text, language), problems=problems)
    html, questions = _with_quiz_notes(module, course.slug, language)
    return Preview(html, questions, problems, quiz_size(questions, module.meta.get("draw")))


def _with_quiz_notes(module, slug: str, language: str) -> tuple[Markup, list[dict]]:
    """Render a module as saving would, with a note for the trainer where each quiz block stood: learners see
    all the module's questions together, as one quiz after the whole text."""
    mark = f"qualifyquiz{secrets.token_hex(8)}"  # a word no text contains; put where each block stood
    lines = module.body.split("\n")
    for start in reversed(module.quiz_at):
        lines[start:start + 1] = ["", mark, ""]  # a paragraph of its own, whatever came before the block
    rendered = services.rendered_module(replace(module, body="\n".join(lines)), slug, language)
    note = Markup('<p class="flash">{}</p>').format(_("Hier steht ein Quiz-Block. Lernende sehen alle Fragen des "
                                                      "Moduls zusammen als ein Quiz am Ende des Moduls, nach "
                                                      "dem ganzen Text."))
    html = re.sub(f"(<p>)?{mark}(</p>)?", lambda _match: str(note), rendered["body_html"])
    return Markup(html), rendered["questions"]  # noqa: S704 (our renderer, and our note escaped)


def preview(slug: str, text: str, language: str = "de") -> Markup:
    """Render the body of a Markdown file with the renderer and links of the course pages."""
    if length_problem(text):  # said, with its line, among the problems above the preview
        return Markup()
    try:
        body = frontmatter.split(text.replace("\r\n", "\n")).body
    except frontmatter.FrontMatterError as error:
        if error.body is None:  # no second --- line: where the body begins is not to be told
            return Markup('<p class="error">{}</p>').format(_("Zeile %(line)d: %(message)s", line=error.line,
                                                                message=error.message))
        body = error.body.body  # the fields' problem is said above the preview, with the body's
    try:
        return render_markdown(body, resolve_link=services.link_resolver(slug), language=language)
    except MarkdownTooLarge as error:
        return Markup('<p class="error">{}</p>').format(escape(str(error)))


@cache
def guide(language: str) -> Markup:
    """docs/authoring.md as the help page shows it: its German part, or its English part for English pages.

    Each part from its heading on: the lines above the first heading introduce the file to those who read it in
    the repository (that the guide is in Qualify too, that an English part follows), not the page, which is that
    guide. Read and rendered once per process and language; the file changes only with a new release.
    """
    text = GUIDE.read_text(encoding="utf-8").replace("\r\n", "\n")
    german, _heading, english = text.partition("\n# Writing courses\n")
    heading = re.search(r"^# ", german, re.MULTILINE)
    german = german[heading.start():] if heading else german
    part = "# Writing courses\n" + english if language == "en" and english else german
    return render_markdown(part, language=language)


def export_zip(course: Course) -> bytes:
    """Pack the course folder, exactly as `qualify courses export` writes it, into a ZIP archive."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="qualify-export-") as tmp:
        paths = services.export_course(course, Path(tmp) / course.slug)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(paths):
                archive.write(path, path.relative_to(tmp).as_posix())
    return buffer.getvalue()


def file_list(course: Course) -> list[CourseFile]:
    """Return the media and question banks of the course by path, without their content."""
    stmt = (select(CourseFile).where(CourseFile.course_id == course.id).options(defer(CourseFile.data))
            .order_by(CourseFile.path))
    return list(db.session.scalars(stmt))

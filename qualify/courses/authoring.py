"""Editing courses in the browser: every change is checked and imported like `qualify courses import` does.

Here the files' texts, read and saved; new courses and modules in starters, their owners in owners, module
versions in module_versions, media and question banks in course_files, the editor's preview in authoring_preview, and
the course's shape (modules moved, removed, brought back; banks renamed) in structure.
"""

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.courses import frontmatter, services
from qualify.courses.loader import load_course
from qualify.courses.models import Course, CourseFile, CourseOwner
from qualify.courses.sources import BANK_FILE, Problem
from qualify.extensions import db

COURSE_FILE = "course.md"
BANK_FOLDER, MEDIA_FOLDER = "fragen/", "medien/"
BANK_NAME = BANK_FILE


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


def saved_in_between(saved: str) -> Conflict:
    """The refusal of a save whose file was saved after the editor was opened (`saved`: the text saved then)."""
    return Conflict(_("Diese Datei wurde inzwischen gespeichert – von jemand anderem oder in einem anderen "
                      "Fenster. Nichts gespeichert; Ihr Text ist unten erhalten."), saved)


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
        raise saved_in_between(current)
    status = course.status
    data = conform(text, current).encode("utf-8")
    versions = import_changes(course.slug, course, {name: data}, actor=actor, note=note)
    audit.record("authoring.save", actor=actor, target=course, file=name, note=note.strip()[:300],
                 versions=[[v.module.slug, v.number] for v in versions])
    if course.status != status:  # `status:` typed into course.md publishes as the button does
        audit.record("authoring.status", actor=actor, target=course, status=course.status)
    return versions


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

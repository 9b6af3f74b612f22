"""Courses in the database: import from a checked tree, export back to files, and queries for the pages."""

import hashlib
import mimetypes
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qualify.core import audit
from qualify.core.database import take_turns
from qualify.core.markdown import render_markdown, render_plain
from qualify.core.text import one_line
from qualify.courses.gift_model import Question
from qualify.courses.models import Course, CourseFile, Module, ModuleVersion
from qualify.courses.sources import MODULE_FILE, CourseSource, ModuleSource, Problem, Tree
from qualify.extensions import db

# Fixed here, not left to the server's mime.types: the file view shows some types inline, others not.
CONTENT_TYPES = {
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf", ".mp4": "video/mp4",
    ".webm": "video/webm", ".mp3": "audio/mpeg", ".gift": "text/plain; charset=utf-8",
}


class ImportRefused(Exception):
    """The tree has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_versions: int = 0
    # What an import does besides new text, said in words: a status changed, a module removed or moved.
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def course_file_url(slug: str, path: str) -> str:
    """Return the URL under which a course file is served."""
    return f"/kurse/{slug}/dateien/{path}"


def module_url(slug: str, module_slug: str) -> str:
    """Return the URL of a module page."""
    return f"/kurse/{slug}/module/{module_slug}"


def link_resolver(slug: str):
    """Map relative links in a course's Markdown to the URLs of its files and modules."""

    def resolve(url: str) -> str:
        target, hash_mark, anchor = url.partition("#")
        match = MODULE_FILE.match(target)
        if match:
            return module_url(slug, match.group(2)) + hash_mark + anchor
        if target == "course.md":
            return f"/kurse/{slug}" + hash_mark + anchor
        return course_file_url(slug, target) + hash_mark + anchor

    return resolve


def _render_text(text: str, text_format: str, resolve, language: str = "de") -> str:
    if text_format in ("plain", "html"):  # [html] is shown as text: trainers' HTML is never rendered
        return str(render_plain(text))
    return str(render_markdown(text, resolve_link=resolve, language=language))


def _inline(html: str) -> str:
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def serialise_question(question: Question, resolve, language: str = "de") -> dict:
    """Store a question with every text rendered once, so pages never run the Markdown parser."""

    def html(text: str) -> str:
        return _inline(_render_text(text, question.text_format, resolve, language))

    data = asdict(question)
    del data["lines"]  # where the texts stand in the file: for checking it, not for the pages
    data["text_html"] = html(question.text)
    data["text_before_html"] = html(question.text_before) if question.has_gap else ""
    data["text_after_html"] = html(question.text_after) if question.has_gap else ""
    data["general_feedback_html"] = html(question.general_feedback)
    data["feedback_right_html"] = html(question.feedback_right)
    data["feedback_wrong_html"] = html(question.feedback_wrong)
    for answer, answer_data in zip(question.answers, data["answers"], strict=True):
        del answer_data["lines"]
        answer_data["text_html"] = html(answer.text or "")
        answer_data["feedback_html"] = html(answer.feedback or "")
    return data


def without_title_heading(body: str, title: str) -> str:
    """Drop a first "# Title" that repeats the title: the page shows the title as its heading already."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].strip().lstrip("#").strip() == title.strip() \
            and lines[first].lstrip().startswith("# "):
        lines[first] = ""  # blank, not removed: nothing else in the text moves
    return "\n".join(lines)


def take_turns_on_course(slug: str) -> None:
    """Let the changes of one course run one after another from here until the transaction ends, and forget what
    was read before: a second change waits for the first, then reads – and checks – what the first one made.

    Every change of a course's files takes its turn first, in the editor (qualify.courses.authoring) and on
    import: the same form sent twice at once (a double tap) used to save two versions, or collide on a version
    number or a file name with an error page. By slug, so that a course yet to be created takes turns too.
    """
    take_turns(f"course:{slug}")
    db.session.expire_all()


def import_tree(tree: Tree, *, actor=None) -> ImportReport:
    """Create or update every course of a checked tree; the caller commits (all or nothing)."""
    if not tree.ok:
        raise ImportRefused(tree.problems)
    for slug in sorted(source.slug for source in tree.courses):  # in one order: two imports wait, never deadlock
        take_turns_on_course(slug)
    report = ImportReport()
    for source in tree.courses:
        import_course(source, report, actor=actor)
    db.session.flush()
    if report.changed:
        audit.record("courses.import", actor=actor, created=report.created, updated=report.updated,
                     new_versions=report.new_versions)
    return report


def import_course(source: CourseSource, report: ImportReport, *, actor=None) -> Course:
    """Bring one course in line with its source, making new module versions where content changed."""
    course = db.session.scalar(select(Course).where(Course.slug == source.slug)
                               .options(selectinload(Course.modules).selectinload(Module.current_version),
                                        selectinload(Course.files)))
    is_new = course is None
    if is_new:
        course = Course(slug=source.slug)
        db.session.add(course)
    status_before = None if is_new else course.status
    language_before = course.language
    changed = _update_course_fields(course, source)
    if status_before is not None and course.status != status_before:
        report.notes.append(f"{source.slug}: status {status_before} -> {course.status}")
    changed |= _sync_files(course, source.files)
    changed |= _sync_modules(course, source, report, actor=actor,
                             relabel=not is_new and course.language != language_before)
    if is_new:
        report.created.append(source.slug)
    elif changed:
        report.updated.append(source.slug)
    else:
        report.unchanged.append(source.slug)
    return course


def _update_course_fields(course: Course, source: CourseSource) -> bool:
    if course.source == source.source:
        return False
    meta = source.meta
    course.source = source.source
    course.title = one_line(meta["title"])
    course.summary = meta.get("summary", "")
    course.language = meta.get("language", "de")
    course.audience = meta.get("audience", [])
    course.tags = meta.get("tags", [])
    course.duration_minutes = meta.get("duration_minutes")
    course.pass_percentage = meta.get("pass_percentage", 70)
    course.status = meta.get("status", "draft")
    course.overview_html = _overview_html(source)
    return True


def _overview_html(source: CourseSource) -> str:
    return str(render_markdown(without_title_heading(source.body, source.meta["title"]),
                               resolve_link=link_resolver(source.slug), language=source.language))


def _sync_files(course: Course, files: dict[str, bytes]) -> bool:
    existing = {f.path: f for f in course.files}
    changed = False
    for path, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        current = existing.pop(path, None)
        if current and current.sha256 == digest:
            continue
        content_type = content_type_of(path)
        if current:
            current.data, current.sha256, current.content_type = data, digest, content_type
        else:
            course.files.append(CourseFile(path=path, data=data, sha256=digest, content_type=content_type))
        changed = True
    for stale in existing.values():
        course.files.remove(stale)
        changed = True
    return changed


def content_type_of(path: str) -> str:
    """Return the content type a course file is served with; the same on every server."""
    suffix = PurePosixPath(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _sync_modules(course: Course, source: CourseSource, report: ImportReport, *, actor=None,
                  relabel: bool = False) -> bool:
    """Add, update, move, restore and archive modules; tell whether anything changed. `relabel`: the course's
    language changed, so the labels in the stored HTML of unchanged modules are rendered anew."""
    existing = {module.slug: module for module in course.modules}
    changed = False
    for module_source in source.modules:
        module = existing.pop(module_source.slug, None)
        if module is None:
            module = Module(slug=module_source.slug, position=module_source.position)
            course.modules.append(module)
        if module.id is not None and module.archived:
            report.notes.append(f"{source.slug}: module {module.slug} restored")
        elif module.id is not None and module.position != module_source.position:
            report.notes.append(f"{source.slug}: module {module.slug} moved to position {module_source.position}")
        changed |= module.position != module_source.position or bool(module.archived)
        module.position = module_source.position
        module.archived = False
        content_hash = module_source.content_hash(source.files)
        if module.current_version is None or module.current_version.content_hash != content_hash:
            add_version(module, module_source, content_hash, source.slug, actor=actor, language=source.language)
            report.new_versions += 1
            changed = True
        elif relabel:
            _render_again(module.current_version, module_source, source)
    for removed in existing.values():
        if not removed.archived:
            report.notes.append(f"{source.slug}: module {removed.slug} removed (its progress is kept)")
            changed = True
        removed.archived = True
    return changed


def rendered_module(source: ModuleSource, course_slug: str, language: str = "de") -> dict:
    """The HTML of a module's text and questions, as stored with a version (rendered once, never per request);
    the labels of callouts and tables in the course's language."""
    resolve = link_resolver(course_slug)
    title = source.meta.get("title")  # a preview renders modules that saving would refuse, one without title too
    body = without_title_heading(source.body, title) if isinstance(title, str) else source.body
    return {"body_html": str(render_markdown(body, resolve_link=resolve, language=language)),
            "questions": [serialise_question(q, resolve, language) for q in source.questions]
            + [{**serialise_question(q, resolve, language), "from_bank": True} for q in source.bank_questions]}


def _render_again(version: ModuleVersion, source: ModuleSource, course: CourseSource) -> int:
    """Store the version's HTML rendered anew from its source; return how many texts changed."""
    changed = 0
    for name, value in rendered_module(source, course.slug, course.language).items():
        if getattr(version, name) != value:
            setattr(version, name, value)
            changed += 1
    return changed


def add_version(module: Module, source: ModuleSource, content_hash: str, course_slug: str, *, actor=None,
                note: str = "", language: str = "de") -> ModuleVersion:
    """Save a new version of a module from its checked source and make it the current one."""
    meta = source.meta
    settings = {key: value for key, value in meta.items() if key not in ("title", "kind", "minutes")}
    version = ModuleVersion(
        number=(max((v.number for v in module.versions), default=0) + 1),
        title=one_line(meta["title"]), kind=meta.get("kind", "self-study"), minutes=meta.get("minutes"),
        settings=settings, source=source.source, **rendered_module(source, course_slug, language),
        content_hash=content_hash, created_by_id=getattr(actor, "id", None), note=note)
    module.versions.append(version)
    db.session.flush()
    module.current_version = version
    return version


def rerender_course(course: Course) -> int:
    """Render the stored HTML of a course and its current versions again, after the renderer changed.

    The sources stay as they are, and so do the versions and their numbers: only what is derived from them is
    made anew, from the course exported to a temporary folder and read back by the loader. Return how many
    texts (the overview, a module's text and questions) changed.
    """
    import tempfile

    from qualify.courses.loader import load_course

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / course.slug
        export_course(course, folder)
        source, problems = load_course(folder)
    if source is None or problems:
        raise ValueError(f"course {course.slug} no longer reads cleanly: {'; '.join(map(str, problems[:3]))}")
    changed = 0
    overview = _overview_html(source)
    if overview != course.overview_html:
        course.overview_html, changed = overview, changed + 1
    modules = {module.slug: module for module in course.active_modules}
    for module_source in source.modules:
        changed += _render_again(modules[module_source.slug].current_version, module_source, source)
    return changed


def export_course(course: Course, folder: Path) -> list[Path]:
    """Write a course back as files, exactly as they were imported or saved; return the paths written."""
    contents = {"course.md": course.source.encode("utf-8")}
    contents |= {module.file_name: module.current_version.source.encode("utf-8")
                 for module in course.active_modules}
    contents |= {course_file.path: course_file.data for course_file in course.files}
    written = []
    for name, data in contents.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:  # never write outside the folder
            raise ValueError(f"unsafe path in course {course.slug}: {name!r}")
        path = folder.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)  # bytes: line ends and byte order mark stay as they were imported
        written.append(path)
    return written


def stale_files(course: Course, folder: Path) -> list[Path]:
    """Files in an earlier export's folder that the course no longer has: an import would bring them back."""
    if not folder.is_dir():
        return []
    current = {"course.md", *(m.file_name for m in course.active_modules), *(f.path for f in course.files)}
    return sorted(path for path in folder.rglob("*") if path.is_file() and not path.name.startswith(".")
                  and path.relative_to(folder).as_posix() not in current)


def get_course(slug: str) -> Course | None:
    """Return the course with this slug, or None."""
    return db.session.scalar(select(Course).where(Course.slug == slug))

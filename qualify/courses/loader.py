"""Read a tree of course folders into memory and check it, without touching the database."""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from flask_babel import gettext as _

from qualify.core.markdown import relative_links
from qualify.courses import frontmatter
from qualify.courses.fields import COURSE_FIELDS, KIND_FIELDS, MODULE_FIELDS, check_fields
from qualify.courses.gift import parse_gift
from qualify.courses.gift_model import Question, count_by_kind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9][a-z0-9-]*)\.md$")
QUIZ_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*quiz\s*$")
FILE_FOLDERS = ("medien", "fragen")
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ModuleSource:
    slug: str
    position: int
    file: str
    source: str
    meta: dict[str, Any]
    body: str  # the Markdown without its quiz blocks
    questions: list[Question] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta.get("title", "")

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "self-study")

    def content_hash(self, files: dict[str, bytes]) -> str:
        """Fingerprint the source and the question bank it draws from."""
        digest = hashlib.sha256(self.source.encode())
        bank = self.meta.get("questions")
        if bank:
            digest.update(files.get(bank, b""))
        return digest.hexdigest()


@dataclass
class CourseSource:
    slug: str
    source: str
    meta: dict[str, Any]
    body: str
    modules: list[ModuleSource] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> content

    @property
    def title(self) -> str:
        return self.meta.get("title", "")


@dataclass
class Tree:
    courses: list[CourseSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        """Describe the tree in the shape of `qualify courses validate --json`."""
        return {
            "courses": [{
                "slug": course.slug, "title": course.title,
                "modules": [{"slug": m.slug, "kind": m.kind, "title": m.title,
                             "questions": count_by_kind(m.questions)} for m in course.modules],
            } for course in self.courses],
            "errors": [{"file": p.file, "line": p.line, "message": p.message} for p in self.problems],
        }


def load_tree(root: Path) -> Tree:
    """Read every course folder under root (or root itself, when it is one course)."""
    tree = Tree()
    folders = [root] if (root / "course.md").exists() else sorted(p for p in root.iterdir() if p.is_dir())
    for folder in folders:
        if folder.name.startswith((".", "_")):
            continue
        prefix = "" if folder == root else f"{folder.name}/"
        course, problems = load_course(folder, prefix)
        tree.problems.extend(problems)
        if course:
            tree.courses.append(course)
    return tree


def load_course(folder: Path, prefix: str = "") -> tuple[CourseSource | None, list[Problem]]:
    """Read and check one course folder; file names in problems start with prefix."""
    reader = _CourseReader(folder, prefix)
    return reader.read(), reader.problems


class _CourseReader:
    def __init__(self, folder: Path, prefix: str):
        self.folder = folder
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.banks: dict[str, list[Question]] = {}

    def problem(self, name: str, line: int, message: str) -> None:
        self.problems.append(Problem(f"{self.prefix}{name}", line, message))

    def read(self) -> CourseSource | None:
        if not SLUG.match(self.folder.name):
            self.problem("", 1, _("Der Ordnername „%(name)s“ taugt nicht als Kurskürzel: nur a–z, 0–9 und "
                                  "Bindestriche.", name=self.folder.name))
        course_file = self.folder / "course.md"
        if not course_file.exists():
            self.problem("course.md", 1, _("Die Datei course.md fehlt."))
            return None
        document = self.document("course.md")
        if document is None:
            return None
        for line, message in check_fields(document.meta, COURSE_FIELDS, document.line_of):
            self.problem("course.md", line, message)
        course = CourseSource(slug=self.folder.name, source=self.text("course.md"), meta=document.meta,
                              body=document.body, files=self.read_files())
        self.check_links("course.md", document.body, document.body_line, course.files)
        course.modules = self.read_modules(course.files)
        return course

    def text(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8-sig")

    def document(self, name: str) -> frontmatter.Document | None:
        try:
            return frontmatter.split(self.text(name))
        except UnicodeDecodeError:
            self.problem(name, 1, _("Die Datei ist nicht in UTF-8 gespeichert."))
        except frontmatter.FrontMatterError as error:
            self.problem(name, error.line, error.message)
        return None

    def read_files(self) -> dict[str, bytes]:
        files = {}
        for folder_name in FILE_FOLDERS:
            for path in sorted((self.folder / folder_name).rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    relative = path.relative_to(self.folder).as_posix()
                    if path.stat().st_size > MAX_FILE_BYTES:
                        self.problem(relative, 1, _("Die Datei ist größer als 10 MB."))
                        continue
                    files[relative] = path.read_bytes()
        return files

    def read_modules(self, files: dict[str, bytes]) -> list[ModuleSource]:
        modules, seen_numbers, seen_slugs = [], {}, set()
        for path in sorted(self.folder.glob("*.md")):
            if path.name == "course.md":
                continue
            match = MODULE_FILE.match(path.name)
            if not match:
                self.problem(path.name, 1, _("Modul-Dateien heißen NN-kuerzel.md, z. B. 01-einfuehrung.md."))
                continue
            number, slug = int(match.group(1)), match.group(2)
            if number in seen_numbers:
                self.problem(path.name, 1, _("Die Nummer %(n)02d hat schon %(other)s.", n=number,
                                             other=seen_numbers[number]))
                continue
            if slug in seen_slugs:
                self.problem(path.name, 1, _("Das Kürzel „%(slug)s“ kommt zweimal vor.", slug=slug))
                continue
            seen_numbers[number] = path.name
            seen_slugs.add(slug)
            module = self.read_module(path.name, number, slug, files)
            if module:
                modules.append(module)
        return modules

    def read_module(self, name: str, number: int, slug: str, files: dict[str, bytes]) -> ModuleSource | None:
        document = self.document(name)
        if document is None:
            return None
        meta = document.meta
        spec = {**MODULE_FIELDS, **KIND_FIELDS.get(meta.get("kind", "self-study"), {})}
        misplaced = {key: kind for kind, fields in KIND_FIELDS.items() for key in fields
                     if key in meta and key not in spec}
        for key, kind in misplaced.items():
            self.problem(name, document.line_of(key),
                         _("Das Feld „%(name)s“ gilt nur für Module mit kind: %(kind)s.", name=key, kind=kind))
        checked = {key: value for key, value in meta.items() if key not in misplaced}
        for line, message in check_fields(checked, spec, document.line_of):
            self.problem(name, line, message)
        body, questions = self.split_quizzes(name, document)
        questions += self.bank_questions(name, document, files)
        self.check_links(name, body, document.body_line, files)
        return ModuleSource(slug=slug, position=number, file=name, source=self.text(name), meta=meta,
                            body=body, questions=questions)

    def split_quizzes(self, name: str, document: frontmatter.Document) -> tuple[str, list[Question]]:
        """Take the ```quiz blocks out of the Markdown and parse them as GIFT."""
        lines = document.body.split("\n")
        kept, questions, index = [], [], 0
        while index < len(lines):
            match = QUIZ_FENCE.match(lines[index])
            if not match:
                kept.append(lines[index])
                index += 1
                continue
            fence, start = match.group(2), index
            end = next((i for i in range(index + 1, len(lines)) if lines[i].strip().startswith(fence)), None)
            if end is None:
                self.problem(name, document.body_line + start, _("Der Quiz-Block wird nicht geschlossen."))
                end = len(lines)
            result = parse_gift("\n".join(lines[start + 1:end]), first_line=document.body_line + start + 1)
            questions.extend(result.questions)
            for error in result.errors:
                self.problem(name, error.line, error.message)
            kept.extend([""] * (min(end, len(lines) - 1) - start + 1))  # keep line numbers of what follows
            index = end + 1
        return "\n".join(kept), questions

    def bank_questions(self, name: str, document: frontmatter.Document, files: dict[str, bytes]) -> list[Question]:
        bank = document.meta.get("questions")
        if not isinstance(bank, str):
            return []
        if bank not in files or not bank.endswith(".gift"):
            self.problem(name, document.line_of("questions"),
                         _("Die Fragensammlung „%(path)s“ gibt es nicht.", path=bank))
            return []
        if bank not in self.banks:
            try:
                result = parse_gift(files[bank].decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.problem(bank, 1, _("Die Datei ist nicht in UTF-8 gespeichert."))
                result = None
            self.banks[bank] = result.questions if result else []
            for error in result.errors if result else []:
                self.problem(bank, error.line, error.message)
        questions = self.banks[bank]
        draw = document.meta.get("draw")
        askable = [q for q in questions if q.kind != "description"]
        if isinstance(draw, int) and draw > len(askable):
            self.problem(name, document.line_of("draw"),
                         _("draw: %(draw)d ist mehr, als die Sammlung Fragen hat (%(n)d).", draw=draw, n=len(askable)))
        return list(questions)

    def check_links(self, name: str, body: str, body_line: int, files: dict[str, bytes]) -> None:
        """Report links and images that point to files the course does not have."""
        for line, url in relative_links(body):
            target = url.split("#", 1)[0].split("?", 1)[0]
            if not target:
                continue
            path = PurePosixPath(target)
            if ".." in path.parts or (target not in files and not (self.folder / target).is_file()):
                self.problem(name, body_line + line, _("Der Link „%(url)s“ zeigt auf eine Datei, die es im Kurs "
                                                       "nicht gibt.", url=url))

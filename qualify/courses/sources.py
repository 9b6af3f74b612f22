"""What the loader reads a course into – its files as text, fields and questions –, the names its files may have,
and the checks of one file's text alone (its length, its quiz blocks). The loader (loader.py) reads a folder
into these, checking the files against each other."""

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from qualify.core.markdown import MAX_LENGTH
from qualify.core.text import spelt_out
from qualify.courses import frontmatter
from qualify.courses.gift import parse_gift
from qualify.courses.gift_model import Question, count_by_kind

# Slugs become URLs and fill String(80) columns.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}\Z")
MODULE_FILE = re.compile(r"^([0-9]{2})-([a-z0-9][a-z0-9-]{0,79})\.md\Z")
# A question bank's name, without its folder: like a slug, with the ending .gift. Not wider (no spaces, no
# capitals): it is part of the editor's address and of every module's `questions:` that draws from it.
BANK_FILE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.gift\Z")
BANK_FOLDER = "fragen/"
QUIZ_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*quiz\s*$")
MEDIA_FOLDER = "medien/"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    # The course file the problem is about, when it is a link or reference to one that is not there: a refused
    # deletion names the places that still use the file instead of calling them broken.
    target: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def in_line_order(problems: list[Problem]) -> list[Problem]:
    """Sort problems by line within each file, the files in the order they were read."""
    files = {name: index for index, name in enumerate(dict.fromkeys(problem.file for problem in problems))}
    return sorted(problems, key=lambda problem: (files[problem.file], problem.line))


def bank_slug(text: str) -> str:
    """A question bank's name (without .gift) made of any text, "" when nothing is left: "Sicherheit HV" →
    "sicherheit-hv", "Prüfung Öl" → "pruefung-oel"."""
    stem = re.sub(r"[^a-z0-9]+", "-", secure_filename(spelt_out(text)).lower()).strip("-")
    return stem[:61].rstrip("-")


def bank_name_problem(name: str) -> str | None:
    """Say which names a question bank may have, when `name` (its file name, "Sicherheit HV.gift") is none of
    them, with the name it could have instead; None when it is fine."""
    if BANK_FILE.match(name):
        return None
    stem = name.rsplit(".", 1)[0]  # its ending, whichever: a bank saved as .txt is meant to be one too
    return _("Name der Fragensammlung „%(name)s“: erlaubt sind nur Kleinbuchstaben a–z, Ziffern und Bindestriche "
             "(höchstens 61 Zeichen) mit der Endung .gift, z. B. „%(example)s“.",
             name=name, example=f"{bank_slug(stem) or 'notfall'}.gift")


def length_problem(text: str, limit: int = MAX_LENGTH) -> tuple[int, str] | None:
    """(line, message) when a Markdown file is longer than the renderer takes, else None.

    Counted as the editor shows the text – a line end is one character, whether the file or the browser writes
    it as CR LF –, so that the preview, a save and the file on disk all give the same number; the line is the
    one where the text passes the limit.
    """
    counted = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if len(counted) <= limit:
        return None
    return counted.count("\n", 0, limit) + 1, _(
        "Der Text ist zu lang (%(length)s Zeichen). Erlaubt sind höchstens %(limit)s Zeichen; in dieser Zeile "
        "wird die Grenze überschritten.", length=format_decimal(len(counted)), limit=format_decimal(limit))


@dataclass
class ModuleSource:
    slug: str
    position: int
    file: str
    source: str
    meta: dict[str, Any]
    body: str  # the Markdown without its quiz blocks
    questions: list[Question] = field(default_factory=list)  # the quiz blocks' questions
    quiz_at: list[int] = field(default_factory=list)  # where in the body (0-based lines) each quiz block stood
    bank_questions: list[Question] = field(default_factory=list)  # the bank's, drawn from per attempt

    @property
    def all_questions(self) -> list[Question]:
        return self.questions + self.bank_questions

    @property
    def title(self) -> str:
        return self.meta.get("title", "")

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "self-study")

    def content_hash(self, files: dict[str, bytes]) -> str:
        """Fingerprint the source and the question bank it draws from."""
        bank = self.meta.get("questions")
        return content_hash(self.source, files.get(bank, b"") if bank else None)


def content_hash(source: str, bank: bytes | None) -> str:
    """Fingerprint a module's source and the content of the question bank it draws from (None: it draws from
    none): an import makes a new version when this changes."""
    digest = hashlib.sha256(source.encode())
    if bank is not None:
        digest.update(bank)
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

    @property
    def language(self) -> str:
        """The language of the course's texts: labels in their HTML are written in it."""
        language = self.meta.get("language")
        return language if isinstance(language, str) else "de"  # a preview reads front matter saving would refuse


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
                             "questions": count_by_kind(m.all_questions)} for m in course.modules],
            } for course in self.courses],
            "errors": [{"file": p.file, "line": p.line, "message": p.message} for p in self.problems],
        }


def split_quizzes(document: frontmatter.Document) -> tuple[str, list[Question], list[int], list[tuple[int, str]]]:
    """Take the ```quiz blocks out of the Markdown and parse them as GIFT; say where each stood, and the problems
    found in them as (file line, message).

    All blocks of a module make its one quiz, shown after the whole text (the learning pages grade a module's
    questions together, as one attempt)."""
    lines = document.body.split("\n")
    kept, questions, quiz_at, problems, index = [], [], [], [], 0
    while index < len(lines):
        match = QUIZ_FENCE.match(lines[index])
        if not match:
            kept.append(lines[index])
            index += 1
            continue
        fence, start = match.group(2), index
        quiz_at.append(start)
        closing = re.compile(rf"^\s{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((i for i in range(index + 1, len(lines)) if closing.match(lines[i])), None)
        if end is None:
            problems.append((document.body_line + start, _("Der Quiz-Block wird nicht geschlossen.")))
            end = len(lines)
        result = parse_gift("\n".join(lines[start + 1:end]), first_line=document.body_line + start + 1)
        questions.extend(result.questions)
        problems.extend((error.line, error.message) for error in result.errors)
        kept.extend([""] * (min(end, len(lines) - 1) - start + 1))  # keep line numbers of what follows
        index = end + 1
    return "\n".join(kept), questions, quiz_at, problems


def module_as_typed(file: str, text: str) -> ModuleSource | None:
    """A module file's body as read_module takes it (its quiz blocks out, where each stood), with its fields where
    they read and without them where they do not: for the editor's preview, which shows the body of a module that
    saving refuses too. None when the body cannot be found (the second --- missing) or the file is too long."""
    if length_problem(text):
        return None
    try:
        document = frontmatter.split(text)
    except frontmatter.FrontMatterError as error:
        document = error.body
    if document is None:
        return None
    body, questions, quiz_at, _problems = split_quizzes(document)
    match = MODULE_FILE.match(file)
    return ModuleSource(slug=match.group(2) if match else "", position=int(match.group(1)) if match else 0,
                        file=file, source=text, meta=document.meta, body=body, questions=questions,
                        quiz_at=quiz_at)

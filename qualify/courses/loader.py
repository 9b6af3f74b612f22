"""Read a tree of course folders into memory and check it, without touching the database.

What it reads them into, and the checks of one file alone, are in sources; the checks of links in course_links."""

import os
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

from qualify.courses import frontmatter
from qualify.courses.authoring_media import MAX_MEDIA_BYTES, media_name_problem, media_problem
from qualify.courses.course_links import link_problems
from qualify.courses.fields import COURSE_FIELDS, KIND_FIELDS, MODULE_FIELDS, check_fields
from qualify.courses.gift import parse_gift
from qualify.courses.gift_model import Question
from qualify.courses.sources import (
    BANK_FOLDER,
    MEDIA_FOLDER,
    MODULE_FILE,
    SLUG,
    CourseSource,
    ModuleSource,
    Problem,
    Tree,
    bank_name_problem,
    in_line_order,
    length_problem,
    split_quizzes,
)

FILE_FOLDERS = ("medien", "fragen")
MAX_FILE_BYTES = 10 * 1024 * 1024  # a question bank; media may have half, as in the browser


def load_tree(root: Path) -> Tree:
    """Read every course folder under root (or root itself, when it is one course)."""
    tree = Tree()
    if _is_course(root):
        folders = [root]
    else:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
        if not folders:
            tree.problems.append(
                Problem(".", 1, _("Hier gibt es keinen Kurs: keinen Ordner mit einer course.md.")))
    for folder in folders:
        prefix = "" if folder == root else f"{folder.name}/"
        course, problems = load_course(folder, prefix)
        tree.problems.extend(problems)
        if course:
            tree.courses.append(course)
    return tree


def _is_course(folder: Path) -> bool:
    return (folder / "course.md").exists() or any(MODULE_FILE.match(p.name) for p in folder.glob("*.md"))


def load_course(folder: Path, prefix: str = "") -> tuple[CourseSource | None, list[Problem]]:
    """Read and check one course folder; file names in problems start with prefix."""
    reader = _CourseReader(folder, prefix)
    return reader.read(), in_line_order(reader.problems)


def load_course_and_modules(folder: Path) -> tuple[CourseSource | None, list[ModuleSource], list[Problem]]:
    """load_course, and the modules that read – also when course.md does not, which leaves no course: the
    editor's preview shows a module as saving reads it, with the questions of the bank it draws from."""
    reader = _CourseReader(folder, "")
    course = reader.read()
    return course, reader.modules, in_line_order(reader.problems)


class _CourseReader:
    def __init__(self, folder: Path, prefix: str):
        self.folder = folder
        self.prefix = prefix
        self.slug = Path(os.path.abspath(folder)).name  # "." names the folder it stands for
        self.problems: list[Problem] = []
        self.files: dict[str, bytes] = {}
        self.banks: dict[str, list[Question]] = {}
        self.link_targets: set[str] = set()
        self.modules: list[ModuleSource] = []  # those that read, also when course.md does not

    def problem(self, name: str, line: int, message: str, target: str = "") -> None:
        self.problems.append(Problem(f"{self.prefix}{name}", line, message, target))

    def read(self) -> CourseSource | None:
        if not SLUG.match(self.slug):
            self.problems.append(Problem(
                self.prefix.rstrip("/") or ".", 1,
                _("Der Ordnername „%(name)s“ taugt nicht als Kurskürzel: nur a–z, 0–9 und Bindestriche, "
                  "höchstens 80 Zeichen.", name=self.slug)))
        self.check_entries()
        # A course.md that is missing or does not read leaves no course, but the other files are still checked
        # and their problems reported with it: an author fixes everything in one go, not one file per run.
        read, unread = None, []  # unread: the body of a course.md whose front matter does not read, checked below
        if not (self.folder / "course.md").exists():
            self.problem("course.md", 1, _("Die Datei course.md fehlt."))
        else:
            read = self.document("course.md", lambda _name, body: unread.append(body))
        text, document = read or (None, None)
        if document is not None:
            for line, message in check_fields(document.meta, COURSE_FIELDS, document.line_of):
                self.problem("course.md", line, message)
        self.files = self.read_files()
        module_files = sorted(p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() == ".md"
                              and p.name != "course.md")
        self.link_targets = ({path for path in self.files if path.startswith(MEDIA_FOLDER)} | {"course.md"}
                             | {p.name for p in module_files if MODULE_FILE.match(p.name)})
        self.read_banks()
        for body in [document] if document is not None else unread:  # its links, once the files are known
            self.check_body("course.md", body.body, body.body_line)
        self.modules = self.read_modules(module_files)
        if document is None:
            return None
        course = CourseSource(slug=self.slug, source=text, meta=document.meta, body=document.body,
                              files=self.files, modules=self.modules)
        if document.meta.get("status") == "published" and not module_files:
            # Nothing to do would mean done at once: every enrolment a certificate.
            self.problem("course.md", document.line_of("status"),
                         _("Ein veröffentlichter Kurs braucht mindestens ein Modul. Legen Sie zuerst ein Modul an "
                           "oder lassen Sie den Kurs im Entwurf (status: draft)."))
        return course

    def check_entries(self) -> None:
        """Report files and folders that would be left behind silently."""
        for path in sorted(self.folder.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir() and path.name not in FILE_FOLDERS:
                self.problem(path.name, 1, _("Unerwarteter Ordner „%(name)s“: Bilder und Dateien gehören "
                                             "nach medien/, Fragensammlungen nach fragen/.", name=path.name))
            elif not path.is_dir() and path.suffix.lower() != ".md":
                self.problem(path.name, 1, _("Unerwartete Datei „%(name)s“: Module heißen NN-kuerzel.md, "
                                             "Bilder und Dateien gehören nach medien/, Fragensammlungen nach "
                                             "fragen/.", name=path.name))

    def decode(self, name: str, data: bytes) -> str | None:
        """Decode UTF-8 as written (byte order mark, line ends included), so export gives it back."""
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.problem(name, data.count(b"\n", 0, error.start) + 1,
                         _("Die Datei ist nicht in UTF-8 gespeichert. Speichern Sie sie in Ihrem Editor als "
                           "UTF-8."))
            return None

    def document(self, name: str, check_body=None) -> tuple[str, frontmatter.Document] | None:
        """Read a Markdown file of the course: its text and front matter, or None when either does not read.

        Front matter that does not read leaves the file out of the course, but where its body can still be
        found, `check_body(name, body)` checks it all the same: an author fixes the fields and the body in one go.
        """
        path = self.folder / name
        if path.is_symlink():
            self.problem(name, 1, _("Verknüpfungen (Symlinks) sind nicht erlaubt: Legen Sie die Datei "
                                    "selbst ab."))
            return None
        text = self.decode(name, path.read_bytes())
        if text is None:
            return None
        too_long = length_problem(text)
        if too_long:  # the whole file, as the editor counts it: its body, which the renderer takes, is shorter
            self.problem(name, *too_long)
            return None
        try:
            document = frontmatter.split(text)
        except frontmatter.FrontMatterError as error:
            self.problem(name, error.line, error.message)
            if error.body is not None and check_body is not None:
                check_body(name, error.body)
            return None
        return text, document

    def read_files(self) -> dict[str, bytes]:
        files = {}
        inside = self.folder.resolve()
        for folder_name in FILE_FOLDERS:
            limit = MAX_MEDIA_BYTES if folder_name == "medien" else MAX_FILE_BYTES
            for path in sorted((self.folder / folder_name).rglob("*")):
                relative = path.relative_to(self.folder).as_posix()
                if any(part.startswith(".") for part in path.relative_to(self.folder).parts):
                    continue
                if path.is_symlink() or not path.resolve().is_relative_to(inside):
                    self.problem(relative, 1, _("Verknüpfungen (Symlinks) sind nicht erlaubt: Legen Sie die "
                                                "Datei selbst ab."))
                elif not path.is_file():
                    continue
                elif path.stat().st_size > limit:
                    self.problem(relative, 1, _("Die Datei ist größer als %(size)d MB.", size=limit // 2**20))
                else:
                    files[relative] = path.read_bytes()
                    if folder_name == "medien":
                        self.check_media(relative, files[relative])
        return files

    def check_media(self, relative: str, data: bytes) -> None:
        """Check a file in medien/ as the browser's upload does: by its name and its content."""
        problem = media_name_problem(relative.removeprefix(MEDIA_FOLDER)) or media_problem(relative, data)
        if problem:
            self.problem(relative, 1, problem)

    def read_banks(self) -> None:
        """Parse every question bank, also those no module draws from yet."""
        for path, data in self.files.items():
            if not path.startswith(BANK_FOLDER):
                continue
            # fragen/ holds question banks only: a file named otherwise could not be opened in the editor, nor
            # drawn from. A .gift file is read all the same, so that its other problems are said at once.
            name_problem = bank_name_problem(path.removeprefix(BANK_FOLDER))
            if name_problem:
                self.problem(path, 1, name_problem)
            if not path.endswith(".gift"):
                continue
            text = self.decode(path, data)
            result = parse_gift(text) if text is not None else None
            self.banks[path] = result.questions if result else []
            for error in result.errors if result else []:
                self.problem(path, error.line, error.message)
            self.check_questions(path, self.banks[path])

    def read_modules(self, paths: list[Path]) -> list[ModuleSource]:
        modules, seen_numbers, seen_slugs = [], {}, {}
        for path in paths:
            match = MODULE_FILE.match(path.name)
            if not match:
                self.problem(path.name, 1, _("Modul-Dateien heißen NN-kuerzel.md, z. B. 01-einfuehrung.md: "
                                             "zwei Ziffern, dann a–z, 0–9 und Bindestriche."))
                continue
            number, slug = match.group(1), match.group(2)
            if number in seen_numbers:
                self.problem(path.name, 1, _("Die Nummer %(n)s ist schon an %(other)s vergeben.", n=number,
                                             other=seen_numbers[number]))
                continue
            if slug in seen_slugs:
                self.problem(path.name, 1, _("Das Kürzel „%(slug)s“ ist schon an %(other)s vergeben.",
                                             slug=slug, other=seen_slugs[slug]))
                continue
            seen_numbers[number] = seen_slugs[slug] = path.name
            module = self.read_module(path.name, int(number), slug)
            if module:
                modules.append(module)
        return modules

    def read_module(self, name: str, number: int, slug: str) -> ModuleSource | None:
        read = self.document(name, self.check_module_body)
        if read is None:
            return None
        text, document = read
        meta = document.meta
        kind = meta.get("kind", "self-study")
        spec = {**MODULE_FIELDS, **(KIND_FIELDS.get(kind, {}) if isinstance(kind, str) else {})}
        misplaced = {key: kind for kind, fields in KIND_FIELDS.items() for key in fields
                     if key in meta and key not in spec}
        for key, owner in misplaced.items():
            self.problem(name, document.line_of(key), _("Das Feld „%(name)s“ gilt nur für Module mit kind: "
                                                        "%(kind)s.", name=key, kind=owner))
        checked = {key: value for key, value in meta.items() if key not in misplaced}
        for line, message in check_fields(checked, spec, document.line_of):
            self.problem(name, line, message)
        body, questions, quiz_at = self.split_quizzes(name, document)
        self.check_questions(name, questions)
        bank_questions = self.bank_questions(name, document)
        self.check_body(name, body, document.body_line)
        return ModuleSource(slug=slug, position=number, file=name, source=text, meta=meta,
                            body=body, questions=questions, quiz_at=quiz_at, bank_questions=bank_questions)

    def check_module_body(self, name: str, document: frontmatter.Document) -> None:
        """Check a module's body as read_module does (quiz blocks, links), when its front matter does not read."""
        body, questions, _quiz_at = self.split_quizzes(name, document)
        self.check_questions(name, questions)
        self.check_body(name, body, document.body_line)

    def split_quizzes(self, name: str, document: frontmatter.Document) -> tuple[str, list[Question], list[int]]:
        """Take the quiz blocks out of the module's body (split_quizzes), saying each problem with its line."""
        body, questions, quiz_at, problems = split_quizzes(document)
        for line, message in problems:
            self.problem(name, line, message)
        return body, questions, quiz_at

    def bank_questions(self, name: str, document: frontmatter.Document) -> list[Question]:
        bank = document.meta.get("questions")
        if "draw" in document.meta and "questions" not in document.meta:
            # Only a bank is drawn from: every attempt asks all the questions of the quiz blocks.
            self.problem(name, document.line_of("draw"),
                         _("draw zieht Fragen aus einer Fragensammlung: Nennen Sie sie mit questions: "
                           "fragen/name.gift. Die Fragen der quiz-Blöcke stellt jeder Versuch alle."))
        if not isinstance(bank, str):
            return []
        if bank not in self.banks:
            misnamed = bank.startswith(BANK_FOLDER) and bank_name_problem(bank.removeprefix(BANK_FOLDER))
            self.problem(name, document.line_of("questions"),
                         misnamed or _("Die Fragensammlung „%(path)s“ gibt es nicht.", path=bank), target=bank)
            return []
        questions = self.banks[bank]
        draw = document.meta.get("draw")
        askable = [q for q in questions if q.kind != "description"]
        if isinstance(draw, int) and not isinstance(draw, bool) and draw > len(askable):
            self.problem(name, document.line_of("draw"),
                         ngettext("draw: %(draw)d ist mehr, als die Fragensammlung hat (%(num)d Frage).",
                                  "draw: %(draw)d ist mehr, als die Fragensammlung hat (%(num)d Fragen).",
                                  len(askable), draw=draw))
        return list(questions)

    def check_questions(self, name: str, questions: list[Question]) -> None:
        """Check that each question can be told apart, and the links in texts, answers and feedback."""
        first_line: dict[str, int] = {}
        for question in questions:
            # Answers and results are kept by the question's key (category, title, text): two questions alike
            # in those would share one set of answers, and a learner's choice in one would grade both.
            if question.kind != "description" and first_line.setdefault(question.key, question.line) != question.line:
                self.problem(name, question.line, _("Diese Frage hat denselben Titel und Text wie die in Zeile "
                                                    "%(line)d. Geben Sie ihr einen eigenen Titel (::Titel::), "
                                                    "sonst lassen sich die Antworten nicht auseinanderhalten.",
                                                    line=first_line[question.key]))
            if not question.is_markdown:
                continue
            for text, line in question.texts_at():  # each at the line it begins on: a link in line 135 is named there
                self.check_body(name, text, line)

    def check_body(self, name: str, body: str, body_line: int) -> None:
        """Report links and images that the renderer would drop, and those that point to files the course does
        not publish."""
        for line, message, target in link_problems(body, body_line, self.files, self.link_targets):
            self.problem(name, line, message, target)

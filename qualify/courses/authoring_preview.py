"""What the editor shows beside the typed text: the text as learners will see it, with its quiz and the
problems by line, and the authoring guide."""

import re
import secrets
import tempfile
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from markupsafe import Markup, escape

from qualify.core.markdown import MarkdownTooLarge, render_markdown
from qualify.courses import frontmatter, services
from qualify.courses.authoring import BANK_FOLDER, conform
from qualify.courses.gift import parse_gift
from qualify.courses.loader import load_course_and_modules
from qualify.courses.models import Course
from qualify.courses.quiz_size import QuizSize, quiz_size  # the preview counts a quiz as an attempt asks it
from qualify.courses.sources import MODULE_FILE, Problem, length_problem, module_as_typed

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


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
        source, modules, problems = load_course_and_modules(folder)
    language = source.language if source is not None else course.language
    if name.startswith(BANK_FOLDER):
        resolve = services.link_resolver(course.slug)
        questions = [services.serialise_question(question, resolve, language)
                     for question in parse_gift(conform(text, "")).questions]
        return Preview(Markup(), questions, problems, quiz_size(questions))
    # Read also when course.md does not (which leaves no course): with the bank's questions, course.md's problem
    # said above them.
    module = next((m for m in modules if m.file == name), None)
    if module is None and MODULE_FILE.match(name):
        # Refused (its front matter does not read): its body still shows, as far as it renders, with the
        # problems of the fields and of the body together, as the save names them.
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

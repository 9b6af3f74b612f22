"""Parse Moodle's GIFT question format into questions, collecting errors instead of raising.

Follows https://docs.moodle.org/en/GIFT_format: blank lines separate questions, `//` lines
are comments, `$CATEGORY:` lines set the category of the questions after them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from qualify.courses.gift_answers import (
    Block,
    GiftSyntaxError,
    find_sequence,
    find_unescaped,
    parse_answer_block,
    unescape,
)
from qualify.courses.gift_model import (
    GAP_MARKER,
    TEXT_FORMATS,
    GiftError,
    GiftResult,
    Question,
    count_by_kind,
)

__all__ = ["parse_gift", "count_by_kind", "GiftResult", "GiftError", "Question", "GAP_MARKER"]

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_FORMAT_RE = re.compile(r"\[([a-z]{2,})\]")
_CATEGORY_PREFIX = "$CATEGORY:"


@dataclass
class Source:
    """The text of one question and the file line of every offset in it."""

    text: str
    starts: list[int]
    lines: list[int]

    def line_at(self, offset: int) -> int:
        """Return the file line holding the character at `offset`."""
        return self.lines[max(bisect_right(self.starts, offset) - 1, 0)]


def parse_gift(text: str, *, first_line: int = 1) -> GiftResult:
    """Parse GIFT text; line numbers in the result count from `first_line`."""
    result = GiftResult()
    for category, source in _questions(text, first_line):
        try:
            question = _parse_question(source, category)
        except GiftSyntaxError as problem:
            line = source.line_at(problem.offset) if problem.offset is not None else source.lines[0]
            result.errors.append(GiftError(line, problem.message))
        else:
            result.questions.append(question)
    return result


def _questions(text: str, first_line: int) -> Iterator[tuple[str | None, Source]]:
    """Yield each question's source with the category in force, skipping comments."""
    category: str | None = None
    pending: list[tuple[int, str]] = []
    for number, line in enumerate(_LINE_BREAK_RE.split(text), start=first_line):
        # A byte order mark is no text: the file's own, or one that copying two files into one left at a line's
        # start, where it would hide a comment or a $CATEGORY: from the checks below.
        line = line.lstrip("\ufeff")
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if stripped and not stripped.startswith(_CATEGORY_PREFIX):
            pending.append((number, line))
            continue
        if pending:
            yield category, _source(pending)
            pending = []
        if stripped:
            category = stripped.removeprefix(_CATEGORY_PREFIX).strip() or None
    if pending:
        yield category, _source(pending)


def _source(numbered_lines: list[tuple[int, str]]) -> Source:
    starts, offset = [], 0
    for _number, line in numbered_lines:
        starts.append(offset)
        offset += len(line) + 1
    text = "\n".join(line for _number, line in numbered_lines)
    return Source(text, starts, [number for number, _line in numbered_lines])


def _parse_question(source: Source, category: str | None) -> Question:
    """Turn one question's source into a Question, or raise GiftSyntaxError."""
    text = source.text
    title, position = _read_title(text)
    text_format, position = _read_format(text, position)
    opening = find_unescaped(text, "{", position)
    if opening is None:
        _refuse_braces(text, position, len(text))
        return _question(source, category, title, text_format, (position, len(text)), None, Block("description"))
    _refuse_braces(text, position, opening)
    closing = find_unescaped(text, "}", opening + 1)
    nested = find_unescaped(text, "{", opening + 1)
    if closing is None or (nested is not None and nested < closing):
        raise GiftSyntaxError(_("Die geschweifte Klammer { wird nicht geschlossen."), opening)
    _refuse_second_block(text, closing + 1)
    return _question(source, category, title, text_format, (position, opening), (closing + 1, len(text)),
                     parse_answer_block(text, opening + 1, closing, source.line_at))


def _question(source: Source, category: str | None, title: str | None, text_format: str,
              before_at: tuple[int, int], after_at: tuple[int, int] | None, block: Block) -> Question:
    """Make the question of its text before the answer block, after it (`after_at` None: no block) and the
    block; each given as (start, end) in the source, so that the question knows the line each begins on."""
    before = _plain_text(source.text, *before_at)
    after = _plain_text(source.text, *after_at) if after_at else ""
    if not before and not after:
        raise GiftSyntaxError(_("Die Frage hat keinen Text."), None)
    text = " ".join(part for part in (before, GAP_MARKER, after) if part) if after else before
    lines = {"text_before": source.line_at(_begins(source.text, *before_at)), **block.lines}
    if after_at:
        lines["text_after"] = source.line_at(_begins(source.text, *after_at))
    return Question(kind=block.kind, text=text, title=title, text_format=text_format, answers=block.answers,
                    general_feedback=block.general_feedback, category=category, line=source.lines[0],
                    text_before=before, text_after=after, correct=block.correct,
                    feedback_right=block.feedback_right, feedback_wrong=block.feedback_wrong, lines=lines)


def _read_title(text: str) -> tuple[str | None, int]:
    """Read a leading `::title::` and return it with the offset after it."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("::", start):
        return None, start
    end = find_sequence(text, "::", start + 2)
    if end is None:
        raise GiftSyntaxError(_("Der Titel beginnt mit ::, wird aber nicht mit :: abgeschlossen."), start)
    return unescape(text[start + 2:end]).strip() or None, end + 2


def _read_format(text: str, position: int) -> tuple[str, int]:
    """Read a leading `[markdown]`-style marker and return the format with the offset after it."""
    start = position + len(text[position:]) - len(text[position:].lstrip())
    match = _FORMAT_RE.match(text, start)
    if not match:
        return "moodle", position
    name = match.group(1)
    if name in TEXT_FORMATS:
        return name, match.end()
    if text[match.end():match.end() + 1] in ("(", "[", ":"):
        return "moodle", position  # a Markdown link or reference, not a marker
    raise GiftSyntaxError(_("Unbekanntes Textformat [%(name)s]. Erlaubt sind [moodle], [markdown], "
                            "[plain] und [html].", name=name), start)


def _refuse_braces(text: str, start: int, end: int) -> None:
    """Complain about a `}` that closes nothing."""
    stray = find_unescaped(text, "}", start, end)
    if stray is not None:
        raise GiftSyntaxError(_("Unerwartete schließende Klammer } ohne öffnende {."), stray)


def _refuse_second_block(text: str, start: int) -> None:
    """Complain about anything brace-like after the answer block."""
    stray = find_unescaped(text, "{}", start)
    if stray is None:
        return
    if text[stray] == "}":
        raise GiftSyntaxError(_("Unerwartete schließende Klammer } ohne öffnende {."), stray)
    raise GiftSyntaxError(_("Eine Frage darf nur einen Antwortblock {…} haben. Trennen Sie Fragen "
                            "durch eine Leerzeile."), stray)


def _plain_text(text: str, start: int, end: int) -> str:
    return unescape(text[start:end]).strip()


def _begins(text: str, start: int, end: int) -> int:
    """Return the offset where the text in `start:end` begins, after white space."""
    part = text[start:end]
    return start + len(part) - len(part.lstrip())

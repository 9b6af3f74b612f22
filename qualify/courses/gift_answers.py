"""Parse the answer block `{…}` of a GIFT question and GIFT's backslash escapes."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from flask_babel import gettext as _

from qualify.courses.gift_model import Answer

ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "\\": "\\", "n": "\n"}
TRUE_WORDS = frozenset({"T", "TRUE"})
FALSE_WORDS = frozenset({"F", "FALSE"})
# Weights such as 33.3 % three times should pass; a forgotten answer (50 + 30) should not.
WEIGHT_SUM_TOLERANCE = 0.005

_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_WEIGHT_RE = re.compile(r"%\s*([-+]?\d+(?:[.,]\d+)?)\s*%")
_NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?")


# Where a text begins in the file: the line of an offset into the question's source.
LineAt = Callable[[int], int]


class GiftSyntaxError(Exception):
    """A problem in one question, at a character offset of its source (None: the question as a whole)."""

    def __init__(self, message: str, offset: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class Block:
    """What an answer block says: the question kind and its answers."""

    kind: str
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    correct: bool | None = None
    feedback_right: str = ""
    feedback_wrong: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # as Question.lines: where its feedbacks begin


@dataclass
class _Segment:
    """One answer's span: its marker (= or ~), where its text starts and ends, where to point errors."""

    marker: str
    start: int
    end: int
    at: int


def unescape(text: str) -> str:
    """Resolve GIFT escapes (\\~ \\= \\# \\{ \\} \\: \\\\ and \\n); leave other backslashes for Markdown."""
    return _ESCAPE_RE.sub(lambda match: ESCAPES.get(match.group(1), match.group(0)), text)


def find_unescaped(text: str, chars: str, start: int = 0, end: int | None = None) -> int | None:
    """Return the offset of the first unescaped character out of `chars`, or None."""
    return _first_match(_pattern("[" + re.escape(chars) + "]"), text, start, end)


def find_sequence(text: str, sequence: str, start: int = 0, end: int | None = None) -> int | None:
    """Return the offset of the first unescaped occurrence of `sequence`, or None."""
    return _first_match(_pattern(re.escape(sequence)), text, start, end)


@cache
def _pattern(target: str) -> re.Pattern[str]:
    return re.compile(r"\\.|" + target, re.DOTALL)


def _first_match(pattern: re.Pattern[str], text: str, start: int, end: int | None) -> int | None:
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        if not match.group().startswith("\\"):
            return match.start()
    return None


def parse_answer_block(text: str, start: int, end: int, line_at: LineAt = lambda _offset: 0) -> Block:
    """Parse `text[start:end]`, the inside of `{…}`, into a Block; `line_at` tells where its texts begin."""
    general_feedback, feedback_line = "", None
    marker = find_sequence(text, "####", start, end)
    if marker is not None:
        general_feedback = unescape(text[marker + 4:end]).strip()
        feedback_line = line_at(_trim(text, marker + 4, end)[0])
        end = marker
    block = _answers(text, *_trim(text, start, end), brace=start - 1, line_at=line_at)
    block.general_feedback = general_feedback
    if feedback_line is not None:
        block.lines["general_feedback"] = feedback_line
    return block


def _answers(text: str, low: int, high: int, *, brace: int, line_at: LineAt) -> Block:
    """Tell the question kind from the block's shape and parse its answers."""
    if low == high:
        return Block("essay")
    if text[low] == "#":
        return _numerical(text, *_trim(text, low + 1, high), brace=brace, line_at=line_at)
    head_end = find_unescaped(text, "#", low, high)
    head_end = high if head_end is None else head_end
    word = text[low:head_end].strip().upper()
    if word in TRUE_WORDS | FALSE_WORDS:
        return _true_false(text, word in TRUE_WORDS, head_end, high, line_at)
    segments = _segments(text, low, high)
    if any(find_sequence(text, "->", segment.start, segment.end) is not None for segment in segments):
        return _matching(text, segments, brace=brace, line_at=line_at)
    if any(segment.marker == "~" for segment in segments):
        return _choice(text, segments, brace=brace, line_at=line_at)
    return _short_answer(text, segments, brace=brace, line_at=line_at)


def _segments(text: str, low: int, high: int) -> list[_Segment]:
    """Split the block at unescaped = and ~ into one segment per answer."""
    marks = []
    position = low
    while (mark := find_unescaped(text, "=~", position, high)) is not None:
        marks.append(mark)
        position = mark + 1
    if not marks or text[low:marks[0]].strip():
        raise GiftSyntaxError(_("Antworten beginnen mit = (richtig) oder ~ (falsch); für Wahr/Falsch "
                                "schreiben Sie {T} oder {F}."), low)
    ends = marks[1:] + [high]
    return [_Segment(text[mark], mark + 1, end, mark) for mark, end in zip(marks, ends, strict=True)]


def _true_false(text: str, correct: bool, head_end: int, high: int, line_at: LineAt) -> Block:
    """Read `{T#feedback if answered wrong#feedback if answered right}`."""
    block = Block("true_false", correct=correct)
    if head_end < high:
        wrong, right = _text_and_feedback(text, head_end + 1, high, line_at)
        block.feedback_wrong, block.feedback_right = wrong.text, right.text
        block.lines = {"feedback_wrong": wrong.line, "feedback_right": right.line}
    return block


def _choice(text: str, segments: list[_Segment], *, brace: int, line_at: LineAt) -> Block:
    """Read single choice (some =) or multiple answers (only ~ with weights)."""
    answers = [_answer(text, segment, 1.0 if segment.marker == "=" else 0.0, line_at) for segment in segments]
    _require_correct(answers, brace)
    if any(segment.marker == "=" for segment in segments):
        return Block("single_choice", answers)
    total = sum(answer.fraction for answer in answers if answer.fraction > 0)
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise GiftSyntaxError(_("Die positiven Gewichtungen ergeben zusammen %(total)s %% statt 100 %%.",
                                total=f"{total * 100:g}"), brace)
    return Block("multiple_choice", answers)


def _short_answer(text: str, segments: list[_Segment], *, brace: int, line_at: LineAt) -> Block:
    """Read accepted answers `=a =b =%50%c`."""
    answers = [_answer(text, segment, 1.0, line_at) for segment in segments]
    _require_correct(answers, brace)
    return Block("short_answer", answers)


def _answer(text: str, segment: _Segment, default_fraction: float, line_at: LineAt) -> Answer:
    """Read `%weight%text#feedback` of one choice or short answer."""
    fraction, position = _weight(text, segment)
    answer_text, feedback = _text_and_feedback(text, position, segment.end, line_at)
    if not answer_text.text:
        raise GiftSyntaxError(_("Die Antwort ist leer."), segment.at)
    return Answer(answer_text.text, default_fraction if fraction is None else fraction, feedback.text,
                  lines={"text": answer_text.line, "feedback": feedback.line})


def _weight(text: str, segment: _Segment) -> tuple[float | None, int]:
    """Read an optional `%weight%` and return it as a fraction with the offset after it."""
    position, _end = _trim(text, segment.start, segment.end)
    match = _WEIGHT_RE.match(text, position, segment.end)
    if not match:
        return None, position
    weight = float(match.group(1).replace(",", "."))
    if not -100 <= weight <= 100:
        raise GiftSyntaxError(_("Die Gewichtung %(weight)s %% liegt außerhalb von -100 %% bis 100 %%.",
                                weight=match.group(1)), segment.at)
    return weight / 100, match.end()


@dataclass(frozen=True)
class _Text:
    """A text of the block, and the file line it begins on."""

    text: str
    line: int


def _text_and_feedback(text: str, start: int, end: int, line_at: LineAt) -> tuple[_Text, _Text]:
    """Read `text#feedback` (the feedback may be left out)."""
    cut = find_unescaped(text, "#", start, end)
    if cut is None:
        return _text(text, start, end, line_at), _text(text, end, end, line_at)
    return _text(text, start, cut, line_at), _text(text, cut + 1, end, line_at)


def _text(text: str, start: int, end: int, line_at: LineAt) -> _Text:
    return _Text(unescape(text[start:end]).strip(), line_at(_trim(text, start, end)[0]))


def _require_correct(answers: list[Answer], at: int) -> None:
    if not any(answer.is_correct for answer in answers):
        raise GiftSyntaxError(_("Die Frage hat keine richtige Antwort: Markieren Sie eine mit = oder geben "
                                "Sie eine positive Gewichtung wie ~%50% an."), at)


def _matching(text: str, segments: list[_Segment], *, brace: int, line_at: LineAt) -> Block:
    """Read pairs `=left -> right`; an empty left side adds a distractor."""
    for segment in segments:
        if segment.marker == "~":
            raise GiftSyntaxError(_("In einer Zuordnungsfrage beginnt jedes Paar mit =; ~ ist hier nicht "
                                    "erlaubt."), segment.at)
    answers = [_pair(text, segment, line_at) for segment in segments]
    if sum(1 for answer in answers if answer.left) < 2:
        raise GiftSyntaxError(_("Eine Zuordnungsfrage braucht mindestens zwei Paare."), brace)
    return Block("matching", answers)


def _pair(text: str, segment: _Segment, line_at: LineAt) -> Answer:
    arrow = find_sequence(text, "->", segment.start, segment.end)
    if arrow is None:
        raise GiftSyntaxError(_("Der Zuordnung „%(answer)s“ fehlt das -> zwischen linker und rechter Seite.",
                                answer=unescape(text[segment.start:segment.end]).strip()), segment.at)
    left = _text(text, segment.start, arrow, line_at)
    right, feedback = _text_and_feedback(text, arrow + 2, segment.end, line_at)
    if not right.text:
        raise GiftSyntaxError(_("Der Zuordnung „%(left)s“ fehlt die rechte Seite.", left=left.text), segment.at)
    return Answer(left.text, 0.0, feedback.text, left=left.text, right=right.text,
                  lines={"text": left.line, "right": right.line, "feedback": feedback.line})


def _numerical(text: str, low: int, high: int, *, brace: int, line_at: LineAt) -> Block:
    """Read `{#3.5:0.1}`, `{#3..4}` or several `{#=%100%3.14:0.01 =%50%3.1:0.1}`."""
    tilde = find_unescaped(text, "~", low, high)
    if tilde is not None:
        raise GiftSyntaxError(_("In einer numerischen Frage beginnen Antworten mit =; ~ ist hier nicht "
                                "erlaubt."), tilde)
    first = find_unescaped(text, "=", low, high)
    if first is None:
        segments = [_Segment("=", low, high, low)]
    elif text[low:first].strip():
        raise _invalid_number(unescape(text[low:first]).strip(), low)
    else:
        segments = _segments(text, low, high)
    answers = [_numeric_answer(text, segment, line_at) for segment in segments]
    _require_correct(answers, brace)
    return Block("numerical", answers)


def _numeric_answer(text: str, segment: _Segment, line_at: LineAt) -> Answer:
    fraction, position = _weight(text, segment)
    spec, feedback = _text_and_feedback(text, position, segment.end, line_at)
    try:
        value, tolerance, low, high = numeric_range(spec.text)
    except ValueError:
        raise _invalid_number(spec.text, segment.at) from None
    return Answer(spec.text, 1.0 if fraction is None else fraction, feedback.text,
                  value=value, tolerance=tolerance, low=low, high=high, lines={"feedback": feedback.line})


def numeric_range(spec: str) -> tuple[float, float, float, float]:
    """Return value, tolerance, low and high for "3.5", "3.5:0.1" or "3..4" (decimal comma allowed)."""
    # Decimal keeps the bounds exact: 3.14 - 0.01 must be 3.13, not 3.1300000000000003.
    if ".." in spec:
        low_text, _dots, high_text = spec.partition("..")
        low, high = _number(low_text), _number(high_text)
        if low > high:
            raise ValueError(spec)
        value, tolerance = (low + high) / 2, (high - low) / 2
    else:
        value_text, colon, tolerance_text = spec.partition(":")
        value = _number(value_text)
        tolerance = _number(tolerance_text) if colon else Decimal(0)
        if tolerance < 0:
            raise ValueError(spec)
        low, high = value - tolerance, value + tolerance
    bounds = float(value), float(tolerance), float(low), float(high)
    if not all(math.isfinite(bound) for bound in bounds):
        raise ValueError(spec)
    return bounds


def _number(text: str) -> Decimal:
    text = text.strip()
    if not _NUMBER_RE.fullmatch(text):
        raise ValueError(text)
    return Decimal(text.replace(",", "."))


def _invalid_number(spec: str, at: int) -> GiftSyntaxError:
    return GiftSyntaxError(_("Ungültige numerische Antwort „%(answer)s“. Erlaubt sind zum Beispiel 3.5, "
                             "3.5:0.1 (mit Toleranz) oder 3..4 (Bereich).", answer=spec), at)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow `start:end` to exclude surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

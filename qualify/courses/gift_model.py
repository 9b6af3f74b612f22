"""What a parsed GIFT question bank looks like: questions, answers and errors."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

KINDS = ("single_choice", "multiple_choice", "true_false", "short_answer",
         "numerical", "matching", "essay", "description")
TEXT_FORMATS = ("moodle", "markdown", "plain", "html")
# Where a missing-word question has its gap, `Question.text` shows this marker.
GAP_MARKER = "_____"


@dataclass
class Answer:
    """One answer of a question; which fields matter depends on the question kind.

    Choice and short answer use `text`; numerical uses `value`/`tolerance` and the accepted
    range `low`..`high` (always all four; `text` keeps the source such as "3.5:0.1");
    matching uses `left`/`right` (an empty `left` is a distractor) and sets `text` to `left`.
    """

    text: str
    fraction: float = 0.0
    feedback: str = ""
    value: float | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None
    left: str | None = None
    right: str | None = None
    # The file line each of its texts begins on ("text", "feedback", "right"), where the parser knows it: for
    # the loader, which names the line a link stands on. Not stored with a version (serialise_question).
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_correct(self) -> bool:
        """Tell whether the answer earns any credit."""
        return self.fraction > 0


@dataclass
class Question:
    """One GIFT question.

    `text` is the whole question text. For a missing-word question (answer block inside the
    sentence) the gap is written as GAP_MARKER, and `text_before`/`text_after` hold the two
    halves; otherwise `text_before == text` and `text_after == ""`.
    True/false questions keep `correct` and the two feedbacks and have no `answers`.
    """

    kind: str
    text: str
    title: str | None = None
    text_format: str = "moodle"
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    category: str | None = None
    line: int = 0
    text_before: str = ""
    text_after: str = ""
    correct: bool | None = None
    feedback_right: str = ""
    feedback_wrong: str = ""
    # As Answer.lines: "text_before", "text_after", "general_feedback", "feedback_right" and "feedback_wrong".
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = question_key(self.category, self.title, self.text)

    @property
    def has_gap(self) -> bool:
        """Tell whether this is a missing-word question."""
        return bool(self.text_after)

    @property
    def is_markdown(self) -> bool:
        """Tell whether the texts are Markdown (moodle counts as Markdown here)."""
        return self.text_format in ("moodle", "markdown")

    def texts_at(self) -> list[tuple[str, int]]:
        """Every text of the question and its answers with the file line it begins on (the question's first line
        where the parser did not say). The question's own text in its halves: before the gap (all of it, when it
        has none) and after it."""
        texts = [(getattr(self, name), self.lines.get(name, self.line))
                 for name in ("text_before", "text_after", "general_feedback", "feedback_right", "feedback_wrong")]
        texts += [(getattr(answer, name), answer.lines.get(name, self.line))
                  for answer in self.answers for name in ("text", "feedback", "right")]
        return [(text, line) for text, line in texts if text]


@dataclass(frozen=True)
class GiftError:
    """A problem in the source, with its 1-based line in the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Zeile {self.line}: {self.message}"


@dataclass
class GiftResult:
    """The questions that parsed cleanly and the errors of those that did not."""

    questions: list[Question] = field(default_factory=list)
    errors: list[GiftError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the whole source parsed without errors."""
        return not self.errors


def question_key(category: str | None, title: str | None, text: str) -> str:
    """Return a short stable id for a question from its category, title and text."""
    source = "\x1f".join((category or "", title or "", text))
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def count_by_kind(questions: Iterable[Question]) -> dict[str, int]:
    """Count questions per kind, listing only kinds that occur, in the order of KINDS."""
    counts = Counter(question.kind for question in questions)
    return {kind: counts[kind] for kind in KINDS if counts[kind]}

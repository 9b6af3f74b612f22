"""Grading a quiz answer on the server, for every GIFT question kind. Pure functions, no database."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

GRADED_KINDS = {"single_choice", "multiple_choice", "true_false", "short_answer", "numerical", "matching"}


@dataclass
class QuestionResult:
    key: str
    kind: str
    score: float  # 0..1
    feedback_html: list[str] = field(default_factory=list)
    # What was chosen, for item statistics (an answer text; never shown with a name).
    chosen: str | None = None

    @property
    def correct(self) -> bool:
        return self.score >= 0.999


def normalise_text(text: str) -> str:
    """Compare short answers case-insensitively, ignoring surplus blanks, in any Unicode spelling."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# A number as people in Germany type it, with an optional unit after it (which is not checked: the question
# names the unit). The dot of "1.000" groups thousands, as on German keyboards and price tags; a comma or a
# dot before one or two (or more than three) digits is the decimal separator.
_NUMBER = re.compile(r"""
    (?P<sign>[-+]?)
    (?: (?P<grouped>[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?)   # 1.000 · 1.500,5 (never 0.125: no group starts with 0)
      | (?P<english>[1-9]\d{0,2}(?:,\d{3})+\.\d+)        # 1,000.5
      | (?P<plain>\d+(?:[.,]\d+)?|[.,]\d+) )        # 35 · 3,5 · 3.5 · ,5
    (?:\s*(?P<unit>[^\d\s.,+-][^\d]*))?             # V · mA · % · °C · km/h
    """, re.VERBOSE)


def _cleaned(text: str) -> str:
    """The typed number without surrounding space, spaces between digits ("1 000") and typographic minus."""
    return re.sub(r"(?<=\d)\s+(?=\d)", "", text.strip().replace("\u2212", "-"))


def parse_number(text: str) -> float | None:
    """Read a number as people type it: '3,5', ' 3.5 ', '-2', '1.000', '1 000', '400 V', '30mA'."""
    match = _NUMBER.fullmatch(_cleaned(text))
    if match is None:
        return None
    if match["grouped"]:
        digits = match["grouped"].replace(".", "").replace(",", ".")
    elif match["english"]:
        digits = match["english"].replace(",", "")
    else:
        digits = match["plain"].replace(",", ".")
    return float(match["sign"] + digits)


# One separator before exactly three digits: "1.000" is a thousand to a German and one to an English reader,
# "3,125" the other way round. Both readings count (numbers 1,000 apart are never both near the answer).
_EITHER_WAY = re.compile(r"(?P<sign>[-+]?)(?P<whole>[1-9]\d{0,2})[.,](?P<part>\d{3})(?:\s*[^\d\s.,+-][^\d]*)?")


def number_readings(text: str) -> list[float]:
    """The numbers a typed answer can mean: one, or two for "1.000" and "3,125" (see _EITHER_WAY)."""
    value = parse_number(text)
    if value is None:
        return []
    match = _EITHER_WAY.fullmatch(_cleaned(text))
    if match is None:
        return [value]
    sign = -1 if match["sign"] == "-" else 1
    readings = (sign * float(f"{match['whole']}.{match['part']}"), sign * float(match["whole"] + match["part"]))
    return [value, *(reading for reading in readings if reading != value)]


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _feedback(answer: dict) -> list[str]:
    return [answer["feedback_html"]] if answer.get("feedback_html") else []


def grade_single_choice(question: dict, response: int | None) -> QuestionResult:
    answers = question["answers"]
    if response is None or not 0 <= response < len(answers):
        return QuestionResult(question["key"], question["kind"], 0.0)
    answer = answers[response]
    return QuestionResult(question["key"], question["kind"], _clamp(answer["fraction"]), _feedback(answer),
                          chosen=answer["text"])


def grade_multiple_choice(question: dict, response: list[int] | None) -> QuestionResult:
    answers = question["answers"]
    chosen = sorted({index for index in response or [] if 0 <= index < len(answers)})
    total = sum(answers[index]["fraction"] for index in chosen)
    feedback = [html for index in chosen for html in _feedback(answers[index])]
    return QuestionResult(question["key"], question["kind"], _clamp(total), feedback,
                          chosen=" | ".join(answers[index]["text"] for index in chosen) or None)


def grade_true_false(question: dict, response: bool | None) -> QuestionResult:
    if response is None:
        return QuestionResult(question["key"], question["kind"], 0.0)
    right = response == question["correct"]
    html = question.get("feedback_right_html" if right else "feedback_wrong_html") or ""
    return QuestionResult(question["key"], question["kind"], 1.0 if right else 0.0, [html] if html else [],
                          chosen="true" if response else "false")


def _short_answer_matches(answer: str, given: str) -> bool:
    """Compare normalised texts; a `*` in the answer stands for any text, as in Moodle ("*akku*")."""
    expected = normalise_text(answer)
    if "*" not in expected:
        return expected == given
    return re.fullmatch(".*".join(re.escape(part) for part in expected.split("*")), given, re.DOTALL) is not None


def grade_short_answer(question: dict, response: str | None) -> QuestionResult:
    given = normalise_text(response or "")
    best = max((a for a in question["answers"] if given and _short_answer_matches(a["text"], given)),
               key=lambda a: a["fraction"], default=None)
    if best is None:
        return QuestionResult(question["key"], question["kind"], 0.0, chosen=given or None)
    return QuestionResult(question["key"], question["kind"], _clamp(best["fraction"]), _feedback(best),
                          chosen=given)


MAX_TYPED_NUMBER = 100  # characters of a typed number kept as the answer given: "ca. 1.500 Nm" fits many times


def grade_numerical(question: dict, response: str | None) -> QuestionResult:
    # The answer given is what was typed ("44,0", "400 V", "abc"), as the result page shows it – not the number
    # read from it ("44.0"): the data export and the result page say the same. Item statistics read the number.
    typed = (response or "").strip()[:MAX_TYPED_NUMBER] or None
    readings = number_readings(response or "")
    # The best credit any reading of the answer earns.
    matching = [answer for value in readings for answer in question["answers"]
                if answer["low"] is not None and answer["low"] <= value <= answer["high"]]
    if not matching:
        return QuestionResult(question["key"], question["kind"], 0.0, chosen=typed)
    best = max(matching, key=lambda answer: answer["fraction"])
    return QuestionResult(question["key"], question["kind"], _clamp(best["fraction"]), _feedback(best),
                          chosen=typed)


def matching_pairs(question: dict) -> list[dict]:
    """Return the pairs to match; answers with an empty left side are only extra choices."""
    return [a for a in question["answers"] if a.get("left")]


def matching_choices(question: dict) -> list[str]:
    """Return the distinct right-hand sides, distractors included, in source order."""
    return list(dict.fromkeys(a["right"] for a in question["answers"]))


def grade_matching(question: dict, response: dict[int, str] | None) -> QuestionResult:
    pairs = matching_pairs(question)
    if not pairs or not response:
        return QuestionResult(question["key"], question["kind"], 0.0)
    right = sum(1 for index, pair in enumerate(pairs) if response.get(index) == pair["right"])
    given = "; ".join(f"{pair['left']} → {response[index]}" for index, pair in enumerate(pairs) if response.get(index))
    return QuestionResult(question["key"], question["kind"], right / len(pairs), chosen=given or None)


GRADERS = {
    "single_choice": grade_single_choice,
    "multiple_choice": grade_multiple_choice,
    "true_false": grade_true_false,
    "short_answer": grade_short_answer,
    "numerical": grade_numerical,
    "matching": grade_matching,
}


def grade(question: dict, response: Any) -> QuestionResult | None:
    """Grade one answer; None for questions that are not graded (essay, description)."""
    grader = GRADERS.get(question["kind"])
    return grader(question, response) if grader else None


def percentage(results: list[QuestionResult]) -> float:
    """Return the score in percent over the graded questions (100 when there are none)."""
    if not results:
        return 100.0
    return round(100 * sum(r.score for r in results) / len(results), 1)

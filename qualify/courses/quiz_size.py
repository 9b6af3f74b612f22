"""How many questions one attempt of a module's quiz asks: the one rule for the learners' pages (learning.quiz
draws an attempt's questions by it) and for the editor's preview. It lives with the courses, which learning
builds on: the editor counts a quiz without importing the learners' side."""

from dataclasses import dataclass

from qualify.courses.models import ModuleVersion


@dataclass(frozen=True)
class QuizSize:
    """How many questions one attempt of a module's quiz asks: descriptions (text between questions) left out, a
    bank with its draw. `drawn` of its `bank` questions, when an attempt draws fewer than all."""

    asked: int
    drawn: int = 0
    bank: int = 0


def quiz_size(questions: list[dict], draw=None) -> QuizSize:
    """Count the questions (as a version stores them) that one attempt asks, as learning.quiz draws them.

    The preview counts text that saving may still refuse: a draw that is no whole number from 1 up, or not fewer
    than the bank has, draws all of it.
    """
    askable = [question for question in questions if question["kind"] != "description"]
    bank = sum(1 for question in askable if question.get("from_bank"))
    fixed = len(askable) - bank
    if isinstance(draw, int) and not isinstance(draw, bool) and 0 < draw < bank:
        return QuizSize(fixed + draw, draw, bank)
    return QuizSize(fixed + bank)


def saved_quiz_size(version: ModuleVersion) -> QuizSize:
    """The quiz size of a saved version: its questions with the draw of its settings."""
    return quiz_size(version.questions or [], (version.settings or {}).get("draw"))

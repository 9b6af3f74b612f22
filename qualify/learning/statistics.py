"""Item statistics for trainers: how each question fares, over all learners, never per person.

Three rules keep a person's answers out of the figures:
- Only each person's first attempt at a question counts, so a retry changes nothing.
- People count in groups of MIN_LEARNERS, in the order they answered: the figures move only when five more
  have answered, so that comparing the page before and after someone's hand-in never tells how that one
  person answered.
- A typed wrong answer (short answer, number) is shown only if several people gave it.
Answers count only to the question as it stands now: an attempt at a version whose answers were different
(a corrected key, say) was graded against other answers and is left out.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db
from qualify.learning.models import QuizAttempt

MIN_LEARNERS = 5  # fewer learners than this and a share would describe individuals
TYPED_KINDS = ("short_answer", "numerical")  # wrong answers written by the person, not chosen from a list
MIN_SAME_TYPED_ANSWER = 2
GRADED_BY = ("text", "fraction", "value", "tolerance", "low", "high", "left", "right")


@dataclass
class ItemStatistic:
    key: str
    module: Module
    question: dict
    learners: int  # everyone who answered the question as it stands now
    answers: int  # of those, the ones counted (whole groups of MIN_LEARNERS)
    share_correct: float | None
    common_wrong_answer: str | None

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_LEARNERS


def grading_of(question: dict) -> str:
    """What decides how a question is graded: kind, right or wrong, and the answers with their weights."""
    answers = [{name: answer.get(name) for name in GRADED_BY} for answer in question.get("answers", [])]
    return json.dumps([question["kind"], question.get("correct"), answers], sort_keys=True)


def item_statistics(course: Course) -> list[ItemStatistic]:
    """Summarise every question of the course's current versions over the first attempts of its learners."""
    # The modules with their whole current versions (the questions) in one statement.
    stmt = (select(Module).join(Module.current_version).where(Module.course_id == course.id,
                                                              Module.archived.is_(False))
            .options(contains_eager(Module.current_version)).order_by(Module.position))
    modules = {m.id: m for m in db.session.scalars(stmt)}
    current = {q["key"]: grading_of(q) for m in modules.values() for q in m.current_version.questions}
    stmt = (select(QuizAttempt.user_id, QuizAttempt.module_version_id, QuizAttempt.results)
            .where(QuizAttempt.module_id.in_(modules), QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.submitted_at, QuizAttempt.id))
    attempts = db.session.execute(stmt).all()
    graded_as = _gradings_of_versions({version_id for _user, version_id, _results in attempts} - {
        m.current_version_id for m in modules.values()})
    first: dict[str, dict[int, dict]] = defaultdict(dict)  # question key -> person -> result, in answer order
    for user_id, version_id, results in attempts:
        for result in results or []:
            key = result["key"]
            if user_id in first[key] or key not in current:
                continue
            if version_id in graded_as and graded_as[version_id].get(key) != current[key]:
                continue  # graded against other answers
            first[key][user_id] = result
    return [_statistic(module, question, list(first[question["key"]].values()))
            for module in modules.values() for question in module.current_version.questions
            if question["kind"] not in ("essay", "description")]  # reflections are private and never counted


def _gradings_of_versions(version_ids: set[int]) -> dict[int, dict[str, str]]:
    """For older versions that attempts were made on: how each of their questions was graded."""
    if not version_ids:
        return {}
    rows = db.session.execute(select(ModuleVersion.id, ModuleVersion.questions)
                              .where(ModuleVersion.id.in_(version_ids)))
    return {version_id: {q["key"]: grading_of(q) for q in questions or []} for version_id, questions in rows}


def _statistic(module: Module, question: dict, results: list[dict]) -> ItemStatistic:
    counted = results[:len(results) // MIN_LEARNERS * MIN_LEARNERS]  # whole groups, earliest first
    shown = bool(counted)
    wrong = Counter(r["chosen"] for r in counted if not r["correct"] and r.get("chosen"))
    common_wrong, times = wrong.most_common(1)[0] if wrong else (None, 0)
    if question["kind"] in TYPED_KINDS and times < MIN_SAME_TYPED_ANSWER:
        common_wrong = None  # typed by one person: their words, not a pattern
    return ItemStatistic(
        key=question["key"], module=module, question=question, learners=len(results), answers=len(counted),
        share_correct=(sum(1 for r in counted if r["correct"]) / len(counted)) if shown else None,
        common_wrong_answer=common_wrong if shown else None)

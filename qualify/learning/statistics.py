"""Item statistics for trainers: how each question fares, over all learners, never per person.

The rules that keep a person's answers out of the figures:
- Only each person's first attempt at a module's quiz counts, so a retry changes nothing – and who has been
  counted is remembered (ItemTallyPerson), so a later attempt never takes the place of a deleted first one.
- Answers are added to a question's tally in closed groups of K (accounts.small_groups.results_k: the network's
  K – a course's learners come from every organisation –, never below five), in the order they were handed in,
  by the scheduler (count_answers): the figures move only when K more have answered, so that comparing the page
  before and after someone's hand-in never tells how that one person answered. Figures appear from K answers on.
- A tally is only ever added to. Deleting an attempt – an erased account, the retention period – changes no
  figure; computed from the attempts, the groups shifted by one and showed the answer that went.
- A wrong answer is shown only if several people gave it: a typed one could be someone's own words, and a
  combination (matching) one person's alone.
Answers count only to the question as it stands now: an attempt at a version whose answers were different
(a corrected key, say) was graded against other answers and is left out; a changed key starts a new tally.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import contains_eager

from qualify.accounts.small_groups import results_k
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db
from qualify.learning.grading import parse_number
from qualify.learning.models import ItemTally, ItemTallyPerson, QuizAttempt

MIN_SAME_WRONG_ANSWER = 2
NOT_COUNTED = ("essay", "description")  # reflections are private and never counted; descriptions ask nothing
GRADED_BY = ("text", "fraction", "value", "tolerance", "low", "high", "left", "right")


@dataclass
class ItemStatistic:
    key: str
    module: Module
    question: dict
    answers: int  # counted first answers (whole groups of K)
    share_correct: float | None
    common_wrong_answer: str | None
    minimum: int  # K: the figures are shown from this many answers on

    @property
    def shown(self) -> bool:
        return self.answers >= self.minimum


def grading_of(question: dict) -> str:
    """What decides how a question is graded – kind, right or wrong, the answers with their weights – as a hash."""
    answers = [{name: answer.get(name) for name in GRADED_BY} for answer in question.get("answers", [])]
    described = json.dumps([question["kind"], question.get("correct"), answers], sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()


def _counted_questions(version: ModuleVersion) -> dict[str, str]:
    """Map each counted question of a version to its grading."""
    return {q["key"]: grading_of(q) for q in version.questions or [] if q["kind"] not in NOT_COUNTED}


def item_statistics(course: Course, minimum: int | None = None) -> list[ItemStatistic]:
    """Summarise every question of the course's current versions from its tally (two statements; a third for K
    unless given), shown from `minimum` answers on (results_k)."""
    minimum = minimum or results_k()
    # The modules with their whole current versions (the questions) in one statement.
    stmt = (select(Module).join(Module.current_version).where(Module.course_id == course.id,
                                                              Module.archived.is_(False))
            .options(contains_eager(Module.current_version)).order_by(Module.position))
    modules = list(db.session.scalars(stmt))
    tallies = {(t.module_id, t.question_key, t.grading): t for t in db.session.scalars(
        select(ItemTally).where(ItemTally.module_id.in_([m.id for m in modules])))}
    statistics = []
    for module in modules:
        for question in module.current_version.questions:
            if question["kind"] in NOT_COUNTED:
                continue
            tally = tallies.get((module.id, question["key"], grading_of(question)))
            statistics.append(_statistic(module, question, tally, minimum))
    return statistics


def _statistic(module: Module, question: dict, tally: ItemTally | None, minimum: int) -> ItemStatistic:
    answers = tally.answers if tally is not None else 0
    if answers < minimum:
        return ItemStatistic(question["key"], module, question, answers, None, None, minimum)
    common_wrong, times = max(tally.wrong_answers.items(), key=lambda item: (item[1], item[0]), default=(None, 0))
    return ItemStatistic(question["key"], module, question, answers, share_correct=tally.correct / answers,
                         common_wrong_answer=common_wrong if times >= MIN_SAME_WRONG_ANSWER else None,
                         minimum=minimum)


# ---------------------------------------------------------------- counting (the scheduler)

def count_answers() -> int:
    """Take the first attempts handed in since the last count into the tallies; return how many attempts.

    Run by one scheduler at a time; the caller commits.
    """
    counted_already = exists().where(ItemTallyPerson.module_id == QuizAttempt.module_id,
                                     ItemTallyPerson.user_id == QuizAttempt.user_id)
    stmt = (select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.module_id, QuizAttempt.module_version_id,
                   QuizAttempt.results)
            .where(QuizAttempt.submitted_at.is_not(None), ~counted_already)
            .order_by(QuizAttempt.submitted_at, QuizAttempt.id))
    first: dict[tuple[int, int], tuple] = {}
    for row in db.session.execute(stmt):
        first.setdefault((row.module_id, row.user_id), row)
    if not first:
        return 0
    module_ids = {module_id for module_id, _user in first}
    current = {m.id: _counted_questions(m.current_version) for m in db.session.scalars(
        select(Module).where(Module.id.in_(module_ids)).options(contains_eager(Module.current_version))
        .join(Module.current_version))}
    graded_as = {v.id: _counted_questions(v) for v in db.session.scalars(
        select(ModuleVersion).where(ModuleVersion.id.in_({row.module_version_id for row in first.values()})))}
    tallies = _tallies_of(module_ids)
    size = results_k()
    for (module_id, user_id), row in first.items():
        db.session.add(ItemTallyPerson(module_id=module_id, user_id=user_id))
        for result in row.results or []:
            grading = current.get(module_id, {}).get(result["key"])
            if grading is None or graded_as.get(row.module_version_id, {}).get(result["key"]) != grading:
                continue  # a question no longer asked, or graded against other answers then
            tally = tallies.get((module_id, result["key"], grading))
            if tally is None:
                tally = ItemTally(module_id=module_id, question_key=result["key"], grading=grading, answers=0,
                                  correct=0, wrong_answers={}, waiting=[])
                db.session.add(tally)
                tallies[(module_id, result["key"], grading)] = tally
            tally.waiting = [*tally.waiting, row.id]
    for tally in tallies.values():
        if len(tally.waiting) >= size:
            _count_groups(tally, size)
    db.session.flush()
    return len(first)


def _tallies_of(module_ids: set[int]) -> dict[tuple, ItemTally]:
    stmt = select(ItemTally).where(ItemTally.module_id.in_(module_ids))
    return {(t.module_id, t.question_key, t.grading): t for t in db.session.scalars(stmt)}


def _wrong_answer(result: dict) -> str | None:
    """The wrong answer as counted: a typed number by its value ("44,0", "44.0" and "44" are one answer, kept as
    "44.0" for the page to write in the reader's language), text that is no number not at all; others as given."""
    chosen = result.get("chosen")
    if not chosen:
        return None
    if result["kind"] == "numerical":
        value = parse_number(str(chosen))
        return None if value is None else str(value)
    return str(chosen)


def _count_groups(tally: ItemTally, size: int) -> None:
    """Add the waiting answers in whole groups of `size` (K); the rest waits on (deleted attempts drop out)."""
    results = dict(db.session.execute(select(QuizAttempt.id, QuizAttempt.results)
                                      .where(QuizAttempt.id.in_(tally.waiting))).all())
    waiting = [attempt_id for attempt_id in tally.waiting if attempt_id in results]
    whole = len(waiting) // size * size
    wrong = defaultdict(int, tally.wrong_answers)
    for attempt_id in waiting[:whole]:
        result = next(r for r in results[attempt_id] if r["key"] == tally.question_key)
        tally.answers += 1
        if result["correct"]:
            tally.correct += 1
        elif (answer := _wrong_answer(result)) is not None:
            wrong[answer] += 1
    tally.wrong_answers = dict(wrong)
    tally.waiting = waiting[whole:]

"""Item statistics for trainers: how each question fares, over all learners, never per person."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from qualify.courses.models import Course, Module
from qualify.extensions import db
from qualify.learning.models import QuizAttempt

MIN_LEARNERS = 5  # fewer learners than this and a share would describe individuals


@dataclass
class ItemStatistic:
    key: str
    module: Module
    question: dict
    learners: int
    answers: int
    share_correct: float | None
    common_wrong_answer: str | None

    @property
    def shown(self) -> bool:
        return self.learners >= MIN_LEARNERS


def item_statistics(course: Course) -> list[ItemStatistic]:
    """Summarise every question of the course's current versions over all submitted attempts."""
    # The modules with their whole current versions (the questions) in one statement.
    stmt = (select(Module).join(Module.current_version).where(Module.course_id == course.id,
                                                              Module.archived.is_(False))
            .options(contains_eager(Module.current_version)).order_by(Module.position))
    modules = {m.id: m for m in db.session.scalars(stmt)}
    stmt = (select(QuizAttempt.module_id, QuizAttempt.user_id, QuizAttempt.results)
            .where(QuizAttempt.module_id.in_(modules), QuizAttempt.submitted_at.is_not(None)))
    learners: dict[str, set[int]] = defaultdict(set)
    outcomes: dict[str, list[dict]] = defaultdict(list)
    for _module_id, user_id, results in db.session.execute(stmt):
        for result in results or []:
            learners[result["key"]].add(user_id)
            outcomes[result["key"]].append(result)
    statistics = []
    for module in modules.values():
        for question in module.current_version.questions:
            if question["kind"] in ("essay", "description"):
                continue  # reflections are private and never counted
            key = question["key"]
            results = outcomes.get(key, [])
            shown = len(learners[key]) >= MIN_LEARNERS
            wrong = Counter(r["chosen"] for r in results if not r["correct"] and r.get("chosen"))
            statistics.append(ItemStatistic(
                key=key, module=module, question=question, learners=len(learners[key]), answers=len(results),
                share_correct=(sum(1 for r in results if r["correct"]) / len(results)) if shown else None,
                common_wrong_answer=wrong.most_common(1)[0][0] if shown and wrong else None))
    return statistics

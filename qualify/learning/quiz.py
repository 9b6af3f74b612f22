"""Quiz attempts: start, save as the learner goes, submit exactly once, grade on the server."""

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from babel.numbers import format_percent
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, exists, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from qualify.core.database import run
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.courses.quiz_size import saved_quiz_size
from qualify.extensions import db
from qualify.learning import grading
from qualify.learning.models import ModuleCompletion, QuizAttempt, Reflection
from qualify.learning.services import LearningError, complete_module, remember_done

GRACE = timedelta(seconds=30)  # a submit that left the phone just before the deadline still counts
MAX_VALUE = 500  # characters of one answer: more is not an answer
MAX_REFLECTION = 20_000


def score_text(score: float) -> str:
    """A quiz score as learners read it, wherever it is shown: in per cent with the one decimal it is graded and
    passed on, in the reader's language ("87,5 %" in German, "87.5%" in English; a whole score "88 %"). Rounded to
    whole per cent, 79.5 read as "80 %" beside "nötig: 80 %" and "nicht bestanden"."""
    share = Decimal(str(round(score, 1))) / 100
    return format_percent(share, locale=get_locale(), decimal_quantization=False)


@dataclass
class QuizSettings:
    attempts: int | None
    shuffle: bool  # the questions change places per attempt
    draw: int | None
    time_limit_minutes: int | None
    pass_percentage: int
    # The answers of a choice question change places per attempt, unless the author keeps the file's order (a
    # scale, "all of the above"): authors write the right answer first, and tapping the first one passed.
    shuffle_answers: bool = True

    @classmethod
    def of(cls, version: ModuleVersion, course_pass_percentage: int) -> "QuizSettings":
        s = version.settings or {}
        return cls(attempts=s.get("attempts"), shuffle=bool(s.get("shuffle", False)), draw=s.get("draw"),
                   time_limit_minutes=s.get("time_limit_minutes"),
                   pass_percentage=s.get("pass_percentage", course_pass_percentage),
                   shuffle_answers=bool(s.get("shuffle")) or not s.get("keep_answer_order", False))


def option_id(attempt: QuizAttempt, key: str, index: int | str) -> str:
    """Name an answer option opaquely: the page must not reveal which one the source lists first."""
    return hashlib.sha256(f"{attempt.secret}:{key}:{index}".encode()).hexdigest()[:12]


def settings_for(module: Module, version: ModuleVersion) -> QuizSettings:
    return QuizSettings.of(version, module.course.pass_percentage)


def _draw_questions(version: ModuleVersion, settings: QuizSettings, rng: random.Random) -> list[str]:
    """The keys of the questions one attempt asks (as many as courses.quiz_size counts), in their order."""
    fixed = [q["key"] for q in version.questions if not q.get("from_bank")]
    bank = [q["key"] for q in version.questions if q.get("from_bank") and q["kind"] != "description"]
    if settings.draw and settings.draw < len(bank):
        bank = rng.sample(bank, settings.draw)
    keys = fixed + bank
    if settings.shuffle:  # the questions change places; a description stays where it introduces them
        kinds = {q["key"]: q["kind"] for q in version.questions}
        movable = [key for key in keys if kinds[key] != "description"]
        rng.shuffle(movable)
        shuffled = iter(movable)
        keys = [key if kinds[key] == "description" else next(shuffled) for key in keys]
    return keys


def question_count(version: ModuleVersion) -> int:
    """Count the questions one attempt asks (a bank counts with its draw)."""
    return saved_quiz_size(version).asked


def attempts_of(user, module: Module) -> list[QuizAttempt]:
    """Return the user's attempts at this module's quiz, oldest first."""
    stmt = select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id)
    return list(db.session.scalars(stmt.order_by(QuizAttempt.number)))


@dataclass(frozen=True)
class AttemptSummary:
    """What the module page shows of an attempt."""

    id: int
    number: int
    submitted_at: datetime | None
    score: float | None
    passed: bool | None

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


@cache
def _progress_statement():
    user_id, module_id = bindparam("user_id"), bindparam("module_id")
    done = exists().where(ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module_id)
    one_row = select(literal(1).label("one")).subquery()  # a row for `done` even without attempts
    return (select(done.label("done"), QuizAttempt.id, QuizAttempt.number, QuizAttempt.submitted_at,
                   QuizAttempt.score, QuizAttempt.passed).select_from(one_row)
            .outerjoin(QuizAttempt, and_(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id))
            .order_by(QuizAttempt.number))


def module_progress(user, module: Module) -> tuple[bool, list[AttemptSummary]]:
    """Tell whether the user has done the module, and list their attempts at its quiz, in one statement."""
    rows = run(_progress_statement(), user_id=user.id, module_id=module.id).all()
    attempts = [AttemptSummary(*row[1:]) for row in rows if row.id is not None]
    remember_done(user, module.id, bool(rows[0].done))
    return bool(rows[0].done), attempts


def start_attempt(user, module: Module, *, now: datetime) -> QuizAttempt:
    """Resume the open attempt, or start a new one if the attempt limit allows it."""
    version = module.current_version
    if not version.questions:
        raise LearningError(_("Dieses Modul hat kein Quiz."))
    existing = attempts_of(user, module)
    open_attempt = next((a for a in existing if a.is_open), None)
    if open_attempt:
        hand_in_if_expired(open_attempt, user, now=now)  # then the caller shows its result
        return open_attempt
    settings = settings_for(module, version)
    if settings.attempts is not None and len(existing) >= settings.attempts:
        raise LearningError(_("Sie haben alle Versuche genutzt (%(n)d von %(n)d).", n=settings.attempts))
    secret = secrets.token_hex(16)
    attempt = QuizAttempt(
        user_id=user.id, module_id=module.id, module_version_id=version.id, number=len(existing) + 1,
        secret=secret, question_keys=_draw_questions(version, settings, random.Random(secret)), answers={},
        started_at=now,
        deadline_at=(now + timedelta(minutes=settings.time_limit_minutes)
                     if settings.time_limit_minutes else None))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a second tab started one at the same moment: use that one
        return next(a for a in attempts_of(user, module) if a.is_open)
    return attempt


def attempt_questions(attempt: QuizAttempt) -> list[dict]:
    """Return the attempt's questions in the order the learner sees them."""
    by_key = {q["key"]: q for q in attempt.version.questions}
    return [by_key[key] for key in attempt.question_keys if key in by_key]


def accepts_answers(attempt: QuizAttempt, now: datetime) -> bool:
    """Tell whether answers may still be saved into the attempt."""
    return attempt.is_open and (attempt.deadline_at is None or now <= attempt.deadline_at + GRACE)


def save_answers(attempt: QuizAttempt, form: dict[str, list[str]], *, now: datetime) -> bool:
    """Keep the answers given so far; only for questions of this attempt and before its deadline.

    A question missing from the form keeps its saved answer (a script may send part of the form); the page
    sends an empty value with every group of checkboxes, so unticking all of them clears the answer.
    """
    if not accepts_answers(attempt, now):
        return False
    answers, reflections = _answers_from(attempt, form)
    # Only while the attempt is open: a save that loses the race against its own submit changes nothing.
    saved = db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(answers=answers).execution_options(synchronize_session=False))
    if saved.rowcount != 1:
        return False
    set_committed_value(attempt, "answers", answers)
    for key, text in reflections.items():
        save_reflection(attempt.user_id, attempt.module_id, key, text, now=now)
    return True


def _answers_from(attempt: QuizAttempt, form: dict[str, list[str]]) -> tuple[dict, dict[str, str]]:
    """Return the attempt's answers updated from the form, and the reflections it holds."""
    answers = dict(attempt.answers or {})
    reflections = {}
    for question in attempt_questions(attempt):
        key, kind = question["key"], question["kind"]
        if kind == "description":
            continue
        if kind == "essay":
            if f"q-{key}" in form:
                reflections[key] = form[f"q-{key}"][0][:MAX_REFLECTION]
        elif kind == "matching":
            pairs = grading.matching_pairs(question)
            fields = {str(i): f"q-{key}-{i}" for i in range(len(pairs))}
            given = {i: form[name][0][:MAX_VALUE] for i, name in fields.items() if name in form}
            if given:
                answers[key] = {**(answers.get(key) or {}), **given}
        elif f"q-{key}" in form:
            values = [value[:MAX_VALUE] for value in form[f"q-{key}"]]
            answers[key] = [v for v in values if v] if kind == "multiple_choice" else values[0]
    return answers, reflections


def save_reflection(user_id: int, module_id: int, key: str, text: str, *, now: datetime) -> None:
    """Store a private reflection, replacing the earlier one; an emptied field deletes it."""
    reflection = db.session.scalar(select(Reflection).where(
        Reflection.user_id == user_id, Reflection.module_id == module_id, Reflection.question_key == key))
    if not text.strip():
        if reflection is not None:
            db.session.delete(reflection)
    elif reflection is None:
        db.session.add(Reflection(user_id=user_id, module_id=module_id, question_key=key, text=text,
                                  updated_at=now))
    else:
        reflection.text, reflection.updated_at = text, now


@cache
def _reflections_statement():
    return select(Reflection.question_key, Reflection.text).where(
        Reflection.user_id == bindparam("user_id"), Reflection.module_id == bindparam("module_id"))


def reflections_of(user, module: Module) -> dict[str, str]:
    """Return the user's own reflections in this module by question key."""
    return dict(run(_reflections_statement(), user_id=user.id, module_id=module.id).all())


@cache
def _attempt_statement():
    # The version's questions, not its text: source and HTML stay in the database.
    return (select(QuizAttempt).where(QuizAttempt.id == bindparam("attempt_id"))
            .options(joinedload(QuizAttempt.version).defer(ModuleVersion.source).defer(ModuleVersion.body_html),
                     joinedload(QuizAttempt.module).joinedload(Module.course).defer(Course.source)))


def attempt_with_module(attempt_id: int) -> QuizAttempt | None:
    """Load an attempt with its version, module and course in one statement (quiz page and submit)."""
    return db.session.scalar(_attempt_statement(), {"attempt_id": attempt_id})


def _response(attempt: QuizAttempt, question: dict):
    """Translate the stored option ids back into what the grader understands."""
    key, kind, given = question["key"], question["kind"], (attempt.answers or {}).get(question["key"])
    answers = question.get("answers", [])
    ids = {option_id(attempt, key, i): i for i in range(len(answers))}
    if kind == "single_choice":
        return ids.get(given) if isinstance(given, str) else None
    if kind == "multiple_choice":
        return [ids[v] for v in given or [] if v in ids]
    if kind == "true_false":
        return {"true": True, "false": False}.get(given)
    if kind == "matching":
        choices = grading.matching_choices(question)
        by_id = {option_id(attempt, key, f"r{i}"): text for i, text in enumerate(choices)}
        return {int(i): by_id.get(v) for i, v in (given or {}).items()}
    return given if isinstance(given, str) else None


def given_answer(attempt: QuizAttempt, question: dict) -> Markup | None:
    """What the person answered, as their result shows it (never the right answer: a next attempt must count).

    Multiple answers and matching pairs are listed one by one instead: see given_choices.
    """
    response, kind = _response(attempt, question), question["kind"]
    answers = question.get("answers", [])
    if kind == "single_choice":
        return None if response is None else _safe(answers[response]["text_html"])
    # The label ticked, in quotes: "✗ Nicht richtig – Ihre Antwort: Richtig" read like a contradiction.
    if kind == "true_false":
        return None if response is None else escape(_("„%(label)s“", label=_("Richtig") if response else _("Falsch")))
    if kind in CHOICE_KINDS:
        return Markup("; ").join(choice.text for choice in given_choices(attempt, question)) or None
    return escape(response) if response and response.strip() else None


CHOICE_KINDS = {"multiple_choice", "matching"}  # answered in several parts, which the result page lists


@dataclass(frozen=True)
class GivenChoice:
    """One part of an answer as the result page lists it: a ticked option with its feedback, or a matched pair."""

    text: Markup
    feedback: Markup | None = None


def given_choices(attempt: QuizAttempt, question: dict) -> list[GivenChoice]:
    """The options ticked in a multiple-answer question, each with the feedback written for it, or the pairs a
    matching question was given: one below the other, so a phone shows which feedback belongs to which answer."""
    response, kind = _response(attempt, question), question["kind"]
    if kind == "multiple_choice":
        answers = question.get("answers", [])
        return [GivenChoice(_safe(answers[i]["text_html"]), _safe(answers[i]["feedback_html"])
                            if answers[i].get("feedback_html") else None) for i in sorted(set(response))]
    if kind == "matching":
        pairs = grading.matching_pairs(question)
        return [GivenChoice(Markup("{} → {}").format(_safe(pairs[i]["text_html"]), right))
                for i, right in sorted(response.items()) if right and 0 <= i < len(pairs)]
    return []


def _safe(html: str) -> Markup:
    return Markup(html)  # noqa: S704  (rendered at import by the safe Markdown renderer, like the quiz page's)


@cache
def _hand_in_statement():
    attempts = QuizAttempt.__table__
    return (attempts.update().where(attempts.c.id == bindparam("attempt_id"), attempts.c.submitted_at.is_(None))
            .values({name: bindparam(name, type_=attempts.c[name].type)
                     for name in ("submitted_at", "answers", "score", "passed", "results")}))


def submit_attempt(attempt: QuizAttempt, user, *, now: datetime, form: dict | None = None) -> QuizAttempt:
    """Grade the attempt exactly once, even when the same submit arrives twice at the same moment.

    The last answers in `form` (as save_answers takes them) are graded and stored with the grade.
    """
    reflections = {}
    if form is not None and accepts_answers(attempt, now):
        answers, reflections = _answers_from(attempt, form)
        set_committed_value(attempt, "answers", answers)  # graded from memory, written with the grade
    results = []
    for question in attempt_questions(attempt):
        result = grading.grade(question, _response(attempt, question))
        if result is not None:
            results.append(result)
    module = attempt.module
    score = grading.percentage(results)
    pass_percentage = settings_for(module, attempt.version).pass_percentage
    graded = {"submitted_at": now, "answers": attempt.answers, "score": score, "passed": score >= pass_percentage,
              "results": [{"key": r.key, "kind": r.kind, "score": r.score, "correct": r.correct,
                           "chosen": r.chosen, "feedback_html": r.feedback_html} for r in results]}
    # One conditional UPDATE hands the attempt in with its grade: of two submits arriving together, only
    # the first finds it still open. (Grading before it costs the second nothing but a moment of CPU.)
    claimed = run(_hand_in_statement(), attempt_id=attempt.id, **graded)
    if claimed.rowcount != 1:
        raise LearningError(_("Dieser Versuch wurde bereits abgegeben."))
    for name, value in graded.items():
        set_committed_value(attempt, name, value)  # written already: no second UPDATE
    for key, text in reflections.items():
        save_reflection(attempt.user_id, attempt.module_id, key, text, now=now)
    if attempt.passed:
        complete_module(user, module, attempt.version, via="quiz", now=now)
    return attempt


def hand_in_if_expired(attempt: QuizAttempt, user, *, now: datetime) -> bool:
    """Grade an open attempt whose time ran out, with the answers saved until then; True if handed in now.

    It counts as handed in when the time ran out. The scheduler does this every minute; starting the quiz
    again does it at once, so nobody is sent back to an attempt that takes no more answers.
    """
    if not attempt.is_open or accepts_answers(attempt, now):
        return False
    try:
        submit_attempt(attempt, user, now=attempt.deadline_at)
    except LearningError:  # handed in a moment ago, by the person or by the scheduler
        return False
    return True


def ordered_options(attempt: QuizAttempt, question: dict, shuffle: bool) -> list[tuple[str, dict]]:
    """Return (option id, answer) pairs in display order: shuffled per attempt unless the module keeps them."""
    options = [(option_id(attempt, question["key"], i), answer)
               for i, answer in enumerate(question["answers"])]
    return sorted(options, key=lambda pair: pair[0]) if shuffle else options


def matching_options(attempt: QuizAttempt, question: dict) -> list[tuple[str, str]]:
    """Return (option id, text) of the right-hand choices, always shuffled per attempt."""
    choices = [(option_id(attempt, question["key"], f"r{i}"), text)
               for i, text in enumerate(grading.matching_choices(question))]
    return sorted(choices)

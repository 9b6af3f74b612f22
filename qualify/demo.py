"""`qualify demo load`: demo organisations, one account per role and a workforce with history, for trying it out."""

import random
from datetime import datetime, time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.models import Organisation, Unit
from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.courses.models import Course, CourseOwner, Module
from qualify.exchange.models import ExchangeSpace, SpaceModerator
from qualify.exchange.spaces import ensure_module_spaces
from qualify.extensions import db
from qualify.learning import grading, quiz, statistics
from qualify.learning import services as learning
from qualify.reports.rollup import add_months, due_month, month_start_utc, refresh_rollups
from qualify.workshops import services as workshops
from qualify.workshops.models import WorkshopSession
from qualify.workshops.schedule import SessionPlan, create_sessions

DEMO_ORGANISATIONS = [
    ("muster-antriebe", "Muster Antriebstechnik GmbH",
     ["Montage Werk Nord", "Elektronikfertigung", "Logistik", "Instandhaltung"]),
    ("beispiel-zulieferer", "Beispiel Zulieferer AG", ["Gießerei", "Kunststofftechnik", "Qualitätssicherung"]),
    ("netzwerk", "Transformationsnetzwerk (Geschäftsstelle)", ["Geschäftsstelle"]),
]

# (e-mail, name, roles, organisation, unit, password). Demo only: documented in the README.
DEMO_ACCOUNTS = [
    ("lernende@demo.qualify.test", "Lena Lernende", {Role.LEARNER}, "muster-antriebe", "Montage Werk Nord",
     "lernen-demo-2026"),
    ("trainer@demo.qualify.test", "Tom Trainer", {Role.TRAINER, Role.LEARNER}, "netzwerk", "Geschäftsstelle",
     "trainer-demo-2026"),
    ("moderation@demo.qualify.test", "Mira Moderatorin", {Role.MODERATOR, Role.LEARNER}, "netzwerk",
     "Geschäftsstelle", "moderation-demo-2026"),
    ("betriebsrat@demo.qualify.test", "Bernd Betriebsrat", {Role.WORKS_COUNCIL, Role.LEARNER}, "muster-antriebe",
     "Elektronikfertigung", "betriebsrat-demo-2026"),
    ("koordination@demo.qualify.test", "Kim Koordination", {Role.COORDINATOR}, "netzwerk", "Geschäftsstelle",
     "koordination-demo-2026"),
    ("admin@demo.qualify.test", "Ada Admin", {Role.ADMIN}, "netzwerk", "Geschäftsstelle", "admin-demo-2026"),
    # The HR of one company: its people only (no unit: HR is none of the company's units here).
    ("personal@demo.qualify.test", "Paula Personal", {Role.ORG_ADMIN, Role.LEARNER}, "muster-antriebe", None,
     "personal-demo-2026"),
]


def load_demo_accounts() -> list[str]:
    """Create the demo organisations and accounts that are missing; return the new e-mail addresses."""
    for slug, name, units in DEMO_ORGANISATIONS:
        if services.get_organisation(slug) is None:
            services.create_organisation(slug, name, units)
    created = []
    for email, name, roles, org_slug, unit_name, password in DEMO_ACCOUNTS:
        if services.find_user_by_email(email):
            continue
        organisation = services.get_organisation(org_slug)
        unit = db.session.scalar(select(Unit).where(Unit.organisation_id == organisation.id,
                                                    Unit.name == unit_name)) if unit_name else None
        services.create_user(email, name, password=password, roles=roles, organisation=organisation, unit=unit)
        created.append(email)
    return created


def give_demo_roles_their_work() -> None:
    """Let the demo trainer own the imported courses, plan sessions, and the moderator run the spaces."""
    trainer = services.find_user_by_email("trainer@demo.qualify.test")
    moderator = services.find_user_by_email("moderation@demo.qualify.test")
    if trainer is None or moderator is None:
        return
    now = utcnow()
    for course in db.session.scalars(select(Course)):
        if not any(owner.user_id == trainer.id for owner in course.owners):
            db.session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
        for module in course.active_modules:
            if module.current_version.kind != "workshop" or db.session.scalar(
                    select(WorkshopSession.id).where(WorkshopSession.module_id == module.id).limit(1)):
                continue
            in_two_weeks = (now.astimezone(LOCAL_TZ) + timedelta(days=14)).date()
            version = module.current_version
            session_format = version.settings.get("format", "in-person")
            ends = datetime.combine(in_two_weeks, time(9)) + timedelta(minutes=version.minutes or 180)
            plan = SessionPlan(
                start_time=time(9), end_time=ends.time(), capacity=version.settings.get("capacity", 10),
                format=session_format, trainers=[trainer],
                place="" if session_format == "online" else "Schulungszentrum, Halle 3",
                online_url="" if session_format == "in-person" else "https://meet.example.org/qualify-demo")
            create_sessions(module, plan, [in_two_weeks, in_two_weeks + timedelta(days=7)], by=trainer, now=now)
    ensure_module_spaces()
    moderated = set(db.session.scalars(select(SpaceModerator.space_id).where(SpaceModerator.user_id == moderator.id)))
    for space_id in db.session.scalars(select(ExchangeSpace.id)):
        if space_id not in moderated:
            db.session.add(SpaceModerator(space_id=space_id, user_id=moderator.id, assigned_at=now))


# A made-up workforce with half a year of learning behind it: the works council's dashboard has figures to
# show – and small groups to withhold – right after `make run`. Nobody of them can sign in (no password).
WORKFORCE_ORGANISATIONS = ("muster-antriebe", "beispiel-zulieferer")
WORKFORCE_PER_UNIT = 24
HISTORY_MONTHS = 6
FIRST_NAMES = ("Anna", "Mehmet", "Sabine", "Jürgen", "Olga", "Lukas", "Fatma", "Stefan", "Ewa", "Thomas", "Ayşe",
               "Dirk", "Marija", "Kevin", "Ines", "Goran", "Petra", "Yusuf", "Claudia", "Andrzej")
LAST_NAMES = ("Schneider", "Yılmaz", "Kowalski", "Becker", "Nowak", "Hoffmann", "Demir", "Wagner", "Popescu",
              "Krüger", "Novak", "Schulz", "Kaya", "Fischer", "Horvat", "Richter", "Öztürk", "Wolf")


def _colleague_email(number: int) -> str:
    return f"kollegium-{number:03d}@demo.qualify.test"


def load_demo_history(now: datetime) -> int:
    """Add the demo workforce with enrolments and modules done over the last months; return how many people.

    Deterministic (a fixed seed), and only once: a second load finds the first colleague and adds nothing.
    """
    courses = [course for course in db.session.scalars(select(Course).order_by(Course.slug)) if course.is_published]
    if not courses or services.find_user_by_email(_colleague_email(0)):
        return 0
    rng = random.Random(2026)
    # The months the works council's figures show now (a month is counted a week after it ended): in the first
    # week of a month, the one before it is not among them yet, and learning in it would show nowhere.
    last = due_month(now)
    history_starts = month_start_utc(add_months(last, -(HISTORY_MONTHS - 1)))
    span = (month_start_utc(add_months(last, 1)) - history_starts).total_seconds()
    people = 0
    for slug in WORKFORCE_ORGANISATIONS:
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        for unit in organisation.units:
            for _ in range(WORKFORCE_PER_UNIT):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                person = services.create_user(_colleague_email(people), name, organisation=organisation, unit=unit,
                                              invited=False)  # nobody mailed them: a demo
                people += 1
                db.session.flush()
                skill = rng.uniform(0.5, 0.95)  # the share of questions this person gets right
                for course in rng.sample(courses, k=min(len(courses), rng.choice((0, 1, 1, 2, 2)))):
                    moment = history_starts + timedelta(seconds=rng.uniform(0, span))
                    learning.enrol(person, course, now=moment)
                    self_study = [m for m in course.active_modules if m.current_version.kind == "self-study"]
                    for module in self_study[:rng.randint(0, len(self_study))]:
                        moment += timedelta(days=rng.randint(1, 12))
                        if moment >= now or not _take_quiz(person, module, moment, rng, skill):
                            break  # stuck here: the next module waits
    refresh_rollups(now, rebuild=True)
    statistics.count_answers()  # the trainers' item statistics, as the scheduler counts them
    _get_the_demo_learner_going(now, rng)
    return people


def _get_the_demo_learner_going(now: datetime, rng: random.Random) -> None:
    """Lena has begun a course (its first module done) and booked its workshop: the start page has something to
    continue with and a next session to show."""
    learner = services.find_user_by_email("lernende@demo.qualify.test")
    course = db.session.scalar(select(Course).where(Course.slug == "hochvolt-sicherheit"))
    if learner is None or course is None or not course.is_published:
        return
    started = now - timedelta(days=3)
    learning.enrol(learner, course, now=started)
    first = next(m for m in course.active_modules if m.current_version.kind == "self-study")
    _take_quiz(learner, first, started, rng, skill=1.0)
    session = db.session.scalar(select(WorkshopSession).join(WorkshopSession.module)
                                .where(Module.course_id == course.id, WorkshopSession.starts_at > now)
                                .order_by(WorkshopSession.starts_at).limit(1))
    if session is not None:
        workshops.book(session, learner, now=now)


def _take_quiz(person, module, moment: datetime, rng: random.Random, skill: float) -> bool:
    """Answer the module's quiz like a learner who knows `skill` of it, once more if it failed; True if passed."""
    for retry in range(2):
        attempt = quiz.start_attempt(person, module, now=moment + timedelta(days=retry))
        form: dict[str, list[str]] = {}
        for question in quiz.attempt_questions(attempt):
            form.update(_answer(attempt, question, right=rng.random() < skill))
        quiz.submit_attempt(attempt, person, now=attempt.started_at + timedelta(minutes=3), form=form)
        if attempt.passed:
            return True
        settings = quiz.settings_for(module, attempt.version)
        if settings.attempts is not None and attempt.number >= settings.attempts:
            return False
    return False


def _answer(attempt, question: dict, *, right: bool) -> dict[str, list[str]]:
    """The form fields of one question, answered right or wrong, as the quiz page would send them."""
    key, kind, name = question["key"], question["kind"], f"q-{question['key']}"
    answers = question.get("answers", [])
    if kind in ("single_choice", "multiple_choice"):
        good = [i for i, a in enumerate(answers) if a.get("fraction", 0) > 0]
        bad = [i for i, a in enumerate(answers) if a.get("fraction", 0) <= 0] or good
        if kind == "single_choice":
            good = [max(range(len(answers)), key=lambda i: answers[i].get("fraction", 0))]
        chosen = good if right else bad[:1]
        return {name: [quiz.option_id(attempt, key, i) for i in chosen]}
    if kind == "true_false":
        return {name: ["true" if question["correct"] == right else "false"]}
    if kind == "short_answer":
        return {name: [max(answers, key=lambda a: a["fraction"])["text"] if right else "weiß nicht"]}
    if kind == "numerical":
        best = max((a for a in answers if a["low"] is not None), key=lambda a: a["fraction"])
        value = (best["low"] + best["high"]) / 2
        return {name: [f"{value if right else (value * 2 or 1):g}"]}  # the wrong one: a slip by a factor of two
    if kind == "matching":
        choices = grading.matching_choices(question)
        pairs = grading.matching_pairs(question)
        fields = {}
        for i, pair in enumerate(pairs):
            index = choices.index(pair["right"]) if right else (choices.index(pair["right"]) + 1) % len(choices)
            fields[f"{name}-{i}"] = [quiz.option_id(attempt, key, f"r{index}")]
        return fields
    return {}  # descriptions and reflections: nothing to grade


@click.group("demo", cls=AppGroup)
def demo_cli() -> None:
    """Demo data for trying Qualify out."""


@demo_cli.command("load")
def load_command() -> None:
    """Load demo organisations and one account per role (idempotent)."""
    created = load_demo_accounts()
    give_demo_roles_their_work()
    colleagues = load_demo_history(utcnow())
    db.session.commit()
    if colleagues:
        click.echo(f"{colleagues} demo colleagues with half a year of learning (they cannot sign in).")
    click.echo(f"Demo accounts ({len(created)} new):")
    for email, _name, roles, _org, _unit, password in DEMO_ACCOUNTS:
        click.echo(f"  {email:32} {', '.join(sorted(r.value for r in roles)):26} password: {password}")

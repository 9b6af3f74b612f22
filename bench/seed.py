"""The bench data set: deterministic, bulk-inserted, and cached per size and schema in bench/.cache/.

Courses go through the real import (load_tree + import_tree), so their HTML and questions are what trainers'
courses produce; everything else (people, progress, attempts, bookings) is written in bulk: executemany on
SQLite, COPY on PostgreSQL. The SQLite seed is one file; on PostgreSQL it is a template database that each run
clones with CREATE DATABASE … TEMPLATE.
"""

import hashlib
import json
import random
import re
import shutil
import sys
import time
from itertools import count
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
PASSWORD = "bench-passwort-2026"
EPOCH = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Size:
    organisations: int
    units: int
    users: int
    courses: int
    modules_per_course: int
    sessions: int
    bookings_per_session: int
    # Per person: 8 enrolments, 4 courses done (40 modules), 5 + 5 modules in two more (50 completions),
    # 3 quiz attempts in each of 5 courses (15 attempts), 4 certificates.


SIZES = {
    "S": Size(organisations=2, units=10, users=2_000, courses=40, modules_per_course=10, sessions=60,
              bookings_per_session=20),
    "M": Size(organisations=5, units=50, users=20_000, courses=200, modules_per_course=10, sessions=300,
              bookings_per_session=20),
    "L": Size(organisations=10, units=100, users=100_000, courses=500, modules_per_course=10, sessions=1_500,
              bookings_per_session=20),
}
ENROLMENTS, DONE_COURSES, ATTEMPTS_PER_QUIZ = 8, 4, 3
QUIZ_POSITION, WORKSHOP_POSITION, QUESTIONS = 9, 10, 8
# Courses that go through the real import; the rest are copies of them with their own slugs and titles.
IMPORTED_COURSES = 20


def log(message: str) -> None:
    print(f"[seed] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ course text

def _sentences() -> list[str]:
    """Take the sentences of the demo courses: realistic German, the length and punctuation of real modules."""
    found = []
    for path in sorted((ROOT / "courses").glob("*/*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        body = re.sub(r"```.*?```", "", body, flags=re.S)
        for line in body.splitlines():
            line = line.strip()
            if line and line[0].isalpha() and not line.startswith(("!", "|", ":::")):
                found.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if len(s.strip()) > 30)
    return found or ["Sicherheit geht vor: Arbeiten an Hochvolt-Systemen nur mit Qualifizierung."]


def _words(sentence: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-zÄÖÜäöüß-]{4,}", sentence)]


def module_markdown(rng: random.Random, sentences: list[str], title: str) -> str:
    """Return a module of 3–5 KB: headings, paragraphs, lists, a table, a callout, links and emphasis."""
    def paragraph(n: int) -> str:
        text = " ".join(rng.choice(sentences) for _ in range(n))
        words = _words(text)
        if words:
            word = rng.choice(words)
            text = text.replace(word, f"**{word}**", 1)
        return text

    parts = [f"# {title}", paragraph(4)]
    for section in range(rng.randint(3, 5)):
        parts += [f"## {' '.join(_words(rng.choice(sentences))[:3]) or 'Abschnitt'} {section + 1}", paragraph(3)]
        shape = section % 4
        if shape == 0:
            parts.append("\n".join(f"- {rng.choice(sentences)}" for _ in range(4)))
        elif shape == 1:
            parts.append("\n".join(f"{i}. {rng.choice(sentences)}" for i in range(1, 5)))
        elif shape == 2:
            rows = [f"| {' '.join(_words(rng.choice(sentences))[:2])} | {rng.randint(12, 1500)} V | "
                    f"{rng.choice(['ja', 'nein', 'mit Aufsicht'])} |" for _ in range(4)]
            parts.append("| Bauteil | Spannung | Erlaubt |\n|---|---|---|\n" + "\n".join(rows))
        else:
            parts.append(f"::: hinweis\n{paragraph(2)}\n:::")
        parts.append(paragraph(3) + " Mehr dazu in der [DGUV Information](https://www.dguv.de/) "
                                    f"und im [nächsten Modul](0{min(section + 2, 8)}-modul-{min(section + 2, 8)}.md).")
    return "\n\n".join(parts) + "\n"


def quiz_gift(rng: random.Random, sentences: list[str]) -> str:
    questions = []
    for n in range(1, QUESTIONS + 1):
        words = _words(rng.choice(sentences))[:8] or ["Sicherheit"]
        options = _words(rng.choice(sentences))[:3] + ["Schutz", "Abstand", "Freischalten"]
        right, wrong = options[0], options[1:3]
        questions.append(f"::Frage {n}:: {' '.join(words)}? {{={right} ~{wrong[0]} ~{wrong[1]}}}")
    return "\n\n".join(questions)


def write_courses(folder: Path, courses: int, modules_per_course: int) -> None:
    """Write the course tree: per course, reading modules, a quiz module and a workshop module."""
    rng = random.Random(1)
    sentences = _sentences()
    for c in range(courses):
        course = folder / f"kurs-{c:04d}"
        (course).mkdir(parents=True)
        meta = {"title": f"Kurs {c:04d}: {' '.join(_words(rng.choice(sentences))[:4])}",
                "summary": rng.choice(sentences), "duration_minutes": rng.choice([45, 90, 150, 240]),
                "status": "published", "tags": rng.sample(["Hochvolt", "Digitalisierung", "Batterie",
                                                           "Sicherheit", "Qualität", "Logistik"], 2),
                "audience": rng.sample(["Montage", "Instandhaltung", "Logistik", "Verwaltung"], 2)}
        body = "\n\n".join(rng.choice(sentences) for _ in range(5))
        (course / "course.md").write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n{body}\n",
                                          encoding="utf-8")
        for position in range(1, modules_per_course + 1):
            title = f"Modul {position}: {' '.join(_words(rng.choice(sentences))[:4])}"
            front = {"title": title, "kind": "workshop" if position == WORKSHOP_POSITION else "self-study",
                     "minutes": rng.choice([15, 20, 30, 45])}
            text = module_markdown(rng, sentences, title)
            if position == QUIZ_POSITION:
                text += f"\n```quiz\n{quiz_gift(rng, sentences)}\n```\n"
            (course / f"{position:02d}-modul-{position}.md").write_text(
                f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n\n{text}", encoding="utf-8")


def copy_courses(bulk: "Bulk", courses: int) -> None:
    """Make the other courses as copies of the imported ones, in bulk: importing all of size M takes minutes."""
    from qualify.courses.models import Course, Module, ModuleVersion
    from qualify.extensions import db

    originals = db.session.execute(select(Course.__table__).order_by(Course.id)).mappings().all()
    if courses <= len(originals):
        return
    modules = db.session.execute(select(Module.__table__).order_by(Module.id)).mappings().all()
    versions = db.session.execute(select(ModuleVersion.__table__).order_by(ModuleVersion.id)).mappings().all()
    course_id = max(r["id"] for r in originals)
    module_id = max(r["id"] for r in modules)
    version_id = max(r["id"] for r in versions)
    new_courses, new_modules, new_versions, current = [], [], [], []
    for c in range(len(originals), courses):
        original = originals[c % len(originals)]
        slug = f"kurs-{c:04d}"
        course_id += 1
        copy = dict(original, id=course_id, slug=slug, title=f"Kurs {c:04d}" + original["title"][9:],
                    overview_html=original["overview_html"].replace(f"/kurse/{original['slug']}/", f"/kurse/{slug}/"))
        new_courses.append(copy)
        for module in (m for m in modules if m["course_id"] == original["id"]):
            module_id += 1
            new_modules.append(dict(module, id=module_id, course_id=course_id, current_version_id=None))
            for version in (v for v in versions if v["module_id"] == module["id"]):
                version_id += 1
                html = version["body_html"].replace(f"/kurse/{original['slug']}/", f"/kurse/{slug}/")
                new_versions.append(dict(version, id=version_id, module_id=module_id, body_html=html))
                if version["id"] == module["current_version_id"]:
                    current.append((version_id, module_id))
    bulk.insert(Course.__table__, new_courses)
    bulk.insert(Module.__table__, new_modules)
    bulk.insert(ModuleVersion.__table__, new_versions)
    with db.engine.begin() as connection:
        connection.execute(Module.__table__.update().where(Module.id == bindparam("module"))
                           .values(current_version_id=bindparam("version")),
                           [{"version": v, "module": m} for v, m in current])


# ------------------------------------------------------------------------------------------------ bulk rows

class Bulk:
    """Insert rows fast: COPY on PostgreSQL, executemany on SQLite; fills defaults the ORM would."""

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def insert(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        columns = [c for c in table.columns if c.name in rows[0] or c.default is not None]
        names = [c.name for c in columns]
        values = [tuple(self._value(c, row) for c in columns) for row in rows]
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self.postgres:
                # Rows arrive table by table, and modules and their versions refer to each other: check no
                # foreign keys while copying (the seed is consistent by construction; needs a superuser).
                cursor.execute("SET session_replication_role = replica")
                with cursor.copy(f'COPY "{table.name}" ({", ".join(names)}) FROM STDIN') as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join("?" for _ in names)
                cursor.executemany(f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({marks})', values)
            connection.commit()
        finally:
            connection.close()

    def _value(self, column, row: dict):
        if column.name in row:
            value = row[column.name]
        elif column.default.is_scalar:
            value = column.default.arg
        else:
            value = column.default.arg(None)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).replace(tzinfo=None)
            return value if self.postgres else value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        if isinstance(value, bool) and not self.postgres:
            return int(value)
        return value

    def reset_sequences(self, tables) -> None:
        if not self.postgres:
            return
        with self.engine.begin() as connection:
            for table in tables:
                if "id" in table.columns:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))


def _code(n: int) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    digits = "".join(alphabet[(n // len(alphabet) ** i) % len(alphabet)] for i in range(8))
    return f"QF-{digits[:4]}-{digits[4:]}"


def enrolled_courses(user_index: int, courses: int) -> list[int]:
    """Return the course indexes a person is enrolled in, the first DONE_COURSES of them completed."""
    return [(user_index * 37 + k * 53) % courses for k in range(ENROLMENTS)]


def seed_people_and_progress(bulk: Bulk, size: Size, password_hash: str) -> None:
    """Write organisations, units, people, roles, enrolments, completions, attempts and certificates."""
    from qualify.accounts.models import Organisation, Unit, User, UserRole
    from qualify.courses.models import Course, Module
    from qualify.extensions import db
    from qualify.learning.models import Certificate, Enrolment, ModuleCompletion, QuizAttempt

    rng = random.Random(2)
    bulk.insert(Organisation.__table__, [
        {"id": o + 1, "slug": f"firma-{o + 1}", "name": f"Zulieferer {o + 1} GmbH", "small_group_threshold": 5,
         "created_at": EPOCH} for o in range(size.organisations)])
    bulk.insert(Unit.__table__, [
        {"id": u + 1, "organisation_id": u % size.organisations + 1, "name": f"Abteilung {u + 1}",
         "kind": "department"} for u in range(size.units)])
    users, roles = [], []
    first_names = ["Lena", "Tom", "Mira", "Bernd", "Kim", "Ada", "Jonas", "Aylin", "Piotr", "Sofia", "Emre"]
    last_names = ["Becker", "Schmidt", "Yilmaz", "Nowak", "Wagner", "Hoffmann", "Kaya", "Schulz", "Rossi"]
    for i in range(size.users):
        unit = i % size.units
        users.append({"id": i + 1, "email": f"person{i + 1:06d}@bench.qualify.test",
                      "personnel_number": f"P{i + 1:06d}",
                      "display_name": f"{first_names[i % 11]} {last_names[(i // 11) % 9]}",
                      "password_hash": password_hash, "language": "en" if i % 10 == 9 else "de",
                      "organisation_id": unit % size.organisations + 1, "unit_id": unit + 1, "active": True,
                      "created_at": EPOCH})
        roles.append({"id": len(roles) + 1, "user_id": i + 1, "role": "learner"})
        if i < size.organisations:  # the first person of each organisation sits on its works council
            roles.append({"id": len(roles) + 1, "user_id": i + 1, "role": "works_council"})
    bulk.insert(User.__table__, users)
    bulk.insert(UserRole.__table__, roles)
    log(f"{len(users):,} people")

    courses = list(db.session.execute(select(Course.id, Course.title, Course.duration_minutes)
                                      .order_by(Course.slug)))
    modules: dict[int, list] = {}
    for row in db.session.execute(select(Module.course_id, Module.id, Module.current_version_id)
                                  .order_by(Module.position)):
        modules.setdefault(row.course_id, []).append(row)
    from qualify.courses.models import ModuleVersion
    questions = {row.id: [q["key"] for q in row.questions] for row in db.session.execute(
        select(ModuleVersion.id, ModuleVersion.questions)) if row.questions}

    ids = {name: count(1) for name in ("enrolment", "completion", "attempt", "certificate")}
    enrolments, completions, attempts, certificates = [], [], [], []
    totals = {"completions": 0, "attempts": 0}

    def flush() -> None:
        bulk.insert(ModuleCompletion.__table__, completions)
        bulk.insert(QuizAttempt.__table__, attempts)
        totals["completions"] += len(completions)
        totals["attempts"] += len(attempts)
        completions.clear()
        attempts.clear()

    for i in range(size.users):
        user_id = i + 1
        for k, c in enumerate(enrolled_courses(i, len(courses))):
            course = courses[c]
            course_modules = modules[course.id]
            day = EPOCH + timedelta(days=(i * 7 + k * 11) % 300, minutes=i % 600)
            done = course_modules if k < DONE_COURSES else course_modules[:5] if k < DONE_COURSES + 2 else []
            enrolments.append({"id": next(ids["enrolment"]), "user_id": user_id, "course_id": course.id,
                               "enrolled_at": day,
                               "completed_at": day + timedelta(days=9) if k < DONE_COURSES else None})
            for position, module in enumerate(done, start=1):
                completions.append({"id": next(ids["completion"]), "user_id": user_id, "module_id": module.id,
                                    "module_version_id": module.current_version_id,
                                    "completed_at": day + timedelta(days=position),
                                    "via": {QUIZ_POSITION: "quiz", WORKSHOP_POSITION: "workshop"}.get(position,
                                                                                                      "read")})
            if k <= DONE_COURSES:
                attempts.extend(_attempts(rng, ids["attempt"], user_id, course_modules[QUIZ_POSITION - 1],
                                          questions, day, passes=k < DONE_COURSES))
            if k < DONE_COURSES:
                n = next(ids["certificate"])
                certificates.append({"id": n, "code": _code(n), "user_id": user_id, "course_id": course.id,
                                     "holder_name": users[i]["display_name"], "course_title": course.title,
                                     "duration_minutes": course.duration_minutes,
                                     "issued_at": day + timedelta(days=9)})
        if len(completions) >= 200_000:  # keep memory flat on size L
            flush()
    flush()
    bulk.insert(Enrolment.__table__, enrolments)
    bulk.insert(Certificate.__table__, certificates)
    log(f"{len(enrolments):,} enrolments, {totals['completions']:,} modules done, "
        f"{totals['attempts']:,} quiz attempts, {len(certificates):,} certificates")


def _attempts(rng, ids, user_id: int, quiz, questions: dict, day: datetime, *, passes: bool) -> list[dict]:
    keys = questions.get(quiz.current_version_id, [])
    rows = []
    for number in range(1, ATTEMPTS_PER_QUIZ + 1):
        passed = passes and number == ATTEMPTS_PER_QUIZ
        started = day + timedelta(days=QUIZ_POSITION, minutes=number * 20)
        secret = f"{rng.getrandbits(128):032x}"
        rows.append({
            "id": next(ids), "user_id": user_id, "module_id": quiz.id, "module_version_id": quiz.current_version_id,
            "number": number, "secret": secret, "question_keys": keys, "answers": {key: secret[:12] for key in keys},
            "started_at": started, "deadline_at": None, "submitted_at": started + timedelta(minutes=9),
            "score": 100.0 if passed else 37.5, "passed": passed,
            "results": [{"key": key, "kind": "single_choice", "score": 1.0 if passed else 0.0, "correct": passed,
                         "chosen": [], "feedback_html": ""} for key in keys]})
    return rows


def seed_workshops(bulk: Bulk, size: Size) -> int:
    """Write sessions of the workshop modules, in the future and open for booking, with their bookings."""
    try:
        from qualify.workshops.models import Booking, WorkshopSession
    except ImportError:
        log("workshops not installed: no sessions")
        return 0
    from qualify.courses.models import Module
    from qualify.extensions import db

    workshop_modules = list(db.session.scalars(
        select(Module.id).where(Module.position == WORKSHOP_POSITION).order_by(Module.id)))
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=60)
    sessions, bookings = [], []
    for s in range(size.sessions):
        starts = start + timedelta(hours=3 * s)
        sessions.append({
            "id": s + 1, "module_id": workshop_modules[s % len(workshop_modules)], "series_key": None,
            "starts_at": starts, "ends_at": starts + timedelta(hours=3), "format": "in-person",
            "place": f"Schulungsraum {s % 7 + 1}, Werk Nord", "online_url": "", "note": "",
            "capacity": size.bookings_per_session + 5, "booking_deadline_at": starts - timedelta(days=2),
            "cancellation_deadline_at": starts - timedelta(days=3), "approval_required": False,
            "status": "scheduled", "bookings_closed_at": None, "cancelled_at": None,
            "uid": f"bench-{s + 1}@qualify", "sequence": 0, "queue_counter": size.bookings_per_session,
            "created_at": EPOCH, "updated_at": EPOCH, "created_by_id": None})
        for j in range(size.bookings_per_session):
            bookings.append({"id": len(bookings) + 1, "session_id": s + 1,
                             "user_id": (s * 97 + j * 131) % size.users + 1, "status": "confirmed",
                             "queue_number": j + 1, "booked_at": EPOCH, "confirmed_at": EPOCH})
    bulk.insert(WorkshopSession.__table__, sessions)
    bulk.insert(Booking.__table__, bookings)
    log(f"{len(sessions):,} workshop sessions, {len(bookings):,} bookings")
    return len(sessions)


# ------------------------------------------------------------------------------------------------ the cache

def schema_fingerprint() -> str:
    """Hash the migration heads, the models' tables and this file: a change to any makes a new seed."""
    from alembic.script import ScriptDirectory

    from qualify import models  # noqa: F401
    from qualify.extensions import db

    heads = sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads())
    tables = [(t.name, [(c.name, str(c.type)) for c in t.columns]) for t in db.metadata.sorted_tables]
    digest = hashlib.sha256(json.dumps([heads, tables]).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def build(url: str, size_name: str) -> None:
    """Create the schema at url and fill it with the data set of the given size."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from qualify import create_app
    from qualify.courses.loader import load_tree
    from qualify.courses.services import import_tree
    from qualify.extensions import db

    size = SIZES[size_name]
    started = time.monotonic()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-seed"})
    with app.app_context():
        upgrade()
        db.create_all()  # tables of features whose migration is still being written
        tree_folder = CACHE / f"tree-{size_name}"
        shutil.rmtree(tree_folder, ignore_errors=True)
        write_courses(tree_folder, min(size.courses, IMPORTED_COURSES), size.modules_per_course)
        tree = load_tree(tree_folder)
        if not tree.ok:
            raise SystemExit(f"bench courses do not validate: {[str(p) for p in tree.problems[:5]]}")
        import_tree(tree)
        db.session.commit()
        shutil.rmtree(tree_folder, ignore_errors=True)
        bulk = Bulk(db.engine)
        copy_courses(bulk, size.courses)
        log(f"{size.courses} courses ({time.monotonic() - started:.0f} s)")
        # One hash for everyone, made with the production method: logins cost what they cost in production.
        seed_people_and_progress(bulk, size, generate_password_hash(PASSWORD, method="scrypt"))
        sessions = seed_workshops(bulk, size)
        bulk.reset_sequences(db.metadata.sorted_tables)
        refresh_reports()
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()
    log(f"size {size_name} seeded in {time.monotonic() - started:.0f} s ({sessions} sessions)")


def copy_seed(source_url: str, target_url: str) -> None:
    """Fill an empty database with every row of an existing seed (far faster than importing courses again)."""
    from flask_migrate import upgrade

    from qualify import create_app
    from qualify.extensions import db

    started = time.monotonic()
    app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "SECRET_KEY": "bench-seed"})
    source = create_engine(source_url)
    with app.app_context():
        upgrade()
        db.create_all()
        bulk = Bulk(db.engine)
        # Raw rows, without SQLAlchemy's types: SQLite's text for timestamps and JSON, and 0/1 for booleans,
        # are valid COPY input as they are, and skipping the conversions makes this several times faster.
        reader = source.raw_connection()
        target = db.engine.raw_connection()
        try:
            cursor = target.cursor()
            cursor.execute("SET session_replication_role = replica")
            for table in db.metadata.sorted_tables:
                names = ", ".join(f'"{column.name}"' for column in table.columns)
                rows = reader.cursor().execute(f'SELECT {names} FROM "{table.name}"')  # noqa: S608
                with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            target.commit()
        finally:
            target.close()
            reader.close()
        bulk.reset_sequences(db.metadata.sorted_tables)
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    source.dispose()
    log(f"copied the SQLite seed into PostgreSQL in {time.monotonic() - started:.0f} s")


def refresh_reports() -> None:
    """Count the works-council rollups, when the reports feature has its nightly job."""
    try:
        from qualify.reports import rollup
    except ImportError:
        return
    refresh = getattr(rollup, "refresh_rollups", None)
    if refresh is None:
        return
    from qualify.extensions import db

    refresh(datetime.now(UTC))
    db.session.commit()
    log("works-council rollups counted")


def sqlite_seed(size_name: str) -> Path:
    """Return the cached SQLite seed of this size and schema, building it first if needed."""
    path = CACHE / f"seed-{size_name}-{schema_fingerprint()}.sqlite"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for stale in CACHE.glob(f"seed-{size_name}-*"):
            stale.unlink()
        building = path.with_suffix(".building")
        for leftover in CACHE.glob(building.name + "*"):
            leftover.unlink()
        log(f"building SQLite seed {path.name}")
        build(f"sqlite:///{building}", size_name)
        building.rename(path)
    return path


def sqlite_copy(size_name: str, target: Path) -> str:
    """Copy the cached seed to target (runs write into their copy) and return its URL."""
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    shutil.copyfile(sqlite_seed(size_name), target)
    return f"sqlite:///{target}"


def postgres_copy(size_name: str, server_url: str, name: str) -> str:
    """Clone the cached template database of this size and schema into `name`; return its URL."""
    url = make_url(server_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    template = f"qualify_bench_{size_name.lower()}_{schema_fingerprint()}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": template}).scalar()
            if not exists:
                for (stale,) in connection.execute(text(
                        "SELECT datname FROM pg_database WHERE datname LIKE :p"),
                        {"p": f"qualify_bench_{size_name.lower()}_%"}):
                    connection.execute(text(f'DROP DATABASE "{stale}" WITH (FORCE)'))
                building = template + "_building"
                connection.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{building}"'))
                log(f"building PostgreSQL template {template}")
                copy_seed(f"sqlite:///{sqlite_seed(size_name)}",
                          url.set(database=building).render_as_string(hide_password=False))
                connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{template}"'))
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def describe(size_name: str) -> dict:
    return {"name": size_name, **asdict(SIZES[size_name])}


if __name__ == "__main__":
    sqlite_seed(sys.argv[1] if len(sys.argv) > 1 else "S")

"""Fixtures for report tests: organisations full of people, learning records in the past, and reading tables.

Records are written straight into the tables (no passwords, no course files): the reports only ever read
them, and thirty units of people must stay quick to make.
"""

import html as html_lib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import update

from qualify.accounts.models import Organisation, Unit, User, UserRole
from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.courses.models import Course, Module, ModuleVersion
from qualify.extensions import db
from qualify.learning.models import Enrolment, ModuleCompletion, QuizAttempt
from qualify.reports.rollup import refresh_rollups

# The figures are counted on 15 April 2025: January to March are complete months, April is not.
NOW = datetime(2025, 4, 15, 9, 0, tzinfo=UTC)
JAN, FEB, MAR, APR = (
    datetime(2025, m, d, 10, 17, tzinfo=UTC) for m, d in ((1, 13), (2, 13), (3, 13), (4, 3))
)


@dataclass
class Record:
    """Write learning records for people: course enrolments, module and course completions, quiz attempts."""

    numbers: count

    def people(
        self, organisation: Organisation, unit: Unit | None, n: int, *, prefix: str = ""
    ) -> list[User]:
        users = []
        for _ in range(n):
            number = next(self.numbers)
            user = User(
                email=f"{prefix}p{number}@example.org",
                display_name=f"{prefix}Mensch {number}",
                organisation=organisation,
                unit=unit,
            )
            user.role_rows.append(UserRole(role="learner"))
            users.append(user)
        db.session.add_all(users)
        db.session.flush()
        return users

    def course(self, title: str = "Hochvolt", kinds=("self-study", "workshop")) -> Course:
        number = next(self.numbers)
        course = Course(slug=f"kurs-{number}", title=title, status="published")
        db.session.add(course)
        db.session.flush()
        for position, kind in enumerate(kinds, start=1):
            module = Module(course=course, slug=f"m{position}", position=position)
            db.session.add(module)
            db.session.flush()
            version = ModuleVersion(
                module_id=module.id,
                number=1,
                title=f"Modul {position}",
                kind=kind,
                source="",
                body_html="",
                content_hash="x",
            )
            db.session.add(version)
            db.session.flush()
            module.current_version_id = version.id
        db.session.flush()
        return course

    def enrol(self, users, course: Course, at: datetime, *, completed_at: datetime | None = None) -> None:
        db.session.add_all(
            Enrolment(user_id=u.id, course_id=course.id, enrolled_at=at, completed_at=completed_at)
            for u in users
        )
        db.session.flush()

    def complete_module(self, users, course: Course, at: datetime, position: int = 1) -> None:
        module = course.modules[position - 1]
        db.session.add_all(
            ModuleCompletion(
                user_id=u.id,
                module_id=module.id,
                module_version_id=module.current_version_id,
                completed_at=at,
                via="quiz",
            )
            for u in users
        )
        db.session.flush()

    def quiz(self, users, course: Course, at: datetime, score: float) -> None:
        module = course.modules[0]
        db.session.add_all(
            QuizAttempt(
                user_id=u.id,
                module_id=module.id,
                module_version_id=module.current_version_id,
                number=1,
                secret="s" * 32,
                started_at=at,
                submitted_at=at + timedelta(minutes=7),
                score=score,
                passed=True,
            )
            for u in users
        )
        db.session.flush()


@pytest.fixture
def record() -> Record:
    return Record(count(1))


@pytest.fixture
def refresh():
    """Count the rollups as the nightly job would on NOW, and commit."""

    def run(now: datetime = NOW, **options) -> int:
        db.session.commit()
        counted = refresh_rollups(now, **options)
        db.session.commit()
        return counted

    return run


# --- reading what the page shows ------------------------------------------------------------------------

TABLE = re.compile(r'<table class="report-table" id="([^"]+)"[^>]*>(.*?)</table>', re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")


def report_tables(html: str) -> dict[str, list[list[str]]]:
    """Return each report table of the page as rows of cell texts (the header row first)."""
    tables = {}
    for ident, body in TABLE.findall(html):
        tables[ident] = [
            [" ".join(html_lib.unescape(TAG.sub("", cell)).split()) for cell in CELL.findall(row)]
            for row in ROW.findall(body)
        ]
    return tables


def row_of(table: list[list[str]], label: str) -> list[str]:
    """Return the cells of the row whose first cell is the label."""
    return next(row for row in table if row[0] == label)


WITHHELD = ("<", "geschützt")  # a headcount or total below K; a group's count withheld for any reason


def count_of(cell: str) -> int | None:
    """Read the count of a cell such as "12 (40 %)"; None for "< 5" and "geschützt"."""
    return None if cell.startswith(WITHHELD) else int(cell.split()[0])


def all_counts(html: str) -> list[int]:
    """Every count the report tables show (headcounts included)."""
    return [
        count
        for table in report_tables(html).values()
        for row in table[1:]
        for cell in row[1:]
        if (count := count_of(cell)) is not None
    ]


# --- clients and people -----------------------------------------------------------------------------------


@pytest.fixture
def client(new_client):
    """A client whose every request runs in a context (and database session) of its own, as in production."""
    return new_client()


@dataclass
class Scenario:
    firma: Organisation
    andere: Organisation
    hochvolt: Course
    antrieb: Course
    works_council: User


@pytest.fixture
def scenario(record, refresh, make_user) -> Scenario:
    """Two employers. Firma: Montage (20 people), Logistik (12), Labor (3); Andere: Geheimabteilung (10).

    January: 15 of Montage, 7 of Logistik and all 3 of Labor enrol in Hochvolt. February: 8 of Montage and
    2 of Logistik finish its first module, with quiz scores of 73.21. March: 6 of Montage finish the course.
    """
    firma = create_organisation("firma", "Firma", ["Montage", "Logistik", "Labor"])
    andere = create_organisation("andere", "Andere GmbH", ["Geheimabteilung"])
    montage, logistik, labor = (
        next(u for u in firma.units if u.name == n) for n in ("Montage", "Logistik", "Labor")
    )
    hochvolt, antrieb = record.course("Hochvolt"), record.course("Antrieb")
    m, lo, la = (
        record.people(firma, montage, 20),
        record.people(firma, logistik, 12),
        record.people(firma, labor, 3),
    )
    geheim = record.people(andere, andere.units[0], 10, prefix="geheim-")
    record.enrol(m[:15] + lo[:7] + la, hochvolt, JAN)
    record.enrol(geheim, hochvolt, JAN)
    record.complete_module(m[:8] + lo[:2], hochvolt, FEB)
    record.quiz(m[:8] + lo[:2], hochvolt, FEB, score=73.21)
    db.session.execute(
        update(Enrolment).where(Enrolment.user_id.in_([p.id for p in m[:6]])).values(completed_at=MAR)
    )
    works_council = make_user(Role.WORKS_COUNCIL, organisation=firma, name="Bea Betriebsrat")
    refresh()
    return Scenario(firma, andere, hochvolt, antrieb, works_council)


# The works council's access log (test_access_log, test_works_council_*_log): one firm and the network's
# administration acting on it.
@pytest.fixture
def firm(make_organisation):
    return make_organisation("Muster GmbH")


@pytest.fixture
def admin(make_user, login):
    """The network's administration, signed in on `client`."""
    user = make_user(Role.ADMIN, name="Ada Admin", email="ada@example.org")
    login(user)
    return user


@pytest.fixture
def council(make_user, login, new_client, firm):
    """A browser signed in as a member of Muster GmbH's works council, made before the test's own changes."""
    browser = new_client()
    login(make_user(Role.WORKS_COUNCIL, name="Bea Betriebsrat", organisation=firm), via=browser)
    return browser


ACCESS_LOG_ROW = re.compile(r"<tr>\s*<th scope=\"row\">.*?</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", re.S)


def entries(browser, **query) -> list[tuple[str, str]]:
    """The access log's rows as (who, what), in words, newest first."""
    page = browser.get("/berichte/protokoll", query_string=query).text
    table = re.search(r'<table class="stacks-on-phone access-log">.*?</table>', page, re.S).group(0)
    return [tuple(html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split())).removeprefix("Wer: ")
                  for cell in row) for row in ACCESS_LOG_ROW.findall(table)]

"""`qualify demo load`: one account per role, and work waiting for each of them; loading twice changes nothing."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from qualify.accounts.models import User
from qualify.courses.models import CourseOwner
from qualify.demo import (
    DEMO_ACCOUNTS,
    HISTORY_MONTHS,
    WORKFORCE_PER_UNIT,
    demo_cli,
    give_demo_roles_their_work,
    load_demo_accounts,
    load_demo_history,
)
from qualify.exchange.models import SpaceModerator
from qualify.extensions import db
from qualify.learning.models import Enrolment, QuizAttempt
from qualify.reports.models import RollupMonth
from qualify.reports.rollup import due_month, month_start_utc
from qualify.workshops.models import WorkshopSession
from tests.reports.conftest import count_of, report_tables


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (User, CourseOwner, WorkshopSession, SpaceModerator, Enrolment, QuizAttempt))


def test_demo_load_gives_every_role_an_account_and_something_to_do(runner, demo_courses):
    result = runner.invoke(demo_cli, ["load"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.qualify.test" in result.output and "admin-demo-2026" in result.output
    users, owners, sessions, moderators, *history = counts()
    assert users == len(DEMO_ACCOUNTS) + WORKFORCE_PER_UNIT * 7  # seven units in the two companies
    assert owners == len(demo_courses)
    assert sessions >= 2 and moderators >= 1
    runner.invoke(demo_cli, ["load"])
    assert counts() == (users, owners, sessions, moderators, *history)


def test_the_demo_workforce_gives_the_works_council_figures_to_see_and_small_groups_to_withhold(
    runner, demo_courses, client, login
):
    runner.invoke(demo_cli, ["load"])
    enrolments, passed, months = (db.session.scalar(select(func.count()).select_from(Enrolment)),
                                  db.session.scalar(select(func.count()).where(QuizAttempt.passed.is_(True))),
                                  db.session.scalar(select(func.count()).select_from(RollupMonth)))
    assert enrolments > 100 and passed > 100 and months == HISTORY_MONTHS
    assert db.session.scalar(select(func.count()).where(User.password_hash.is_not(None))) == len(DEMO_ACCOUNTS)
    council = db.session.scalar(select(User).where(User.email == "betriebsrat@demo.qualify.test"))
    login(council, password=next(account[-1] for account in DEMO_ACCOUNTS if account[0] == council.email))
    page = client.get("/berichte/beteiligung").text
    tables = report_tables(page)
    assert any(cell == "geschützt" for row in tables["tabelle-verlauf"] for cell in row), "nothing withheld"
    assert re.search(r'<td class="number">\d+ <span class="share">', page), "no figure shown"
    newest = tables["tabelle-ueberblick"]  # the month the page opens with
    assert any(count_of(cell) for row in newest[1:] for cell in row[2:]), "the newest month shows no figure"


def test_the_demo_learner_has_a_course_to_continue_and_a_session_booked(runner, demo_courses, client, login):
    runner.invoke(demo_cli, ["load"])
    learner = db.session.scalar(select(User).where(User.email == "lernende@demo.qualify.test"))
    login(learner, password=next(account[-1] for account in DEMO_ACCOUNTS if account[0] == learner.email))
    start = client.get("/").text
    assert "Weiterlernen" in start and "Ihr nächster Termin" in start
    assert "1 von 5 Modulen erledigt" in client.get("/lernen/").text


@pytest.mark.parametrize("now", [datetime(2026, 11, 30, 23, 30, tzinfo=UTC),  # the 1st in Berlin: Nov not due
                                 datetime(2026, 11, 15, 9, tzinfo=UTC)])
def test_the_demo_history_fills_every_month_the_figures_show_whatever_the_day(demo_courses, now):
    load_demo_accounts()
    give_demo_roles_their_work()
    load_demo_history(now)
    db.session.commit()
    months = db.session.scalars(select(RollupMonth.month).order_by(RollupMonth.month)).all()
    assert len(months) == HISTORY_MONTHS and months[-1] == due_month(now)
    learned = db.session.scalar(select(func.count()).where(Enrolment.enrolled_at >= month_start_utc(months[-1])))
    assert learned > 0  # the newest month shown has learning in it

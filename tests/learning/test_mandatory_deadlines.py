"""The learner sees their own mandatory courses and deadlines on "Mein Lernen" and the course page, read with the
statements those pages send anyway."""

from datetime import timedelta

import pytest

from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.learning import mandatory
from qualify.learning.services import enrol, mark_read
from tests.learning.helpers import module, module_of
from tests.learning.test_budgets import statements_for


@pytest.fixture
def unit(make_organisation):
    return make_organisation().units[0]


@pytest.fixture
def learner(make_user, login, unit):
    user = make_user(Role.LEARNER, organisation=unit.organisation, unit=unit)
    login(user)
    return user


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def make_mandatory(course, unit, admin, *, days=None, now=None):
    mandatory.assign(course, unit, days_to_complete=days, now=now or utcnow(), by=admin)
    db.session.commit()


def day(moment) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%d.%m.%Y")


def test_my_learning_and_the_course_page_say_by_when_to_complete_a_mandatory_course(
        client, learner, unit, admin, make_course):
    course = make_course(module("lesen"), module("mehr"), slug="pflicht", title="Sicherheit")
    now = utcnow()
    make_mandatory(course, unit, admin, days=30, now=now)
    said = f"Pflichtkurs – bis {day(now + timedelta(days=30))} abschließen"

    assert said in client.get("/lernen/").text
    assert said in client.get("/kurse/pflicht").text


def test_without_a_deadline_it_says_mandatory_and_an_ordinary_course_says_nothing(
        client, learner, unit, admin, make_course):
    make_mandatory(make_course(module("lesen"), slug="pflicht", title="Sicherheit"), unit, admin)
    enrol(learner, make_course(module("lesen"), slug="frei", title="Freiwillig"), now=utcnow())
    db.session.commit()

    page = client.get("/lernen/").text
    assert page.count("Pflichtkurs") == 1 and "abschließen" not in page
    assert "Pflichtkurs" in client.get("/kurse/pflicht").text
    assert "Pflichtkurs" not in client.get("/kurse/frei").text


def test_a_completed_mandatory_course_shows_no_deadline(client, learner, unit, admin, make_course):
    course = make_course(module("lesen"), slug="pflicht", title="Sicherheit")
    make_mandatory(course, unit, admin, days=30)
    mark_read(learner, module_of(course, "lesen"), now=utcnow())
    db.session.commit()

    assert "Pflichtkurs" not in client.get("/lernen/").text
    assert "Pflichtkurs" not in client.get("/kurse/pflicht").text


def test_mandatory_courses_cost_my_learning_and_the_course_page_no_statement_more(
        client, learner, unit, admin, make_course, count_statements):
    first = make_course(module("lesen"), slug="eins", title="Eins")
    enrol(learner, first, now=utcnow())
    db.session.commit()
    dashboard = statements_for(client, count_statements, "/lernen/")
    course_page = statements_for(client, count_statements, "/kurse/eins")

    make_mandatory(first, unit, admin, days=30)
    for n in range(3):
        make_mandatory(make_course(module("lesen"), slug=f"pflicht-{n}", title=f"Pflicht {n}"), unit, admin,
                       days=10 + n)
    assert client.get("/lernen/").text.count("Pflichtkurs – bis") == 4

    assert statements_for(client, count_statements, "/lernen/") == dashboard
    assert statements_for(client, count_statements, "/kurse/eins") == course_page


def test_leaving_a_mandatory_course_says_it_stays_mandatory(client, learner, unit, admin, make_course):
    make_mandatory(make_course(module("lesen"), slug="pflicht", title="Sicherheit"), unit, admin, days=30)
    enrol(learner, make_course(module("lesen"), slug="frei", title="Freiwillig"), now=utcnow())
    db.session.commit()

    stays = "Der Kurs bleibt für Ihren Bereich ein Pflichtkurs, auch wenn Sie ihn verlassen."
    assert stays in client.get("/kurse/pflicht").text
    assert stays not in client.get("/kurse/frei").text

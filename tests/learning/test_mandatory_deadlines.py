"""The learner sees their own mandatory courses and deadlines on "Mein Lernen" and the course page, read with the
statements those pages send anyway."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.mail import OutboxMessage
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.learning import mandatory
from qualify.learning.jobs import remind_of_mandatory_deadlines
from qualify.learning.services import enrol, leave, mark_read
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


def notes(page: str) -> list[str]:
    """The page's notes of a mandatory course ("Pflichtkurs – bis … abschließen")."""
    return re.findall(r'<p class="mandatory-note"><strong>(.*?)</strong></p>', page)


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

    assert notes(client.get("/lernen/").text) == ["Pflichtkurs"]
    assert "Pflichtkurs" in client.get("/kurse/pflicht").text
    assert "Pflichtkurs" not in client.get("/kurse/frei").text


def test_a_completed_mandatory_course_shows_no_deadline(client, learner, unit, admin, make_course):
    course = make_course(module("lesen"), slug="pflicht", title="Sicherheit")
    make_mandatory(course, unit, admin, days=30)
    mark_read(learner, module_of(course, "lesen"), now=utcnow())
    db.session.commit()

    assert notes(client.get("/lernen/").text) == []
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


def test_leaving_a_mandatory_course_says_it_stays_mandatory_and_listed(client, learner, unit, admin, make_course):
    make_mandatory(make_course(module("lesen"), slug="pflicht", title="Sicherheit"), unit, admin, days=30)
    enrol(learner, make_course(module("lesen"), slug="frei", title="Freiwillig"), now=utcnow())
    db.session.commit()

    stays = ("Der Kurs bleibt für Ihren Bereich ein Pflichtkurs, auch wenn Sie ihn verlassen – mit seiner Frist, "
             "falls er eine hat. Er bleibt deshalb unter „Mein Lernen“, wo Sie sich wieder einschreiben können.")
    goes = "Der Kurs verschwindet aus „Mein Lernen“."
    mandatory_page, free_page = client.get("/kurse/pflicht").text, client.get("/kurse/frei").text
    assert stays in mandatory_page and goes not in mandatory_page
    assert goes in free_page and stays not in free_page


def rejoin_form(page: str, slug: str) -> bool:
    return f'<form method="post" action="/lernen/kurse/{slug}/einschreiben">' in page


def test_a_mandatory_course_left_stays_on_my_learning_with_its_deadline_and_can_be_joined_again(
        client, learner, unit, admin, make_course):
    course = make_course(module("lesen"), module("mehr"), slug="pflicht", title="Sicherheit")
    now = utcnow()
    make_mandatory(course, unit, admin, days=30, now=now)
    mark_read(learner, module_of(course, "lesen"), now=utcnow())
    db.session.commit()
    deadline = f"Pflichtkurs – bis {day(now + timedelta(days=30))} abschließen"

    left = client.post("/lernen/kurse/pflicht/verlassen", follow_redirects=True).text

    assert "Sie haben den Kurs verlassen." in left
    assert "Sicherheit" in left and deadline in left and "1 von 2 Modulen erledigt" in left
    assert "Sie haben diesen Kurs verlassen; er bleibt für Ihren Bereich ein Pflichtkurs." in left
    assert rejoin_form(left, "pflicht") and "Weiter mit" not in left
    course_page = client.get("/kurse/pflicht").text
    assert deadline in course_page and "Einschreiben und loslegen" in course_page

    joined = client.post("/lernen/kurse/pflicht/einschreiben")

    assert joined.headers["Location"].endswith("/lernen/kurse/pflicht/weiter")
    again = client.get("/lernen/").text
    assert deadline in again and not rejoin_form(again, "pflicht") and "Weiter mit: Mehr" in again


def test_a_course_left_goes_from_my_learning_when_it_is_not_or_no_longer_mandatory(
        client, learner, unit, admin, make_course):
    course = make_course(module("lesen"), slug="pflicht", title="Sicherheit")
    assignment = mandatory.assign(course, unit, days_to_complete=30, now=utcnow(), by=admin)
    free = make_course(module("lesen"), slug="frei", title="Freiwillig")
    enrol(learner, free, now=utcnow())
    db.session.commit()
    client.post("/lernen/kurse/pflicht/verlassen")
    client.post("/lernen/kurse/frei/verlassen")

    assert "Freiwillig" not in client.get("/lernen/").text
    assert rejoin_form(client.get("/lernen/").text, "pflicht")

    mandatory.end(assignment, now=utcnow(), by=admin)
    db.session.commit()

    assert "Sicherheit" not in client.get("/lernen/").text
    assert "Pflichtkurs" not in client.get("/kurse/pflicht").text


def test_the_start_page_does_not_offer_to_continue_a_course_left(client, learner, unit, admin, make_course):
    make_mandatory(make_course(module("lesen"), slug="pflicht", title="Sicherheit"), unit, admin, days=30)
    client.post("/lernen/kurse/pflicht/verlassen")

    assert "Sicherheit" not in client.get("/").text


def test_who_left_a_mandatory_course_is_still_reminded_of_its_deadline(learner, unit, admin, make_course):
    course = make_course(module("lesen"), slug="pflicht", title="Sicherheit")
    start = utcnow()
    make_mandatory(course, unit, admin, days=30, now=start)
    leave(learner, course)
    db.session.commit()

    assert remind_of_mandatory_deadlines(start + timedelta(days=23, minutes=1)) == 1
    [reminder] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == learner.email,
                                                                OutboxMessage.subject.startswith("Erinnerung")))
    assert "/kurse/pflicht" in reminder.body_text


def test_a_mandatory_course_left_costs_my_learning_and_its_page_no_statement_more(
        client, learner, unit, admin, make_course, count_statements):
    enrol(learner, make_course(module("lesen"), slug="eins", title="Eins"), now=utcnow())
    db.session.commit()
    dashboard = statements_for(client, count_statements, "/lernen/")
    course_page = statements_for(client, count_statements, "/kurse/eins")

    for n in range(3):
        make_mandatory(make_course(module("lesen"), slug=f"pflicht-{n}", title=f"Pflicht {n}"), unit, admin,
                       days=10 + n)
        client.post(f"/lernen/kurse/pflicht-{n}/verlassen")
    assert sum(rejoin_form(client.get("/lernen/").text, f"pflicht-{n}") for n in range(3)) == 3

    assert statements_for(client, count_statements, "/lernen/") == dashboard
    assert statements_for(client, count_statements, "/kurse/pflicht-0") == course_page


def test_my_learning_says_that_deadlines_are_stored_and_seen_by_the_learner_alone(client, learner):
    promise = client.get("/lernen/").text

    assert "Ihre Ergebnisse und Fristen sieht niemand außer Ihnen." in promise
    assert "bei Pflichtkursen auch Ihre Frist und wann Sie daran erinnert wurden" in promise

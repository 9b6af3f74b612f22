"""The catalogue marks the courses the reader is enrolled in or has completed; the page itself stays one for all
readers (kept rendered per language), and the marks cost no statement of their own."""

import re

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses import views
from qualify.extensions import db
from qualify.learning import services


def card_of(page: str, title: str) -> str:
    """The catalogue card whose heading links to the course of that title."""
    (card,) = [card for card in re.findall(r'<li class="card">(.*?)</li>\s*(?=<li class="card">|</ul>)', page, re.S)
               if f">{title}</a></h2>" in card]
    return card


def test_the_catalogue_marks_the_courses_enrolled_in_and_completed(client, demo_courses, learner):
    learning, done, other = (demo_courses[slug] for slug in ("hochvolt-sicherheit", "digitale-fabrik",
                                                              "elektrischer-antriebsstrang"))
    services.enrol(learner, learning, now=utcnow())
    services.enrol(learner, done, now=utcnow())
    services.get_enrolment(learner, done).completed_at = utcnow()
    db.session.commit()

    page = client.get("/kurse/").text
    assert '<span class="status">eingeschrieben</span>' in card_of(page, learning.title)
    assert "abgeschlossen" not in card_of(page, learning.title)
    assert "abgeschlossen</span>" in card_of(page, done.title)
    assert "eingeschrieben" not in card_of(page, done.title)
    assert "eingeschrieben" not in card_of(page, other.title) and "abgeschlossen" not in card_of(page, other.title)


def test_the_kept_catalogue_is_shared_and_shows_nobody_the_marks_of_another(
        client, new_client, login, make_user, demo_courses, learner):
    services.enrol(learner, demo_courses["hochvolt-sicherheit"], now=utcnow())
    db.session.commit()
    views._CATALOGUE_PAGES._parts.clear()
    assert "eingeschrieben</span>" in client.get("/kurse/").text
    colleague = new_client()
    login(make_user(Role.LEARNER), via=colleague)
    page = colleague.get("/kurse/").text
    assert "eingeschrieben</span>" not in page and "abgeschlossen</span>" not in page
    assert len(views._CATALOGUE_PAGES._parts) == 1  # one page kept for both readers


def test_the_marks_cost_no_statement_more(new_client, login, make_user, demo_courses, count_statements):
    client, learner = new_client(), make_user(Role.LEARNER)  # each request in its own app context, as served
    login(learner, via=client)
    client.get("/kurse/")  # kept from now on
    with count_statements() as without_courses:
        client.get("/kurse/")
    for course in demo_courses.values():
        services.enrol(learner, course, now=utcnow())
    db.session.commit()
    with count_statements() as with_all:
        page = client.get("/kurse/").text
    assert page.count("eingeschrieben</span>") == len([c for c in demo_courses.values() if c.is_published])
    assert with_all.count == without_courses.count <= 2  # the signed-in person; the stamp with their standing

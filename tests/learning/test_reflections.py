"""Reflections (essay answers) are private: kept for their author, shown to nobody else, never graded."""

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.learning.models import Reflection
from tests.learning.helpers import module, module_of, module_url, question_fields, quiz_page, start_quiz

QUIZ = """
::Farbe:: Welche Farbe haben Hochvolt-Leitungen? {=orange ~grün}

::Reflexion:: Wo begegnet Ihnen Hochvolt bei der Arbeit? {}
"""
SECRET = "Ich habe Angst vor dem neuen Batterieband, sage es aber niemandem."


@pytest.fixture
def reflected(client, learner, make_course):
    """A learner who wrote a reflection and handed the quiz in; returns (course, attempt id)."""
    course = make_course(module("test", quiz=QUIZ))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    fields = question_fields(page)
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data={fields["Reflexion"]: SECRET})
    assert SECRET in client.get(f"/lernen/versuche/{attempt_id}").text
    client.post(
        f"/lernen/versuche/{attempt_id}/abgeben",
        data={fields["Farbe"]: page.option(fields["Farbe"], "orange")},
    )
    return course, attempt_id


def test_the_author_sees_the_reflection_again(client, reflected):
    course, attempt_id = reflected
    result = client.get(f"/lernen/versuche/{attempt_id}").text
    assert SECRET in result
    assert "nur für Sie sichtbar" in result
    # and in the next attempt, where the field is filled with it
    next_attempt = start_quiz(client, module_of(course, "test"))
    field = question_fields(quiz_page(client, next_attempt))["Reflexion"]
    assert quiz_page(client, next_attempt).named(field)[0].text == SECRET


def test_a_reflection_is_not_graded(client, reflected):
    _course, attempt_id = reflected
    assert "100\u00a0%" in client.get(f"/lernen/versuche/{attempt_id}").text


def test_emptying_the_field_deletes_the_reflection(client, learner, make_course):
    course = make_course(module("test", quiz=QUIZ))
    attempt_id = start_quiz(client, module_of(course, "test"))
    field = question_fields(quiz_page(client, attempt_id))["Reflexion"]
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data={field: SECRET})
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data={field: "  "})
    db.session.expire_all()
    assert db.session.scalars(select(Reflection)).all() == []


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.ADMIN])
def test_nobody_else_sees_a_reflection(new_client, make_user, login, reflected, learner, role):
    course, attempt_id = reflected
    other = make_user(role)
    if role == Role.TRAINER:
        db.session.add(CourseOwner(course_id=course.id, user_id=other.id))
        db.session.commit()
    browser = new_client()
    login(other, via=browser)

    assert browser.get(f"/lernen/versuche/{attempt_id}").status_code == 404
    urls = ["/", "/lernen/", f"/kurse/{course.slug}", module_url(course, "test")]
    if role in (Role.TRAINER, Role.ADMIN):
        urls += [
            "/autoren/",
            f"/autoren/{course.slug}",
            f"/autoren/{course.slug}/module/test",
            f"/autoren/{course.slug}/module/test/versionen",
        ]
    if role == Role.ADMIN:
        urls += ["/verwaltung/", f"/verwaltung/personen/{learner.id}", "/verwaltung/protokoll"]
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert SECRET not in response.text, url
        assert "Batterieband" not in response.text, url

    # their own attempt at the same quiz offers an empty field
    own_attempt = start_quiz(browser, module_of(course, "test"))
    page = quiz_page(browser, own_attempt)
    assert page.named(question_fields(page)["Reflexion"])[0].text == ""
    assert SECRET not in page.html

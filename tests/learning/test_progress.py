"""Enrolment, modules done, where to continue, and progress that survives new versions of a module."""

import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning import services
from qualify.learning.models import Enrolment, ModuleCompletion
from tests.learning.helpers import attempt_by_id, module, module_of, module_url, quiz_page, start_quiz

QUIZ = "Ist Hochvolt gefährlich? {TRUE}"


def three_readings():
    return (module("einstieg"), module("grundlagen"), module("vertiefung"))


def completions(user) -> list[ModuleCompletion]:
    db.session.expire_all()
    return list(db.session.scalars(select(ModuleCompletion).where(ModuleCompletion.user_id == user.id)))


def test_enrol_then_resume_lands_on_the_first_module(client, learner, make_course):
    course = make_course(*three_readings())
    response = client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    assert response.headers["Location"].endswith(f"/lernen/kurse/{course.slug}/weiter")
    response = client.get(f"/lernen/kurse/{course.slug}/weiter")
    assert response.headers["Location"].endswith(module_url(course, "einstieg"))


def test_starting_from_a_module_page_enrols_and_says_so_once(client, learner, make_course):
    course = make_course(module("einstieg"), module("test", quiz=QUIZ), title="Hochvolt kompakt")
    first = client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt", follow_redirects=True)
    assert "Sie sind jetzt im Kurs „Hochvolt kompakt“ eingeschrieben" in first.text
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id)) is not None
    quiz = client.post(f"/lernen/module/{module_of(course, 'test').id}/quiz", follow_redirects=True)
    assert "eingeschrieben" not in quiz.text


def test_marking_a_reading_done_moves_resume_to_the_first_unfinished_module(client, learner, make_course):
    course = make_course(*three_readings())
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    response = client.post(
        f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt", follow_redirects=True
    )
    assert response.request.path == module_url(course, "grundlagen")
    assert "Modul erledigt." in response.text
    client.post(f"/lernen/module/{module_of(course, 'vertiefung').id}/erledigt")
    # the first unfinished module, not the one after the last done
    assert (
        client.get(f"/lernen/kurse/{course.slug}/weiter")
        .headers["Location"]
        .endswith(module_url(course, "grundlagen"))
    )


def test_done_module_page_says_so_and_offers_no_button(client, learner, make_course):
    course = make_course(*three_readings())
    client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt")
    page = client.get(module_url(course, "einstieg")).text
    assert "Erledigt" in page
    assert "als erledigt markieren" not in page


def test_a_quiz_module_cannot_be_marked_read(client, learner, make_course):
    course = make_course(module("test", quiz=QUIZ))
    response = client.post(f"/lernen/module/{module_of(course, 'test').id}/erledigt", follow_redirects=True)
    assert "nicht durch Lesen abgeschlossen" in response.text
    assert completions(learner) == []


def test_dashboard_shows_progress_and_where_to_continue(client, learner, make_course):
    course = make_course(*three_readings())
    client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt")
    page = client.get("/lernen/").text
    assert "1 von 3 Modulen erledigt" in page
    assert "Weiter mit: Grundlagen" in page
    assert "1 von 3 Modulen erledigt" in client.get(f"/kurse/{course.slug}").text  # on the course page too


def test_the_course_page_marks_the_modules_the_reader_has_done(app, client, learner, make_course, make_user,
                                                                login):
    course = make_course(*three_readings())
    client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt")
    client.post(f"/lernen/module/{module_of(course, 'vertiefung').id}/erledigt")

    def marked(browser) -> list[str]:
        items = re.findall(r"<li>(.*?)</li>", browser.get(f"/kurse/{course.slug}").text, re.S)
        return [re.search(r">([^<]+)</a>", item).group(1) for item in items if "erledigt</span>" in item]

    assert marked(client) == ["Einstieg", "Vertiefung"]
    other = app.test_client()
    login(make_user(), via=other)
    assert marked(other) == []  # the list is kept rendered for everyone: the marks are each reader's own


def test_the_progress_is_read_once_the_bar_beside_it_only_seen(client, learner, make_course):
    course = make_course(*three_readings())
    client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt")

    for page in (client.get("/lernen/").text, client.get(f"/kurse/{course.slug}").text):
        assert page.count("1 von 3 Modulen erledigt") == 1
        assert not re.search(r"<label[^>]*>1 von 3", page)  # a sentence, not also the bar's name
        bars = re.findall(r"<progress[^>]*>", page)
        assert len(bars) == 1 and 'aria-hidden="true"' in bars[0] and 'value="1"' in bars[0], bars


def test_leaving_keeps_completions_and_coming_back_resumes(client, learner, make_course):
    course = make_course(*three_readings())
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt")
    response = client.post(f"/lernen/kurse/{course.slug}/verlassen", follow_redirects=True)
    assert "Sie haben den Kurs verlassen." in response.text
    assert "Testkurs" not in response.text.split("Mein Lernen", 2)[-1]
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id)) is None
    assert [c.module_id for c in completions(learner)] == [module_of(course, "einstieg").id]

    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    assert (
        client.get(f"/lernen/kurse/{course.slug}/weiter")
        .headers["Location"]
        .endswith(module_url(course, "grundlagen"))
    )
    assert "1 von 3 Modulen erledigt" in client.get("/lernen/").text


def test_coming_back_after_doing_everything_completes_the_course(client, learner, make_course):
    course = make_course(module("einzig"))
    client.post(f"/lernen/module/{module_of(course, 'einzig').id}/erledigt")
    client.post(f"/lernen/kurse/{course.slug}/verlassen")
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    db.session.expire_all()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.completed_at is not None
    assert "Abgeschlossene Kurse" in client.get("/lernen/").text


def test_learners_cannot_enrol_in_a_draft(client, learner, make_course):
    course = make_course(module("einstieg"), status="draft")
    assert client.post(f"/lernen/kurse/{course.slug}/einschreiben").status_code == 404
    with pytest.raises(services.LearningError):
        services.enrol(learner, course, now=utcnow())


def test_admins_enrol_people_in_a_draft_through_the_service(make_user, make_course):
    course = make_course(module("pflicht"), status="draft")
    admin, person = make_user(Role.ADMIN), make_user()
    enrolment = services.enrol(person, course, now=utcnow(), by=admin)
    db.session.commit()
    assert enrolment.enrolled_by_id == admin.id
    assert services.get_enrolment(person, course) is not None


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_only_admins_enrol_others_in_a_draft(make_user, make_course, role):
    course = make_course(module("pflicht"), status="draft")
    with pytest.raises(services.LearningError):
        services.enrol(make_user(), course, now=utcnow(), by=make_user(role))


def test_enrolling_twice_keeps_one_enrolment(client, learner, make_course):
    course = make_course(module("einstieg"))
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    assert len(list(db.session.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)))) == 1


# Progress is per module, across versions


def test_a_new_version_of_a_done_module_keeps_the_completion(client, learner, make_course):
    course = make_course(module("einstieg", body="Erste Fassung."), module("weiter"))
    first_version = module_of(course, "einstieg").current_version_id
    client.post(f"/lernen/module/{module_of(course, 'einstieg').id}/erledigt")

    course = make_course(module("einstieg", body="Zweite, verbesserte Fassung."), module("weiter"))
    db.session.refresh(module_of(course, "einstieg"))
    assert module_of(course, "einstieg").current_version_id != first_version
    (completion,) = completions(learner)
    assert completion.module_version_id == first_version
    assert "Erledigt" in client.get(module_url(course, "einstieg")).text
    assert (
        client.get(f"/lernen/kurse/{course.slug}/weiter")
        .headers["Location"]
        .endswith(module_url(course, "weiter"))
    )


def test_a_new_attempt_uses_the_new_version_and_old_attempts_keep_theirs(client, learner, make_course):
    course = make_course(module("test", quiz="::alt:: Alte Frage? {=ja ~nein}"))
    quiz = module_of(course, "test")
    old_attempt = start_quiz(client, quiz)
    page = quiz_page(client, old_attempt)
    client.post(
        f"/lernen/versuche/{old_attempt}/abgeben",
        data={"q-" + page.names()[0].removeprefix("q-"): page.option(page.names()[0], "ja")},
    )
    old_version = attempt_by_id(old_attempt).module_version_id

    make_course(module("test", quiz="::neu:: Neue Frage? {=ja ~nein ~vielleicht}"))
    new_attempt = start_quiz(client, quiz)
    assert new_attempt != old_attempt
    assert attempt_by_id(new_attempt).module_version_id != old_version
    assert "Neue Frage?" in client.get(f"/lernen/versuche/{new_attempt}").text

    assert attempt_by_id(old_attempt).module_version_id == old_version
    old_result = client.get(f"/lernen/versuche/{old_attempt}").text
    assert "Alte Frage?" in old_result and "Neue Frage?" not in old_result
    (completion,) = completions(learner)
    assert completion.module_version_id == old_version


def test_an_open_attempt_stays_on_its_version_after_an_edit(client, learner, make_course):
    course = make_course(module("test", quiz="Alte Frage? {=ja ~nein}"))
    attempt = start_quiz(client, module_of(course, "test"))
    make_course(module("test", quiz="Neue Frage? {=ja ~nein}"))
    assert start_quiz(client, module_of(course, "test")) == attempt
    assert "Alte Frage?" in client.get(f"/lernen/versuche/{attempt}").text


def test_a_completed_course_is_not_left_and_keeps_its_certificate_in_view(client, learner, make_course):
    course = make_course(module("einzig"))
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    client.post(f"/lernen/module/{module_of(course, 'einzig').id}/erledigt")
    assert "Kurs verlassen" not in client.get(f"/kurse/{course.slug}").text
    page = client.post(f"/lernen/kurse/{course.slug}/verlassen", follow_redirects=True).text
    assert "Einen abgeschlossenen Kurs können Sie nicht verlassen" in page
    db.session.expire_all()
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id)).completed_at is not None


def test_leaving_is_asked_once_more(client, learner, make_course):
    course = make_course(*three_readings())
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    page = client.get(f"/kurse/{course.slug}").text
    assert "Kurs verlassen …</summary>" in page and "Ja, Kurs verlassen" in page


def test_a_course_without_active_modules_completes_nobody(learner, make_course):
    course = make_course(module("lesen"))
    services.enrol(learner, course, now=utcnow())
    for each in course.modules:
        each.archived = True
    db.session.flush()
    assert services.check_course_completion(learner, course, now=utcnow()) is None
    assert services.get_enrolment(learner, course).completed_at is None

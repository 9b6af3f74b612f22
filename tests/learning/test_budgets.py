"""Learning pages send a fixed number of SQL statements, however many courses or questions there are."""

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.learning import services
from tests.learning.helpers import module, module_of, module_url, quiz_page, start_quiz


def statements_for(client, count_statements, url) -> int:
    client.get(url)  # warm up caches that are not per request
    with count_statements() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def enrol_in_courses(user, make_course, first: int, last: int) -> None:
    for n in range(first, last):
        course = make_course(
            module("lesen"),
            module("test", quiz="Farbe? {=orange ~grün}"),
            slug=f"kurs-{n}",
            title=f"Kurs {n}",
        )
        services.enrol(user, course, now=utcnow())
        services.mark_read(user, module_of(course, "lesen"), now=utcnow())
    db.session.commit()


def test_my_learning_costs_the_same_with_one_and_with_five_courses(
    client, learner, make_course, count_statements
):
    enrol_in_courses(learner, make_course, 0, 1)
    with_one = statements_for(client, count_statements, "/lernen/")
    enrol_in_courses(learner, make_course, 1, 5)
    page = client.get("/lernen/").text
    assert page.count("1 von 2 Modulen erledigt") == 5
    assert statements_for(client, count_statements, "/lernen/") == with_one


def test_my_learning_costs_the_same_with_completed_courses(client, learner, make_course, count_statements):
    enrol_in_courses(learner, make_course, 0, 2)
    before = statements_for(client, count_statements, "/lernen/")
    for progress in services.my_learning(learner):
        attempt_id = start_quiz(client, module_of(db.session.get(Course, progress.course.id), "test"))
        page = quiz_page(client, attempt_id)
        name = page.names()[0]
        client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")})
    assert "Abgeschlossene Kurse" in client.get("/lernen/").text
    assert statements_for(client, count_statements, "/lernen/") == before


def quiz_of(n: int) -> str:
    kinds = [
        "Farbe {n}? {{=orange ~grün ~blau}}",
        "Schutz {n}? {{~%50%a ~%50%b ~c}}",
        "Wahr {n}? {{T}}",
        "Wort {n}? {{=Übung}}",
        "Zahl {n}? {{#3..4}}",
        "Paare {n}. {{=a -> 1 =b -> 2 = -> 3}}",
        "Gedanken {n}? {{}}",
    ]
    return "\n\n".join(kinds[i % len(kinds)].format(n=i) for i in range(n))


def test_the_quiz_page_costs_the_same_with_three_and_with_ten_questions(
    client, learner, make_course, count_statements
):
    course = make_course(module("klein", quiz=quiz_of(3)), module("gross", quiz=quiz_of(10)))
    small = start_quiz(client, module_of(course, "klein"))
    large = start_quiz(client, module_of(course, "gross"))
    assert len(quiz_page(client, large).fieldsets) == 10
    assert statements_for(client, count_statements, f"/lernen/versuche/{small}") == statements_for(
        client, count_statements, f"/lernen/versuche/{large}"
    )


def test_the_result_page_costs_the_same_with_three_and_with_ten_questions(
    client, learner, make_course, count_statements
):
    course = make_course(module("klein", quiz=quiz_of(3)), module("gross", quiz=quiz_of(10)))
    small = start_quiz(client, module_of(course, "klein"))
    large = start_quiz(client, module_of(course, "gross"))
    client.post(f"/lernen/versuche/{small}/abgeben")
    client.post(f"/lernen/versuche/{large}/abgeben")
    assert statements_for(client, count_statements, f"/lernen/versuche/{small}") == statements_for(
        client, count_statements, f"/lernen/versuche/{large}"
    )


def test_the_module_panel_costs_the_same_with_no_and_with_three_attempts(
    client, learner, make_course, count_statements
):
    course = make_course(module("test", quiz=quiz_of(3)))
    url = module_url(course, "test")
    before = statements_for(client, count_statements, url)
    for _ in range(3):
        client.post(f"/lernen/versuche/{start_quiz(client, module_of(course, 'test'))}/abgeben")
    assert client.get(url).text.count("Versuch ") >= 3
    assert statements_for(client, count_statements, url) == before


def test_the_item_statistics_cost_the_same_with_one_and_with_five_quiz_modules(
    client, make_user, login, make_course, count_statements
):
    one = make_course(module("test-1", quiz=quiz_of(3)), slug="ein-quiz")
    five = make_course(*(module(f"test-{n}", quiz=quiz_of(3)) for n in range(5)), slug="fuenf-quizze")
    login(make_user(Role.ADMIN))
    assert statements_for(client, count_statements, f"/lernen/kurse/{one.slug}/auswertung") == statements_for(
        client, count_statements, f"/lernen/kurse/{five.slug}/auswertung"
    )


def test_a_passed_result_costs_one_statement_more_than_a_failed_one_for_the_certificate(
    client, learner, make_course, count_statements
):
    course = make_course(module("test", quiz="Farbe? {=orange ~grün}"))
    failed = start_quiz(client, module_of(course, "test"))
    client.post(f"/lernen/versuche/{failed}/abgeben")
    passed = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, passed)
    name = page.names()[0]
    client.post(f"/lernen/versuche/{passed}/abgeben", data={name: page.option(name, "orange")})
    assert "Zertifikat herunterladen (PDF)" in client.get(f"/lernen/versuche/{passed}").text
    assert statements_for(client, count_statements, f"/lernen/versuche/{passed}") == statements_for(
        client, count_statements, f"/lernen/versuche/{failed}"
    ) + 1

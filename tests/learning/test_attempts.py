"""Quiz attempts: saving as one goes, limits of attempts and time, whose attempt it is, handing in once."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.jobs import hand_in_expired_attempts
from qualify.learning.models import ModuleCompletion, QuizAttempt
from tests.learning.helpers import (
    ALL_KINDS,
    QuizPage,
    attempt_by_id,
    attempts_of,
    module,
    module_of,
    module_url,
    question_fields,
    quiz_page,
    right_answers,
    start_quiz,
)

ONE_QUESTION = "::Farbe:: Welche Farbe haben Hochvolt-Leitungen? {=orange ~grün ~blau}"


def graded_attempts(user) -> list[QuizAttempt]:
    return [a for a in attempts_of(user) if a.submitted_at is not None]


def test_saved_answers_survive_a_reload(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    data = right_answers(page)
    data[question_fields(page)["Reflexion"]] = ["Ich prüfe künftig die Farbe der Leitungen."]
    response = client.post(f"/lernen/versuche/{attempt_id}/speichern", data=data, follow_redirects=True)
    assert "Ihre Antworten sind gespeichert." in response.text

    reloaded = quiz_page(client, attempt_id)
    fields = question_fields(reloaded)
    assert {f.label for f in reloaded.named(fields["Spannung"]) if f.checked} == {"über 60 V"}
    assert {f.label for f in reloaded.named(fields["Schutz"]) if f.checked} == {
        "Isolierhandschuhe",
        "Gesichtsschutz",
    }
    assert {f.label for f in reloaded.named(fields["Arzt"]) if f.checked} == {"Richtig"}
    assert reloaded.named(fields["Farbe"])[0].value == "orange"
    assert reloaded.named(fields["Drücken"])[0].value == "30"
    for index, right in enumerate(["Durchströmung", "Lichtbogen"]):
        select_name = f"{fields['Zuordnung']}-{index}"
        assert reloaded.selected[select_name] == reloaded.choice(select_name, right)
    assert reloaded.named(fields["Reflexion"])[0].text == "Ich prüfe künftig die Farbe der Leitungen."


def test_autosave_answers_in_json_and_keeps_what_the_form_leaves_out(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    fields = question_fields(page)
    response = client.post(
        f"/lernen/versuche/{attempt_id}/speichern",
        data={fields["Farbe"]: "orange"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.json == {"saved": True}
    client.post(
        f"/lernen/versuche/{attempt_id}/speichern",
        data={fields["Drücken"]: "30"},
        headers={"Accept": "application/json"},
    )
    answers = attempt_by_id(attempt_id).answers
    assert answers[fields["Farbe"].removeprefix("q-")] == "orange"
    assert answers[fields["Drücken"].removeprefix("q-")] == "30"


def test_unticking_every_box_clears_a_multiple_answer(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Schutz"]
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data={name: [page.option(name, "Metallring")]})
    # what a browser sends for the form with no box ticked: only the page's empty marker
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data={name: [""]})
    assert not any(f.checked for f in quiz_page(client, attempt_id).named(name))


def test_answers_for_questions_not_in_the_attempt_are_ignored(client, learner, make_course):
    bank = "\n\n".join(f"::Pool {n}:: Poolfrage {n}? {{=ja ~nein}}" for n in range(1, 6))
    course = make_course(
        module("test", quiz=ONE_QUESTION, questions="fragen/pool.gift", draw=2), banks={"pool.gift": bank}
    )
    quiz = module_of(course, "test")
    attempt_id = start_quiz(client, quiz)
    attempt = attempt_by_id(attempt_id)
    assert len(attempt.question_keys) == 3
    left_out = [q["key"] for q in quiz.current_version.questions if q["key"] not in attempt.question_keys]
    assert len(left_out) == 3
    data = {f"q-{key}": "irgendwas" for key in left_out} | {"q-ausgedacht": "x", "q-../../etc": "y"}
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data=data)
    assert attempt_by_id(attempt_id).answers == {}
    page = quiz_page(client, attempt_id)
    assert set(page.names()) == {f"q-{key}" for key in attempt.question_keys}


def test_the_attempt_limit_holds(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION, attempts=2))
    quiz = module_of(course, "test")
    results = []
    for _ in range(2):
        attempt_id = start_quiz(client, quiz)
        results.append(client.post(f"/lernen/versuche/{attempt_id}/abgeben", follow_redirects=True).text)
    assert "versuchen Sie es noch einmal" in results[0]
    # The last one says where to turn instead of offering what is no longer there.
    assert "Sie haben alle Versuche genutzt" in results[1] and "versuchen Sie es noch einmal" not in results[1]
    response = client.post(f"/lernen/module/{quiz.id}/quiz", follow_redirects=True)
    assert response.request.path == module_url(course, "test")
    assert "Sie haben alle Versuche genutzt (2 von 2)." in response.text
    assert "Quiz starten" not in response.text and "Neuer Versuch" not in response.text
    assert len(attempts_of(learner)) == 2


def test_resuming_does_not_use_up_an_attempt(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION, attempts=1))
    quiz = module_of(course, "test")
    assert start_quiz(client, quiz) == start_quiz(client, quiz)
    page = client.get(module_url(course, "test")).text
    assert "Quiz fortsetzen" in page and "1 Versuch" in page and "1 Versuche" not in page


def test_the_time_limit_is_enforced_on_the_server(client, learner, make_course):
    course = make_course(
        module("test", quiz=ONE_QUESTION + "\n\n::Zahl:: Wie viel? {#30}", time_limit_minutes=10)
    )
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    assert "Abgabe bis" in page.html
    # The time left in view, counted down by the page; no word of interrupting at will.
    assert 'class="quiz-timer" data-deadline=' in page.html and "Noch 10 Minuten" in page.html
    assert "Die Zeit läuft weiter" in page.html and "jederzeit unterbrechen" not in page.html
    fields = question_fields(page)
    # in time: a wrong colour
    client.post(
        f"/lernen/versuche/{attempt_id}/speichern",
        data={fields["Farbe"]: page.option(fields["Farbe"], "grün")},
    )

    attempt = attempt_by_id(attempt_id)
    attempt.deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    response = client.post(
        f"/lernen/versuche/{attempt_id}/speichern",
        headers={"Accept": "application/json"},
        data={fields["Farbe"]: page.option(fields["Farbe"], "orange"), fields["Zahl"]: "30"},
    )
    assert response.status_code == 409 and response.json == {"saved": False}
    assert "Die Zeit ist abgelaufen" in client.get(f"/lernen/versuche/{attempt_id}").text

    client.post(
        f"/lernen/versuche/{attempt_id}/abgeben",
        data={fields["Farbe"]: page.option(fields["Farbe"], "orange"), fields["Zahl"]: "30"},
    )
    graded = attempt_by_id(attempt_id)
    assert graded.submitted_at is not None
    assert graded.score == 0.0  # only the wrong colour, saved in time, counted
    assert not graded.passed
    assert "Die Zeit war abgelaufen: Gewertet wurden die Antworten" in client.get(f"/lernen/versuche/{attempt_id}").text


def start_and_answer_in_time(client, course, colour: str) -> int:
    """Start the timed quiz, save an answer in time, then let the time run out (ten minutes ago)."""
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    client.post(f"/lernen/versuche/{attempt_id}/speichern", data={name: page.option(name, colour)})
    attempt = attempt_by_id(attempt_id)
    attempt.deadline_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    return attempt_id


def test_the_scheduler_hands_in_an_attempt_whose_time_ran_out_with_the_answers_saved_in_time(
    client, learner, make_course
):
    course = make_course(module("test", quiz=ONE_QUESTION, time_limit_minutes=10))
    attempt_id = start_and_answer_in_time(client, course, "orange")
    still_running = start_and_answer_in_time(client, make_course(
        module("test", quiz=ONE_QUESTION, time_limit_minutes=10), slug="noch-offen"), "orange")
    attempt_by_id(still_running).deadline_at = utcnow() + timedelta(minutes=5)
    db.session.commit()

    assert hand_in_expired_attempts(utcnow()) == 1
    graded = attempt_by_id(attempt_id)
    assert graded.submitted_at == graded.deadline_at  # handed in when the time ran out
    assert graded.score == 100.0 and graded.passed
    assert db.session.scalar(select(func.count()).select_from(ModuleCompletion)
                             .where(ModuleCompletion.user_id == learner.id)) == 1
    assert attempt_by_id(still_running).submitted_at is None
    assert hand_in_expired_attempts(utcnow()) == 0  # once
    page = client.get(f"/lernen/versuche/{attempt_id}").text
    assert "Bestanden" in page and "Die Zeit war abgelaufen" in page, page


def test_starting_the_quiz_again_after_the_time_ran_out_shows_the_graded_attempt(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION, time_limit_minutes=10, attempts=2))
    attempt_id = start_and_answer_in_time(client, course, "grün")
    response = client.post(f"/lernen/module/{module_of(course, 'test').id}/quiz", follow_redirects=True)
    assert response.request.path == f"/lernen/versuche/{attempt_id}"
    assert "Die Zeit für diesen Versuch war abgelaufen" in response.text
    assert attempt_by_id(attempt_id).score == 0.0
    assert "Neuer Versuch" in client.get(module_url(course, "test")).text
    assert start_quiz(client, module_of(course, "test")) != attempt_id  # the second of two attempts


def test_a_submit_just_after_the_deadline_still_counts(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION, time_limit_minutes=10))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    attempt = attempt_by_id(attempt_id)
    attempt.deadline_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")})
    assert attempt_by_id(attempt_id).score == 100.0


@pytest.mark.parametrize("action", ["get", "save", "submit"])
def test_another_learners_attempt_does_not_exist_for_you(
    client, new_client, make_user, login, make_course, action
):
    course = make_course(module("test", quiz=ONE_QUESTION))
    owner_browser = new_client()
    login(make_user(), via=owner_browser)
    attempt_id = start_quiz(owner_browser, module_of(course, "test"))
    page = quiz_page(owner_browser, attempt_id)
    name = question_fields(page)["Farbe"]

    login(make_user())
    if action == "get":
        response = client.get(f"/lernen/versuche/{attempt_id}")
    else:
        path = "speichern" if action == "save" else "abgeben"
        response = client.post(
            f"/lernen/versuche/{attempt_id}/{path}", data={name: page.option(name, "orange")}
        )
    assert response.status_code == 404
    attempt = attempt_by_id(attempt_id)
    assert attempt.answers == {} and attempt.submitted_at is None


def test_submitting_twice_grades_once(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    first = client.post(
        f"/lernen/versuche/{attempt_id}/abgeben",
        data={name: page.option(name, "orange")},
        follow_redirects=True,
    )
    assert "Bestanden" in first.text
    second = client.post(
        f"/lernen/versuche/{attempt_id}/abgeben",
        data={name: page.option(name, "grün")},
        follow_redirects=True,
    )
    assert "Dieser Versuch wurde bereits abgegeben." in second.text
    (graded,) = graded_attempts(learner)
    assert graded.score == 100.0 and graded.passed
    assert graded.answers == {name.removeprefix("q-"): page.option(name, "orange")}


def test_a_submitted_attempt_takes_no_more_answers(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")})
    response = client.post(
        f"/lernen/versuche/{attempt_id}/speichern",
        data={name: page.option(name, "grün")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert attempt_by_id(attempt_id).answers == {name.removeprefix("q-"): page.option(name, "orange")}


def test_two_tabs_starting_share_one_open_attempt(client, new_client, learner, login, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION))
    other_tab = new_client()
    login(learner, via=other_tab)
    first, second = (
        start_quiz(client, module_of(course, "test")),
        start_quiz(other_tab, module_of(course, "test")),
    )
    assert first == second
    assert len(attempts_of(learner)) == 1


def run_together(browsers, request) -> list:
    """Send `request(browser)` from every browser at the same moment; return the responses."""
    barrier = threading.Barrier(len(browsers))
    responses, errors = [None] * len(browsers), []

    def run(index, browser):
        try:
            barrier.wait(timeout=10)
            responses[index] = request(browser)
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's own traceback
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


@pytest.fixture
def browsers(new_client, login, learner):
    """Eight browsers, all signed in as the learner."""
    opened = [new_client() for _ in range(8)]
    for browser in opened:
        login(learner, via=browser)
    return opened


@pytest.mark.postgres
def test_the_same_submit_sent_eight_times_at_once_grades_once(client, browsers, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION))
    quiz = module_of(course, "test")
    attempt_id = start_quiz(client, quiz)
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]
    db.session.commit()

    responses = run_together(
        browsers,
        lambda browser: browser.post(
            f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")}
        ),
    )

    assert [r.status_code for r in responses] == [302] * 8
    refused = [
        b for b in browsers if "Dieser Versuch wurde bereits abgegeben." in b.get(responses[0].location).text
    ]
    assert len(refused) == 7  # graded by one request; the other seven were told so
    (graded,) = graded_attempts(learner)
    assert graded.passed
    completions = db.session.scalar(
        select(func.count()).select_from(ModuleCompletion).where(ModuleCompletion.user_id == learner.id)
    )
    assert completions == 1


@pytest.mark.postgres
def test_tabs_starting_at_once_share_one_open_attempt(browsers, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION))
    url = f"/lernen/module/{module_of(course, 'test').id}/quiz"
    db.session.commit()

    responses = run_together(browsers, lambda browser: browser.post(url))

    assert {r.status_code for r in responses} == {302}
    assert len({r.headers["Location"] for r in responses}) == 1
    assert len(attempts_of(learner)) == 1


def test_quiz_page_of_an_unknown_attempt_is_404(client, learner):
    assert client.get("/lernen/versuche/999999").status_code == 404


def test_quiz_page_parser_sees_the_page_as_a_browser(client, learner, make_course):
    course = make_course(module("test", quiz=ONE_QUESTION))
    page = quiz_page(client, start_quiz(client, module_of(course, "test")))
    assert isinstance(page, QuizPage)
    assert sorted(f.label for f in page.fields) == ["blau", "grün", "orange"]


def test_the_result_shows_each_answer_given_but_not_the_right_one(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    fields = question_fields(page)
    data = right_answers(page)
    data[fields["Spannung"]] = [page.option(fields["Spannung"], "über 12 V")]  # one wrong
    del data[fields["Farbe"]]  # one left empty
    client.post(f"/lernen/versuche/{attempt_id}/abgeben", data=data)
    result = client.get(f"/lernen/versuche/{attempt_id}").text
    given = [re.sub(r"<[^>]+>", "", line).split(":", 1)[1].strip()
             for line in re.findall(r'<p class="given">(.*?)</p>', result, re.S)]
    # Ticked options and matched pairs are listed below their "Ihre Antworten:", each without its feedback here.
    listed = [[re.sub(r"<[^>]+>", "", item.split('<div class="feedback">')[0]).strip()
               for item in re.findall(r"<li>(.*?)</li>", choices, re.S)]
              for choices in re.findall(r'<ul class="given-choices"[^>]*>(.*?)</ul>', result, re.S)]
    assert given == ["über 12 V", "", "„Richtig“", "keine", "30", ""]
    assert listed == [["Isolierhandschuhe", "Gesichtsschutz"], ["Handschuhe → Durchströmung", "Visier → Lichtbogen"]]
    assert "über 60 V<" not in result  # the right choice is not given away (the Merksatz says "60 Volt")


def test_shuffling_moves_the_questions_but_not_the_description_that_introduces_them(
        client, learner, make_course, make_user):
    gift = "\n\n".join(["Die folgenden Fragen beziehen sich auf das Bild oben."]
                       + [f"::F{n}::Frage {n}? {{T}}" for n in range(6)])
    course = make_course(module("test", quiz=gift, shuffle=True))
    test = module_of(course, "test")
    orders = set()
    for _ in range(6):
        client.post("/abmelden", data={})
        person = make_user()
        client.post("/anmelden", data={"email": person.email, "password": "richtig-gutes-passwort"})
        attempt = attempt_by_id(start_quiz(client, test))
        kinds = {q["key"]: q["kind"] for q in attempt.version.questions}
        assert kinds[attempt.question_keys[0]] == "description"
        orders.add(tuple(attempt.question_keys[1:]))
    assert len(orders) > 1  # the questions themselves do move

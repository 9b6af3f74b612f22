"""A quiz score reads the same wherever a learner meets it – the result page, the module page, "Meine Daten" –
with the one decimal it is graded and passed on, in the page's language; the JSON download keeps the number."""

import json

import pytest
from flask_babel import force_locale

from qualify.extensions import db
from qualify.learning.quiz import score_text
from tests.learning.helpers import module, module_of, module_url, question_fields, quiz_page, start_quiz

# Eight questions: seven right is 87.5 %, short of a pass mark of 88 % – rounded, it read "88 %".
EIGHT = "\n\n".join(f"::F{n}:: Frage {n}? {{=ja ~nein}}" for n in range(1, 9))


@pytest.fixture
def seven_of_eight(client, learner, make_course):
    """The learner handed in the eight questions with seven right; return the course and the result page."""
    course = make_course(module("test", quiz=EIGHT, pass_percentage=88))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    fields = question_fields(page)
    data = {name: [page.option(name, "nein" if title == "F8" else "ja")] for title, name in fields.items()}
    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data=data, follow_redirects=True).text
    return course, result


def test_the_score_keeps_its_decimal_on_the_result_page_the_module_page_and_in_my_data(client, seven_of_eight):
    course, result = seven_of_eight

    assert '<span class="score">87,5\u00a0%</span>' in result
    assert "Noch nicht bestanden (nötig: 88\u00a0%)" in result  # and not "88 %" above it
    assert "Versuch 1</a>: 87,5\u00a0% – nicht bestanden" in client.get(module_url(course, "test")).text
    assert "<dt>Ergebnis</dt><dd>87,5\u00a0%</dd>" in client.get("/meine-daten/export").text
    (attempt,) = json.loads(client.get("/meine-daten/export.json").data)["quiz_attempts"]["quiz_attempts.user_id"]
    assert attempt["score"] == 87.5  # a number for programs, not a text


def test_in_english_the_score_is_written_the_english_way_everywhere(client, learner, seven_of_eight):
    course, _ = seven_of_eight
    learner.language = "en"
    db.session.commit()

    (attempt_url,) = {line.split('href="')[1].split('"')[0]
                      for line in client.get(module_url(course, "test")).text.splitlines() if "87.5%" in line}
    result = client.get(attempt_url).text
    assert '<span class="score">87.5%</span>' in result
    assert "<dt>Result</dt><dd>87.5%</dd>" in client.get("/meine-daten/export").text
    # The pass mark as well ("required: 88%"), on the result and the module page: not with the German space.
    assert "88%)" in result and "88\u00a0%" not in result
    assert "88%" in client.get(module_url(course, "test")).text


@pytest.mark.parametrize(("score", "german", "english"), [
    (87.5, "87,5\u00a0%", "87.5%"), (88.0, "88\u00a0%", "88%"), (100.0, "100\u00a0%", "100%"),
    (33.3, "33,3\u00a0%", "33.3%"), (0.0, "0\u00a0%", "0%")])
def test_a_score_has_a_decimal_only_where_it_has_one(app, score, german, english):
    with app.test_request_context(), force_locale("de"):
        assert score_text(score) == german
    with app.test_request_context(), force_locale("en"):
        assert score_text(score) == english

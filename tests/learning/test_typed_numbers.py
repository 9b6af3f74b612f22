"""A number typed as an answer is kept as typed: "44,0" stays "44,0" on the result page and in "Meine Daten"
(the export said "44.0", and "–" for text that is no number while the result page showed it); the item
statistics still count it by its value."""

import html
import re

import pytest

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.gift import parse_gift
from qualify.courses.services import serialise_question
from qualify.extensions import db
from qualify.learning import quiz, statistics
from qualify.learning.grading import MAX_TYPED_NUMBER, grade
from qualify.learning.services import enrol
from tests.learning.helpers import module, module_of

QUIZ = "::Drehmoment::Wie viel Nm? {#44}\n\n::Spannung::Wie viel Volt? {#400}\n"


def numerical(gift: str = "Wie viel Nm? {#44}") -> dict:
    (parsed,) = parse_gift(gift).questions
    return serialise_question(parsed, lambda url: url)


@pytest.mark.parametrize(("typed", "kept", "score"), [
    ("44,0", "44,0", 1.0),
    ("  44 Nm ", "44 Nm", 1.0),
    ("1.000", "1.000", 0.0),
    ("abc", "abc", 0.0),
    ("", None, 0.0),
    ("   ", None, 0.0),
    (None, None, 0.0),
])
def test_the_answer_given_is_what_was_typed(typed, kept, score):
    result = grade(numerical(), typed)

    assert (result.chosen, result.score) == (kept, score)


def test_a_very_long_typed_answer_is_kept_only_in_part():
    result = grade(numerical(), "4" * 300)

    assert result.chosen == "4" * MAX_TYPED_NUMBER


def hand_in(person, course, typed: dict[str, str]):
    """Answer the module's questions, by title, with the texts typed, and hand in."""
    enrol(person, course, now=utcnow())
    attempt = quiz.start_attempt(person, module_of(course, "rechnen"), now=utcnow())
    keys = {question["title"]: question["key"] for question in quiz.attempt_questions(attempt)}
    quiz.submit_attempt(attempt, person, now=utcnow(),
                        form={f"q-{keys[title]}": [text] for title, text in typed.items()})
    db.session.commit()
    return attempt


def test_the_result_page_and_my_data_show_the_answer_as_typed(client, learner, make_course):
    course = make_course(module("rechnen", quiz=QUIZ))
    attempt = hand_in(learner, course, {"Drehmoment": "44,0", "Spannung": "abc"})

    result = client.get(f"/lernen/versuche/{attempt.id}").text
    given = [html.unescape(re.sub(r"<[^>]+>", "", line)).split(":", 1)[1].strip()
             for line in re.findall(r'<p class="given">(.*?)</p>', result, re.S)]
    assert given == ["44,0", "abc"]

    my_data = html.unescape(client.get("/meine-daten/export").text)
    assert "Ihre Antwort: 44,0, richtig: ja" in my_data
    assert "Ihre Antwort: abc, richtig: nein" in my_data
    assert "44.0" not in my_data
    download = client.get("/meine-daten/export.json").get_data(as_text=True)
    assert '"chosen": "44,0"' in download and '"chosen": "abc"' in download


def test_the_statistics_count_a_number_by_its_value_however_it_was_typed(make_course, make_user):
    course = make_course(module("rechnen", quiz=QUIZ))
    for typed in ("13,5", "13.50 Nm", "abc", "abc", "abc"):
        hand_in(make_user(Role.LEARNER), course, {"Drehmoment": typed, "Spannung": "400"})
    statistics.count_answers()
    db.session.commit()

    torque, voltage = statistics.item_statistics(course)
    # One answer, typed two ways; text that is no number is not counted (it could be anything a person wrote).
    assert torque.common_wrong_answer == "13.5"
    assert voltage.share_correct == 1.0

"""Nothing on an open quiz page tells which answer is right: not the markup, the values, nor the order."""

import re

from qualify.courses.gift import parse_gift
from qualify.courses.services import serialise_question
from qualify.learning import quiz
from qualify.learning.models import QuizAttempt
from tests.learning.helpers import (
    ALL_FEEDBACK,
    ALL_KINDS,
    GENERAL_FEEDBACK,
    RIGHT_FEEDBACK,
    module,
    module_of,
    module_url,
    question_fields,
    quiz_page,
    right_answers,
    start_quiz,
)

OPAQUE = re.compile(r"^[0-9a-f]{12}$")
FOUR_OPTIONS = "::Farbe:: Welche Farbe haben Hochvolt-Leitungen? {=orange ~grün ~blau ~gelb}"


def choice_values(page) -> list[str]:
    return [
        f.value
        for f in page.fields
        if f.tag == "input"
        and f.attrs.get("type") in ("radio", "checkbox")
        and f.label not in ("Richtig", "Falsch")
    ] + [value for f in page.fields if f.tag == "select" for value, _text in f.options if value]


def test_open_attempt_page_reveals_no_answer(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    html = quiz_page(client, start_quiz(client, module_of(course, "test"))).html
    for leak in [
        "fraction",
        "feedback",
        "correct",
        "right",
        "%50%",
        "%-100%",
        "50%",
        "-100",
        "0.5",
        "=orange",
        "=über",
        "->",
        "####",
        "{",
        "}",
    ]:
        assert leak not in html, leak
    for text in ALL_FEEDBACK:
        assert text not in html, text
    assert "orangerot" not in html  # the accepted short answers
    assert 'value="30"' not in html


def test_feedback_appears_only_after_submission(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    for text in RIGHT_FEEDBACK + GENERAL_FEEDBACK:
        assert text not in page.html, text
    assert not any(text in client.get(module_url(course, "test")).text for text in ALL_FEEDBACK)

    result = client.post(
        f"/lernen/versuche/{attempt_id}/abgeben", data=right_answers(page), follow_redirects=True
    )
    assert "Bestanden" in result.text
    for text in RIGHT_FEEDBACK + GENERAL_FEEDBACK:
        assert text in result.text, text


def test_option_values_are_opaque_and_differ_between_attempts(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    quiz_module = module_of(course, "test")
    first_id = start_quiz(client, quiz_module)
    first = quiz_page(client, first_id)
    first_values = choice_values(first)
    assert len(first_values) == 3 + 3 + 2 * 3  # choice, multiple answers, and two selects of three
    assert all(OPAQUE.match(value) for value in first_values), first_values
    assert len(set(first_values)) == 3 + 3 + 3  # the two selects of one matching offer the same choices
    client.post(f"/lernen/versuche/{first_id}/abgeben")

    second = quiz_page(client, start_quiz(client, quiz_module))
    second_values = choice_values(second)
    assert set(first_values).isdisjoint(second_values)


def test_shuffled_options_put_the_right_answer_anywhere(client, learner, make_course):
    course = make_course(module("test", quiz=FOUR_OPTIONS, shuffle=True))
    quiz_module = module_of(course, "test")
    positions, orders = set(), set()
    for _ in range(12):
        attempt_id = start_quiz(client, quiz_module)
        labels = [f.label for f in quiz_page(client, attempt_id).fields]
        positions.add(labels.index("orange"))
        orders.add(tuple(labels))
        client.post(f"/lernen/versuche/{attempt_id}/abgeben")
    # a fixed position would show up twelve times; by chance that happens once in four million
    assert len(positions) > 1, positions
    assert len(orders) > 1


def test_shuffle_spreads_the_right_answer_evenly():
    (parsed,) = parse_gift(FOUR_OPTIONS).questions
    question = serialise_question(parsed, lambda url: url)
    firsts = [0, 0, 0, 0]
    for n in range(2000):
        attempt = QuizAttempt(secret=f"{n:032x}")
        options = quiz.ordered_options(attempt, question, shuffle=True)
        firsts[[answer["text"] for _id, answer in options].index("orange")] += 1
    assert all(350 < count < 650 for count in firsts), firsts


def test_matching_choices_are_shuffled_per_attempt(client, learner, make_course):
    pairs = "Ordnen Sie zu. {=A -> eins =B -> zwei =C -> drei =D -> vier = -> fünf}"
    course = make_course(module("test", quiz=pairs))
    quiz_module = module_of(course, "test")
    orders = set()
    for _ in range(6):
        attempt_id = start_quiz(client, quiz_module)
        select_field = next(f for f in quiz_page(client, attempt_id).fields if f.tag == "select")
        orders.add(tuple(text for value, text in select_field.options if value))
        client.post(f"/lernen/versuche/{attempt_id}/abgeben")
    assert len(orders) > 1


def test_question_order_is_shuffled_when_asked(client, learner, make_course):
    questions = "\n\n".join(f"::F{n}:: Frage {n}? {{=ja ~nein}}" for n in range(1, 7))
    course = make_course(module("test", quiz=questions, shuffle=True))
    quiz_module = module_of(course, "test")
    orders = set()
    for _ in range(4):
        attempt_id = start_quiz(client, quiz_module)
        orders.add(tuple(question_fields(quiz_page(client, attempt_id))))
        client.post(f"/lernen/versuche/{attempt_id}/abgeben")
    assert len(orders) > 1

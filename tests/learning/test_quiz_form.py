"""The quiz form works without a mouse and reads well with a screen reader: groups, names, no surprises."""

import html
import re

from qualify.extensions import db
from tests.learning.helpers import ALL_KINDS, QuizPage, module, module_of, question_fields, quiz_page, start_quiz

WITH_DESCRIPTION = (
    "Lesen Sie zuerst den Abschnitt über Schutzausrüstung.\n\n"
    + ALL_KINDS
    + """

::Lücke:: Hochvolt beginnt über {=60 ~12} Volt Gleichspannung.
"""
)


def open_quiz(client, make_course, gift=WITH_DESCRIPTION):
    course = make_course(module("test", quiz=gift))
    return quiz_page(client, start_quiz(client, module_of(course, "test")))


def test_every_question_is_a_fieldset_with_a_numbered_legend(client, learner, make_course):
    page = open_quiz(client, make_course)
    legends = [fieldset.legend for fieldset in page.fieldsets]
    assert legends == [
        "Frage 1 Spannung",
        "Frage 2 Schutz",
        "Frage 3 Arzt",
        "Frage 4 Farbe",
        "Frage 5 Drücken",
        "Frage 6 Zuordnung",
        "Frage 7 Reflexion",
        "Frage 8 Lücke",
    ]  # the description is no question
    assert all(fieldset.fields for fieldset in page.fieldsets)


def test_every_field_has_a_label(client, learner, make_course):
    page = open_quiz(client, make_course)
    assert len(page.fields) == 3 + 3 + 2 + 1 + 1 + 2 + 1 + 2
    unlabelled = [(f.tag, f.name) for f in page.fields if not f.label.strip()]
    assert unlabelled == []
    assert {f.label for f in page.fields if f.tag == "select"} == {"Handschuhe", "Visier"}
    assert "nur für Sie sichtbar" in next(f.label for f in page.fields if f.tag == "textarea")


def test_each_question_is_described_by_its_text(client, learner, make_course):
    page = open_quiz(client, make_course)
    for fieldset in page.fieldsets:
        described_by = fieldset.attrs["aria-describedby"]
        match = re.search(rf'id="{described_by}"[^>]*>(.*?)</div>', page.html, re.S)
        assert match, described_by
        assert match.group(1).strip()
    assert "Lücke" in page.html  # the gap of a missing-word question is named, not just drawn


def test_a_number_field_says_before_answering_that_only_the_number_counts(client, learner, make_course):
    # "ca. 4 Volt" was graded wrong without a word of warning.
    page = open_quiz(client, make_course)
    (number,) = [f for f in page.fields if f.attrs.get("inputmode") == "decimal"]
    hint = number.attrs["aria-describedby"]
    assert re.search(rf'id="{hint}"[^>]*>Nur die Zahl, ohne Einheit', page.html)


def test_an_english_reader_is_told_to_leave_out_thousands_separators(client, learner, make_course):
    # "1.500,5" and "1,500.5" are read as their writers mean them, but "1,000" could be either (both readings
    # count): the hint asks for plain numbers before answering.
    learner.language = "en"
    db.session.commit()
    page = open_quiz(client, make_course)
    (number,) = [f for f in page.fields if f.attrs.get("inputmode") == "decimal"]
    hint = number.attrs["aria-describedby"]
    assert re.search(rf'id="{hint}"[^>]*>Just the number, without a unit or thousands separator – e.g. 3.5 or 1500',
                     page.html)


def test_ids_on_the_page_are_unique(client, learner, make_course):
    page = open_quiz(client, make_course)
    ids = re.findall(r'\bid="([^"]+)"', page.html)
    assert len(ids) == len(set(ids))


def test_enter_in_a_text_field_saves_and_does_not_hand_in(client, learner, make_course):
    page = open_quiz(client, make_course)
    form = page.html[page.html.index('<form method="post" action="/lernen/versuche/') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    # Enter submits with the form's first submit button: it must be the one that only saves
    assert re.search(r'formaction="/lernen/versuche/\d+/speichern"', first_button), first_button
    assert "Abgeben und auswerten" in form


def test_checkbox_groups_and_radio_groups_share_a_name_inside_their_fieldset(client, learner, make_course):
    page = open_quiz(client, make_course)
    for fieldset in page.fieldsets:
        kinds = {f.attrs.get("type") for f in fieldset.fields if f.tag == "input"}
        if kinds & {"radio", "checkbox"}:
            assert len({f.name for f in fieldset.fields}) == 1, fieldset.legend


def answer_orders(make_course, make_user, **front) -> list[list[str]]:
    """The order in which eight learners' attempts show the answers of one choice question."""
    from qualify.core.time import utcnow
    from qualify.learning import quiz
    from qualify.learning.services import enrol

    course = make_course(module("test", quiz="::Farbe::Welche Farbe? {=Orange ~Rot ~Gelb ~Blau}", **front))
    test = module_of(course, "test")
    orders = []
    for _ in range(8):
        person = make_user()
        enrol(person, course, now=utcnow())
        attempt = quiz.start_attempt(person, test, now=utcnow())
        settings = quiz.settings_for(test, test.current_version)
        [question] = quiz.attempt_questions(attempt)
        orders.append([answer["text"] for _id, answer in
                       quiz.ordered_options(attempt, question, settings.shuffle_answers)])
    return orders


def test_the_answers_change_places_per_attempt_so_the_first_is_not_always_right(make_course, make_user):
    orders = answer_orders(make_course, make_user)
    assert any(order[0] != "Orange" for order in orders)  # authors write the right answer first
    assert all(sorted(order) == ["Blau", "Gelb", "Orange", "Rot"] for order in orders)


def test_an_author_keeps_the_order_of_a_scale(make_course, make_user):
    orders = answer_orders(make_course, make_user, keep_answer_order=True)
    assert all(order == ["Orange", "Rot", "Gelb", "Blau"] for order in orders)


# --- the result, read as the attempt was --------------------------------------------------------------------

def handed_in(client, make_course, answers=lambda page, fields: {}) -> tuple[QuizPage, str]:
    """Open a quiz of WITH_DESCRIPTION, hand in the answers given; return its page and the result's."""
    course = make_course(module("test", quiz=WITH_DESCRIPTION))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    client.post(f"/lernen/versuche/{attempt_id}/abgeben", data=answers(page, question_fields(page)))
    return page, client.get(f"/lernen/versuche/{attempt_id}").text


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_the_result_heads_each_question_with_its_number_and_title_as_the_attempt_did(client, learner, make_course):
    page, result = handed_in(client, make_course)

    headings = [text_of(h) for h in re.findall(r'<h2 class="question-heading">(.*?)</h2>', result, re.S)]

    assert headings == [fieldset.legend for fieldset in page.fieldsets]  # "Frage 1 Spannung" … "Frage 8 Lücke"


def test_the_gap_of_a_cloze_is_named_in_the_result_too(client, learner, make_course):
    page, result = handed_in(client, make_course)

    gap = '<span class="gap">_____<span class="visually-hidden"> (Lücke)</span></span>'
    assert gap in page.html and gap in result
    assert result.count("_____") == 1


def test_the_signs_of_a_verdict_are_hidden_from_screen_readers_which_read_its_words(client, learner, make_course):
    def some_right(page, fields):  # one right, one half right, the rest wrong or left out
        return {fields["Spannung"]: page.option(fields["Spannung"], "über 60 V"),
                fields["Schutz"]: page.option(fields["Schutz"], "Isolierhandschuhe")}

    _page, result = handed_in(client, make_course, some_right)

    verdicts = [text_of(v) for v in re.findall(r'<p class="verdict">(.*?)</p>', result, re.S)]
    assert verdicts[:3] == ["✓ Richtig", "◐ Teilweise richtig (50 %)", "✗ Nicht richtig"]
    for sign in "✓◐✗":  # the outcome's ("Nicht bestanden") too
        assert result.count(sign) == result.count(f'aria-hidden="true">{sign}</span>'), sign

"""After handing in: the verdict per question, the feedback, and trying again until the module is done."""

from sqlalchemy import select

from qualify.extensions import db
from qualify.learning.models import ModuleCompletion
from tests.learning.helpers import (
    ALL_KINDS,
    GENERAL_FEEDBACK,
    module,
    module_of,
    module_url,
    question_fields,
    quiz_page,
    right_answers,
    start_quiz,
)


def test_result_page_shows_the_feedback_of_each_chosen_answer_and_the_general_feedback(
    client, learner, make_course
):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    fields = question_fields(page)
    data = right_answers(page)
    data[fields["Spannung"]] = [page.option(fields["Spannung"], "über 12 V")]  # wrong
    data[fields["Schutz"]] = [
        page.option(fields["Schutz"], "Isolierhandschuhe"),
        page.option(fields["Schutz"], "Metallring"),
    ]  # 50 % - 100 %
    data[fields["Arzt"]] = [page.option(fields["Arzt"], "Falsch")]  # wrong
    data[fields["Farbe"]] = ["Orangerot"]  # half
    data[fields["Zuordnung"] + "-1"] = [page.choice(fields["Zuordnung"] + "-1", "Lärm")]  # one of two pairs

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data=data, follow_redirects=True).text

    assert "Nein, 12 V ist das Bordnetz." in result
    assert (
        "Genau, Klasse B beginnt über 60 V DC." not in result
    )  # feedback of answers not chosen stays hidden
    assert "Ja, Isolierhandschuhe schützen." in result and "Nein, Schmuck legen Sie ab." in result
    assert "Doch: Rhythmusstörungen kommen oft später." in result
    assert "Beinahe." in result
    assert "Richtig, 30 zu 2." in result
    for text in GENERAL_FEEDBACK:
        assert text in result
    assert "Teilweise richtig (50\u00a0%)" in result  # the colour, and the matching
    assert result.count('<span aria-hidden="true">✗</span> Nicht richtig') == 3  # voltage, protection, doctor
    # (0 + 0 + 0 + 0.5 + 1 + 0.5) / 6 graded questions; the reflection is not graded
    assert "33,3\u00a0%" in result  # with the decimal it is graded on
    assert "Noch nicht bestanden (nötig: 70\u00a0%)" in result


def test_fail_then_retry_then_pass_marks_the_module_done(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS), module("danach"))
    quiz_module = module_of(course, "test")

    first = start_quiz(client, quiz_module)
    result = client.post(f"/lernen/versuche/{first}/abgeben", follow_redirects=True).text
    assert "Noch nicht bestanden" in result
    assert "Weiter im Kurs" not in result
    assert db.session.scalars(select(ModuleCompletion)).all() == []
    panel = client.get(module_url(course, "test")).text
    assert "Versuch 1" in panel and "nicht bestanden" in panel and "Neuer Versuch" in panel
    assert (
        client.get(f"/lernen/kurse/{course.slug}/weiter")
        .headers["Location"]
        .endswith(module_url(course, "test"))
    )

    second = start_quiz(client, quiz_module)
    assert second != first
    page = quiz_page(client, second)
    result = client.post(
        f"/lernen/versuche/{second}/abgeben", data=right_answers(page), follow_redirects=True
    ).text
    assert "100\u00a0%" in result
    assert "Bestanden – das Modul ist erledigt." in result
    assert "Weiter im Kurs" in result

    db.session.expire_all()
    (completion,) = db.session.scalars(select(ModuleCompletion)).all()
    assert completion.via == "quiz" and completion.module_id == quiz_module.id
    assert "Erledigt" in client.get(module_url(course, "test")).text
    assert (
        client.get(f"/lernen/kurse/{course.slug}/weiter")
        .headers["Location"]
        .endswith(module_url(course, "danach"))
    )


def test_the_pass_mark_of_the_module_wins_over_the_course(client, learner, make_course):
    quiz = "::A:: Eins? {=ja ~nein}\n\n::B:: Zwei? {=ja ~nein}"
    course = make_course(module("test", quiz=quiz, pass_percentage=50), pass_percentage=100)
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["A"]
    result = client.post(
        f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "ja")}, follow_redirects=True
    ).text
    assert "50\u00a0%" in result and "Bestanden" in result


def test_a_new_attempt_is_offered_right_under_the_score_not_only_after_every_answer(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", follow_redirects=True).text
    assert result.index("Neuer Versuch") < result.index('<ol class="results">')

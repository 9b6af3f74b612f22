"""The result page as a learner on a phone reads it: each part of an answer with its own feedback, their own
lines in a reflection, and the certificate handed over when the quiz finished the course."""

import re

from sqlalchemy import select

from qualify.extensions import db
from qualify.learning.models import Certificate
from tests.learning.helpers import ALL_KINDS, module, module_of, question_fields, quiz_page, start_quiz


def items_of(html: str, css_class: str) -> list[str]:
    """The list items of the list with this class, as text without tags or surplus blanks."""
    (listed,) = re.findall(rf'<ul class="{css_class}"[^>]*>(.*?)</ul>', html, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li>(.*?)</li>", listed,
                                                                                  re.DOTALL)]


def test_each_ticked_option_is_listed_with_the_feedback_written_for_it(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Schutz"]
    data = {name: [page.option(name, "Metallring"), page.option(name, "Isolierhandschuhe")]}

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data=data, follow_redirects=True).text

    assert items_of(result, "given-choices") == ["Isolierhandschuhe Ja, Isolierhandschuhe schützen.",
                                                 "Metallring Nein, Schmuck legen Sie ab."]
    assert "Isolierhandschuhe; Metallring" not in result  # no longer run together
    assert result.count("Nein, Schmuck legen Sie ab.") == 1  # not once more below the list


def test_matched_pairs_are_listed_one_below_the_other(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    prefix = question_fields(page)["Zuordnung"]
    data = {f"{prefix}-0": [page.choice(f"{prefix}-0", "Lärm")],
            f"{prefix}-1": [page.choice(f"{prefix}-1", "Lichtbogen")]}

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data=data, follow_redirects=True).text

    assert items_of(result, "given-choices") == ["Handschuhe → Lärm", "Visier → Lichtbogen"]


def test_a_question_left_open_still_says_no_answer_was_given(client, learner, make_course):
    course = make_course(module("test", quiz=ALL_KINDS))
    attempt_id = start_quiz(client, module_of(course, "test"))

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", follow_redirects=True).text

    assert 'class="given-choices"' not in result
    assert result.count('<span class="meta">Ihre Antwort:</span> keine') == 6  # every graded question


def test_a_reflection_is_shown_back_in_its_own_lines(client, learner, make_course):
    course = make_course(module("test", quiz="::Reflexion:: Was nehmen Sie mit? {}"))
    attempt_id = start_quiz(client, module_of(course, "test"))
    name = question_fields(quiz_page(client, attempt_id))["Reflexion"]
    written = "Erstens: die Warnfarbe.\nZweitens: nie allein an die Batterie."

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: written},
                         follow_redirects=True).text

    assert f'<blockquote class="keeps-lines">{written}</blockquote>' in result


def test_the_quiz_that_completes_the_course_hands_over_the_certificate(client, learner, make_course):
    course = make_course(module("test", quiz="::Farbe:: Welche Farbe? {=orange ~grün}"))
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")},
                         follow_redirects=True).text

    code = db.session.scalar(select(Certificate.code))
    assert "Damit haben Sie den ganzen Kurs abgeschlossen. Ihr Zertifikat ist fertig." in result
    assert f'href="/lernen/zertifikate/{code}.pdf">Zertifikat herunterladen (PDF)</a>' in result
    assert "Weiter im Kurs" not in result  # there is nothing left to go on with


def test_a_passed_quiz_with_more_of_the_course_to_do_leads_on_in_the_course(client, learner, make_course):
    course = make_course(module("test", quiz="::Farbe:: Welche Farbe? {=orange ~grün}"), module("danach"))
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Farbe"]

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "orange")},
                         follow_redirects=True).text

    assert "Bestanden – das Modul ist erledigt." in result and "Weiter im Kurs" in result
    assert "Zertifikat" not in result and "ganzen Kurs" not in result


def test_the_result_in_english_lists_the_answers_and_hands_over_the_certificate(client, learner, make_course):
    learner.language = "en"
    db.session.commit()
    course = make_course(module("test", quiz="::Schutz:: Was schützt? {~%100%Handschuhe#Ja. ~%-100%Ring#Nein.}"))
    client.post(f"/lernen/kurse/{course.slug}/einschreiben")
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Schutz"]

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "Handschuhe")},
                         follow_redirects=True).text

    assert '<span class="meta">Your answers:</span>' in result
    assert "Download certificate (PDF)" in result


def test_a_true_or_false_answer_is_quoted_so_that_it_does_not_read_as_the_verdict(client, learner, make_course):
    course = make_course(module("test", quiz="::Arzt:: Nach einem Stromunfall muss man zum Arzt. {TRUE}"))
    attempt_id = start_quiz(client, module_of(course, "test"))
    page = quiz_page(client, attempt_id)
    name = question_fields(page)["Arzt"]

    result = client.post(f"/lernen/versuche/{attempt_id}/abgeben", data={name: page.option(name, "Falsch")},
                         follow_redirects=True).text

    assert "Nicht richtig</strong>" in result
    assert '<span class="meta">Ihre Antwort:</span> „Falsch“</p>' in result

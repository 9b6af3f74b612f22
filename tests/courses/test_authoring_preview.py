"""The editors' preview of a quiz and of a question bank, new banks' names, and every problem of a save at once."""

import re

import pytest
from sqlalchemy import func, select

from qualify.courses.models import CourseFile, ModuleVersion
from qualify.courses.quiz_size import quiz_size
from qualify.extensions import db
from qualify.learning.quiz import question_count
from tests.courses.conftest import save

PREVIEW = {"X-Requested-With": "authoring.js"}
MODULE = "/autoren/neuer-kurs/module/start"
BANK = "/autoren/neuer-kurs/fragen/pool.gift"
FEEDBACK_QUIZ = """---
title: Erste Schritte
minutes: 10
{settings}---

# Erste Schritte

```quiz
Lesen Sie die Fragen in Ruhe.

::Farbe::Welche Farbe haben Hochvolt-Leitungen? {{
=Orange#Genau, orange heißt Hochvolt.
~Rot#Nein, rot ist das Bordnetz.
####Merken Sie sich: **orange**.
}}

Die nächste Frage ist eine Aussage.

::Gleichstrom::Gleichstrom ist ungefährlich. {{F#Doch, ab 60 V ist er gefährlich.#Richtig erkannt.}}
```
"""


def preview(client, url: str, text: str) -> str:
    """The preview pane's fragment, as authoring.js asks for it."""
    response = client.post(f"{url}/vorschau", data={"text": text}, headers=PREVIEW)
    assert response.status_code == 200 and "<html" not in response.text
    return response.text


def heading(fragment: str) -> str:
    return re.search(r"<h3>(.*?)</h3>", fragment).group(1)


# --- how many questions --------------------------------------------------------------------------------------

def test_the_quiz_counts_its_questions_not_the_texts_between_them(client, trainer, course):
    fragment = preview(client, MODULE, FEEDBACK_QUIZ.format(settings=""))
    assert heading(fragment) == "Quiz: 2 Fragen"  # two descriptions, two questions
    assert fragment.count('<li class="quiz-description">') == 2
    assert '<li value="1">' in fragment and '<li value="2">' in fragment and '<li value="3">' not in fragment

    assert save(client, MODULE, FEEDBACK_QUIZ.format(settings="")).status_code == 302
    assert heading(client.get(MODULE).text) == "Quiz: 2 Fragen"  # the saved version, before any preview


def test_a_quiz_drawing_from_a_bank_counts_the_questions_an_attempt_asks(client, trainer, course):
    client.post("/autoren/neuer-kurs/fragen", data={"name": "pool"})
    save(client, BANK, "Zur Einleitung.\n\nEins {T}\n\nZwei {F}\n\nDrei {T}\n")
    text = FEEDBACK_QUIZ.format(settings="questions: fragen/pool.gift\ndraw: 2\n")

    fragment = preview(client, MODULE, text)

    assert heading(fragment) == "Quiz: 4 Fragen"  # the two of the quiz block, and two drawn of the bank's three
    assert "Je Versuch werden 2 der 3 Fragen aus der Fragensammlung zufällig gezogen." in fragment
    assert fragment.count("(aus der Fragensammlung)") == 3  # untitled, marked all the same
    assert save(client, MODULE, text).status_code == 302
    assert heading(client.get(MODULE).text) == "Quiz: 4 Fragen"
    assert "<p>4 Fragen" in client.get("/kurse/neuer-kurs/module/start").text  # as learners are told: one count
    everything = preview(client, MODULE, text.replace("draw: 2\n", ""))
    assert heading(everything) == "Quiz: 5 Fragen" and "zufällig gezogen" not in everything


@pytest.mark.parametrize(("draw", "asked"), [
    (None, 4), (2, 3), (3, 4), (9, 4),  # one fixed question and two of the bank's three, or all three
    (0, 4), (-1, 4), (True, 4), ("2", 4),  # a draw saving refuses, typed into the editor: all of the bank
])
def test_the_editor_and_the_learners_pages_count_an_attempt_by_one_rule(draw, asked):
    questions = [{"kind": "description"}, {"kind": "true_false"},
                 *[{"kind": "true_false", "from_bank": True} for _ in range(3)]]
    assert quiz_size(questions, draw).asked == asked
    assert question_count(ModuleVersion(questions=questions, settings={"draw": draw})) == asked


# --- what learners read after answering ----------------------------------------------------------------------

def test_the_preview_shows_the_feedback_of_each_answer_as_what_learners_read_after_answering(
        client, trainer, course):
    fragment = preview(client, MODULE, FEEDBACK_QUIZ.format(settings=""))

    assert ('✓ Orange<div class="feedback"><span class="meta">Wer diese Antwort gibt, liest danach:</span> '
            '<span>Genau, orange heißt Hochvolt.</span></div>') in fragment
    assert "Wer diese Antwort gibt, liest danach:</span> <span>Nein, rot ist das Bordnetz.</span>" in fragment
    assert ("Nach dem Antworten lesen alle Lernenden:</span> <span>Merken Sie sich: <strong>orange</strong>."
            in fragment)
    assert "Nach einer richtigen Antwort lesen Lernende:</span> <span>Richtig erkannt.</span>" in fragment
    assert ("Nach einer falschen Antwort lesen Lernende:</span> <span>Doch, ab 60 V ist er gefährlich.</span>"
            in fragment)

    assert save(client, MODULE, FEEDBACK_QUIZ.format(settings="")).status_code == 302
    assert "Wer diese Antwort gibt, liest danach:" in client.get(MODULE).text  # the saved version's too


# --- the question bank's editor ------------------------------------------------------------------------------

def test_the_bank_editor_previews_its_questions_as_the_module_editor_does(client, trainer, course):
    client.post("/autoren/neuer-kurs/fragen", data={"name": "pool"})
    page = client.get(BANK).text
    assert f'formaction="{BANK}/vorschau" data-preview' in page and 'id="vorschau"' in page
    assert "Wählen Sie „Vorschau“" in page  # nothing rendered before it is asked for

    fragment = preview(client, BANK, "// Pool\n\nZur Einleitung.\n\n::Farbe::Welche Farbe? {=Orange#Genau. ~Rot}\n"
                                      "\n::Ja::Stimmt das? {T#Leider falsch.#Gut.}\n")

    assert heading(fragment) == "Fragensammlung: 2 Fragen"
    assert "<strong>Farbe</strong>" in fragment and "✓ Orange" in fragment
    assert "Wer diese Antwort gibt, liest danach:</span> <span>Genau.</span>" in fragment
    assert "Nach einer falschen Antwort lesen Lernende:</span> <span>Leider falsch.</span>" in fragment
    assert "(aus der Fragensammlung)" not in fragment and "So ließe sich" not in fragment
    assert "Die Datei beginnt nicht mit Front Matter" not in fragment  # a bank has none

    broken = preview(client, BANK, "// Pool\n\n::F::Richtig? {T\n")
    assert "So ließe sich der Text nicht speichern: 1 Problem." in broken
    assert '<a href="#zeile-3" data-line="3">Zeile 3</a>: Die geschweifte Klammer' in broken
    assert "Die Fragensammlung hat noch keine Fragen." in broken

    without_script = client.post(f"{BANK}/vorschau", data={"text": "::F::Richtig? {T}\n"})
    assert "So sieht Ihr Text aus (noch nicht gespeichert)." in without_script.text
    assert "::F::Richtig? {T}\n</textarea>" in without_script.text  # the typed text stays in the editor
    assert client.get(BANK).text.count("Richtig?") == 0  # a preview saves nothing


def test_a_bank_that_is_not_there_has_no_preview(client, trainer, course):
    assert client.post("/autoren/neuer-kurs/fragen/fehlt.gift/vorschau", data={"text": ""}).status_code == 404
    assert client.post("/autoren/neuer-kurs/fragen/..%2Fcourse.md/vorschau", data={"text": ""}).status_code == 404


# --- names of new banks --------------------------------------------------------------------------------------

def test_a_new_bank_named_with_spaces_is_told_the_names_allowed_with_one_that_would_do(client, trainer, course):
    page = client.post("/autoren/neuer-kurs/fragen", data={"name": "Sicherheit HV"})
    assert ("Name der Fragensammlung: erlaubt sind nur Kleinbuchstaben a–z, Ziffern und Bindestriche (höchstens "
            "61 Zeichen), z. B. „sicherheit-hv“.") in page.text
    assert 'value="Sicherheit HV"' in page.text  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(CourseFile)) == 0
    assert "Kleinbuchstaben, Ziffern und Bindestriche, z. B. notfall" in client.get("/autoren/neuer-kurs").text


# --- every problem of a save at once -------------------------------------------------------------------------

def test_a_broken_course_md_is_said_with_the_problems_of_the_other_files(client, trainer, course):
    # A bank imported before its name was checked: every save of the course names it, with its file and line.
    course.files.append(CourseFile(path="fragen/Alte Fragen.gift", data=b"Frage {T}\n", sha256="x",
                                   content_type="text/plain"))
    db.session.commit()
    broken = course.source.replace("title:", "title: [", 1)

    page = save(client, "/autoren/neuer-kurs", broken)

    assert "Nichts gespeichert: 2 Probleme." in page.text
    assert '<a href="#zeile-2" data-line="2">Zeile 2</a>: Ungültiges YAML im Front Matter' in page.text
    assert ("fragen/Alte Fragen.gift, Zeile 1: Name der Fragensammlung „Alte Fragen.gift“: erlaubt sind nur "
            "Kleinbuchstaben a–z") in page.text


def test_a_module_whose_front_matter_does_not_read_is_refused_with_the_problems_of_its_body(client, trainer, course):
    broken = "---\ntitle: [Start\n---\n\n# Start\n\n[Folien](medien/folien.pdf)\n\n```quiz\nFrage {\n```\n"

    page = save(client, MODULE, broken)

    assert "Nichts gespeichert: 3 Probleme." in page.text
    for line, message in [(2, "Ungültiges YAML im Front Matter"),
                          (7, "Der Link „medien/folien.pdf“ zeigt auf eine Datei, die es im Kurs nicht gibt."),
                          (10, "Die geschweifte Klammer { wird nicht geschlossen.")]:
        assert f'<a href="#zeile-{line}" data-line="{line}">Zeile {line}</a>: {message}' in page.text
    assert "[Start" not in client.get(MODULE).text  # nothing saved
    shown = preview(client, MODULE, broken)  # the preview names them as the save does
    assert "Ungültiges YAML" in shown and "zeigt auf eine Datei" in shown and "nicht geschlossen" in shown


BROKEN_FIELDS = ("---\ntitle: [Start\n---\n\n# Start\n\nOrange heißt **Hochvolt**. [Folien](medien/folien.pdf)\n\n"
                 "```quiz\n::Farbe::Welche Farbe? {=Orange ~Rot}\n```\n")


def test_the_preview_of_a_module_whose_front_matter_does_not_read_still_shows_and_checks_its_body(
        client, trainer, course):
    fragment = preview(client, MODULE, BROKEN_FIELDS)

    assert "So ließe sich der Text nicht speichern: 2 Probleme." in fragment
    assert '<a href="#zeile-2" data-line="2">Zeile 2</a>: Ungültiges YAML im Front Matter' in fragment
    assert ('<a href="#zeile-7" data-line="7">Zeile 7</a>: Der Link „medien/folien.pdf“ zeigt auf eine Datei, die '
            "es im Kurs nicht gibt.") in fragment
    assert "<strong>Hochvolt</strong>" in fragment  # the body, rendered as learners would read it
    assert "Hier steht ein Quiz-Block." in fragment and "```quiz" not in fragment
    assert heading(fragment) == "Quiz: 1 Frage" and "Welche Farbe?" in fragment

    page = client.post(f"{MODULE}/vorschau", data={"text": BROKEN_FIELDS})  # without JavaScript: the whole editor
    assert "<strong>Hochvolt</strong>" in page.text and "Ungültiges YAML im Front Matter" in page.text
    assert "title: [Start\n" in page.text  # the typed text stays in the editor


def test_the_preview_of_a_module_without_the_second_front_matter_line_says_why_it_shows_no_body(
        client, trainer, course):
    fragment = preview(client, MODULE, "---\ntitle: Start\n\n# Start\n\nOrange heißt **Hochvolt**.\n")
    assert "Das Front Matter wird nicht geschlossen" in fragment and "<strong>Hochvolt</strong>" not in fragment


def test_the_preview_of_a_course_md_whose_front_matter_does_not_read_still_shows_its_body(client, trainer, course):
    broken = course.source.replace("title:", "title: [", 1) + "\nMit **Übersicht**.\n"
    fragment = preview(client, "/autoren/neuer-kurs", broken)
    assert "Ungültiges YAML im Front Matter" in fragment and "<strong>Übersicht</strong>" in fragment


def test_with_a_course_md_that_does_not_read_a_module_s_preview_still_draws_from_its_bank(client, trainer, course):
    client.post("/autoren/neuer-kurs/fragen", data={"name": "pool"})
    save(client, BANK, "Eins {T}\n\nZwei {F}\n\nDrei {T}\n")
    text = FEEDBACK_QUIZ.format(settings="questions: fragen/pool.gift\ndraw: 2\n")
    course.source = course.source.replace("title:", "title: [", 1)  # stored before a rule it now breaks
    db.session.commit()

    fragment = preview(client, MODULE, text)

    assert '<li>course.md, Zeile 2: Ungültiges YAML im Front Matter' in fragment  # said with its file and line
    assert heading(fragment) == "Quiz: 4 Fragen"  # the two of the quiz block, and two drawn of the bank's three
    assert fragment.count("(aus der Fragensammlung)") == 3
    assert "Je Versuch werden 2 der 3 Fragen aus der Fragensammlung zufällig gezogen." in fragment

"""A learner's journey through a self-study course: enrol, read, resume, fail, retry, pass, certificate."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.courses import services
from qualify.courses.loader import load_tree
from qualify.extensions import db

COURSE = """---
title: Strom im Fahrzeug
summary: Grundlagen für alle.
duration_minutes: 30
status: published
---

Ein kurzer Kurs.
"""
READING = """---
title: Lesen
kind: self-study
minutes: 10
---

Hochvolt-Leitungen sind **orange**.
"""
QUIZ = """---
title: Prüfen
kind: self-study
minutes: 10
---

Drei Fragen.

```quiz
::Farbe::Welche Farbe haben HV-Leitungen? {=Orange ~Grün ~Blau}

::Spannung::Ab 60 V Gleichspannung gilt eine Spannung als gefährlich. {T}

::Einheit::Wie heißt die Einheit der elektrischen Spannung? {=Volt =V}
```
"""


@pytest.fixture
def course(tmp_path: Path):
    folder = tmp_path / "strom"
    folder.mkdir()
    for name, text in {"course.md": COURSE, "01-lesen.md": READING, "02-pruefen.md": QUIZ}.items():
        (folder / name).write_text(text)
    services.import_tree(load_tree(tmp_path))
    db.session.commit()


def answer_quiz(page, *, colour: str, statement: str, unit: str) -> None:
    """Answer with the keyboard alone: focus, then Space, arrow keys and typing."""
    page.get_by_label(colour).focus()
    page.keyboard.press("Space")
    page.get_by_role("group", name="Frage 2").get_by_label(statement).focus()
    page.keyboard.press("Space")
    page.get_by_role("group", name="Frage 3").get_by_label("Ihre Antwort").focus()
    page.keyboard.type(unit)
    page.get_by_role("button", name="Abgeben und auswerten").focus()
    page.keyboard.press("Enter")


def test_learner_enrols_resumes_fails_retries_passes_and_verifies_the_certificate(
        make_page, make_user, sign_in, assert_accessible, course):
    page = make_page()
    learner = make_user(Role.LEARNER, name="Ayşe Kılıç")
    sign_in(page, learner)
    page.goto("/kurse/")
    assert_accessible(page)
    page.get_by_role("link", name="Strom im Fahrzeug").click()
    assert_accessible(page)
    page.get_by_role("button", name="Einschreiben und loslegen").click()
    expect(page.get_by_role("heading", name="Lesen", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Gelesen – als erledigt markieren").click()
    expect(page.get_by_role("heading", name="Prüfen", level=1)).to_be_visible()

    page.goto("/")  # leave, and come back later through "Mein Lernen"
    page.goto("/lernen/")
    assert_accessible(page)
    page.get_by_role("link", name="Weiter mit: Prüfen").click()
    expect(page.get_by_role("heading", name="Prüfen", level=1)).to_be_visible()

    page.get_by_role("button", name="Quiz starten").click()
    assert_accessible(page)
    answer_quiz(page, colour="Grün", statement="Falsch", unit="Ampere")
    expect(page.get_by_text("Noch nicht bestanden")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Neuer Versuch").first.click()  # straight from the result, under the score
    # Handing in with questions left open asks first, and "Cancel" keeps the attempt open.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(page.get_by_role("heading", name="Quiz: Prüfen")).to_be_visible()
    assert asked == ["3 Fragen sind noch nicht beantwortet. Trotzdem abgeben?"]
    answer_quiz(page, colour="Orange", statement="Richtig", unit="volt")
    expect(page.get_by_text("Bestanden – das Modul ist erledigt.")).to_be_visible()
    # The quiz finished the course: the result says so and hands the certificate over, under the score.
    expect(page.get_by_role("status")).to_contain_text("Damit haben Sie den ganzen Kurs abgeschlossen.")
    expect(page.get_by_role("link", name="Zertifikat herunterladen (PDF)").first).to_be_visible()
    assert_accessible(page)

    page.goto("/lernen/")
    expect(page.get_by_role("heading", name="Abgeschlossene Kurse")).to_be_visible()
    pdf = page.request.get(page.get_by_role("link", name="Zertifikat herunterladen (PDF)").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")  # opened inline where the browser can show it
    code = page.locator(".meta", has_text="Prüfcode").inner_text().split(":")[-1].strip()

    stranger = make_page()
    stranger.goto(f"/verify/{code}")
    expect(stranger.get_by_text("Dieses Zertifikat ist echt.")).to_be_visible()
    expect(stranger.get_by_text("Ayşe Kılıç")).to_be_visible()
    expect(stranger.get_by_text("Strom im Fahrzeug")).to_be_visible()
    assert learner.email not in stranger.content()
    assert_accessible(stranger)


def test_an_older_second_tab_does_not_wipe_what_the_first_answered(make_page, make_user, sign_in, course):
    first = make_page()
    learner = make_user(Role.LEARNER)
    sign_in(first, learner)
    first.goto("/kurse/strom/module/pruefen")
    first.get_by_role("button", name="Quiz starten").click()
    attempt_url = first.url
    second = make_page()
    sign_in(second, learner)
    second.goto(attempt_url)  # opened now, with nothing answered yet

    first.get_by_label("Orange").check()
    first.get_by_role("group", name="Frage 3").get_by_label("Ihre Antwort").fill("Volt")
    expect(first.locator(".autosave-status")).to_have_text("Antworten gespeichert.")
    second.get_by_role("group", name="Frage 2").get_by_label("Richtig").check()
    expect(second.locator(".autosave-status")).to_have_text("Antworten gespeichert.")

    first.reload()
    expect(first.get_by_label("Orange")).to_be_checked()
    expect(first.get_by_role("group", name="Frage 3").get_by_label("Ihre Antwort")).to_have_value("Volt")
    expect(first.get_by_role("group", name="Frage 2").get_by_label("Richtig")).to_be_checked()

    # The older tab hands in: all three count. It shows two questions blank and asks first; the answer is yes.
    second.once("dialog", lambda dialog: dialog.accept())
    second.get_by_role("button", name="Abgeben und auswerten").click()
    expect(second.get_by_text("Bestanden – das Modul ist erledigt.")).to_be_visible()


def test_a_timed_quiz_counts_down_and_closes_its_answers_when_the_time_is_up(
        page, make_user, sign_in, tmp_path, assert_accessible):
    from datetime import timedelta

    from sqlalchemy import select

    from qualify.core.time import utcnow
    from qualify.learning.models import QuizAttempt

    folder = tmp_path / "zeit"
    folder.mkdir()
    timed = QUIZ.replace("minutes: 10\n---\n\nDrei", "minutes: 10\ntime_limit_minutes: 10\n---\n\nDrei")
    for name, text in {"course.md": COURSE.replace("Strom im Fahrzeug", "Auf Zeit"), "01-pruefen.md": timed}.items():
        (folder / name).write_text(text)
    services.import_tree(load_tree(tmp_path))
    db.session.commit()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    page.goto("/kurse/zeit/module/pruefen")
    page.get_by_role("button", name="Quiz starten").click()
    expect(page.locator(".quiz-timer-left")).to_contain_text("Noch 9:5")  # minutes and seconds, counting
    assert_accessible(page)
    page.get_by_label("Orange").check()
    expect(page.locator(".autosave-status")).to_have_text("Antworten gespeichert.")

    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == learner.id))
    attempt.deadline_at = utcnow() + timedelta(seconds=3)  # the last seconds
    db.session.commit()
    page.reload()
    expect(page.locator(".quiz-timer")).to_contain_text("Die Zeit ist abgelaufen", timeout=8000)
    expect(page.get_by_label("Grün")).to_be_disabled()  # nothing more to answer
    page.get_by_role("button", name="Abgeben und auswerten").click()  # no question asked: the time is up
    expect(page.get_by_text("Die Zeit war abgelaufen: Gewertet wurden die Antworten")).to_be_visible()

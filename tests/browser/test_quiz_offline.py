"""A quiz on a patchy connection: answers stay on the device until the server has them, and nothing is lost."""

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses import services
from qualify.courses.loader import load_tree
from qualify.extensions import db
from qualify.learning import quiz
from qualify.learning.models import QuizAttempt
from tests.browser.conftest import DESKTOP, TIMEOUT_MS, _is_problem
from tests.browser.test_learning import COURSE, QUIZ  # the same short course

SAVED = "Antworten gespeichert."
OFFLINE = ("Keine Verbindung – Ihre Antworten bleiben auf diesem Gerät und werden gesendet, "
           "sobald die Verbindung zurück ist.")
HAND_IN_OFFLINE = "Keine Verbindung: Abgeben geht, sobald die Verbindung zurück ist. Ihre Antworten bleiben erhalten."
ONLINE_AGAIN = "Die Verbindung ist zurück und Ihre Antworten sind gespeichert. Sie können jetzt abgeben."
CLOSED = "Dieser Versuch nimmt keine Antworten mehr an."
SERVER_TROUBLE = ("Nicht gespeichert: Der Server antwortet gerade nicht. Ihre Antworten bleiben auf diesem Gerät; "
                  "es wird gleich noch einmal versucht.")
REFUSED = ("Nicht gespeichert: Die Seite ist abgelaufen. Laden Sie sie neu (und melden Sie sich wenn nötig wieder an) "
           "– Ihre Antworten bleiben auf diesem Gerät.")
KEPT_ON_DEVICE_JS = """() => Object.keys(localStorage).filter(key => key.startsWith("qualify-quiz-answers-"))
                                 .map(key => localStorage.getItem(key))"""


@pytest.fixture
def course(tmp_path: Path):
    folder = tmp_path / "strom"
    folder.mkdir()
    for name, text in {"course.md": COURSE, "01-pruefen.md": QUIZ}.items():
        (folder / name).write_text(text)
    services.import_tree(load_tree(tmp_path))
    db.session.commit()


@pytest.fixture
def page_with_failing_saves(browser, live_server):
    """Pages (in one context, so one device store) whose saves the test makes fail or the server refuses.

    Chromium reports each failed save as "Failed to load resource" in the console: expected here, and only
    for the save address. Every other console error, script error or server exception still fails the test.
    """
    problems = []
    errors_before = len(live_server.errors)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="de-DE",
                                  timezone_id="Europe/Berlin")
    context.set_default_timeout(TIMEOUT_MS)

    def open_page():
        page = context.new_page()

        def console(message):
            failed_save = (message.text.startswith("Failed to load resource")
                           and message.location.get("url", "").endswith("/speichern"))
            if _is_problem(page, message) and not failed_save:
                problems.append(f"console error on {page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
        return page

    yield open_page
    context.close()
    problems.extend(f"server: {error}" for error in live_server.errors[errors_before:])
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def start_quiz(page) -> str:
    page.goto("/kurse/strom/module/pruefen")
    page.get_by_role("button", name="Quiz starten").click()
    expect(page.get_by_role("heading", name="Quiz: Prüfen")).to_be_visible()
    # quiz.js listens from the end of the document's load: an answer ticked before that is never sent.
    page.wait_for_load_state()
    return page.url


def go_offline(page) -> None:
    # Only once the browser's own loads are done: its favicon request, cut off, would be a console error.
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)


def unit_field(page):
    return page.get_by_role("group", name="Frage 3").get_by_label("Ihre Antwort")


def saved_answers(learner) -> dict:
    """The answers of the learner's attempt as the server stored them."""
    db.session.rollback()  # a fresh look: the server wrote them in its own sessions
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == learner.id)).answers


def unit_key(learner) -> str:
    """The key of the question "Einheit" in the learner's attempt."""
    db.session.rollback()
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == learner.id))
    return next(q["key"] for q in quiz.attempt_questions(attempt) if q["kind"] == "short_answer")


def kept_on_device(page) -> list[dict]:
    return [json.loads(entry) for entry in page.evaluate(KEPT_ON_DEVICE_JS)]


def test_answers_given_offline_stay_on_the_device_and_are_sent_when_the_connection_returns(
        make_page, make_user, sign_in, course):
    page = make_page()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    start_quiz(page)
    status = page.locator(".autosave-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    page.get_by_label("Orange").check()
    expect(status).to_have_text(SAVED)
    assert kept_on_device(page) == []  # saved: nothing left to keep

    go_offline(page)  # the signal drops in the break room
    unit_field(page).fill("Volt")
    expect(status).to_have_text(OFFLINE)
    [kept] = kept_on_device(page)
    assert kept["answers"]["q-" + unit_key(learner)]["value"] == ["Volt"]
    assert "Volt" not in saved_answers(learner).values()

    page.context.set_offline(False)
    expect(status).to_have_text(SAVED)
    assert "Volt" in saved_answers(learner).values()
    assert kept_on_device(page) == []
    page.reload()
    expect(unit_field(page)).to_have_value("Volt")
    expect(page.get_by_label("Orange")).to_be_checked()


def test_handing_in_offline_keeps_the_page_and_its_answers_and_works_once_back_online(
        make_page, make_user, sign_in, course, assert_accessible):
    page = make_page()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    attempt_url = start_quiz(page)
    status = page.locator(".autosave-status")
    page.get_by_label("Orange").check()
    expect(status).to_have_text(SAVED)

    go_offline(page)
    page.get_by_role("group", name="Frage 2").get_by_label("Richtig").check()
    unit_field(page).fill("Volt")
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(status).to_have_text(HAND_IN_OFFLINE)
    page.wait_for_timeout(800)  # the save due 0.6 s after the last answer does not talk over it
    expect(status).to_have_text(HAND_IN_OFFLINE)
    assert page.url == attempt_url  # not the browser's offline error page
    expect(page.get_by_role("heading", name="Quiz: Prüfen")).to_be_visible()
    expect(page.get_by_label("Orange")).to_be_checked()
    expect(page.get_by_role("group", name="Frage 2").get_by_label("Richtig")).to_be_checked()
    expect(unit_field(page)).to_have_value("Volt")
    expect(page.get_by_role("button", name="Abgeben und auswerten")).to_be_enabled()
    assert len(saved_answers(learner)) == 1  # only the answer given online
    assert len(kept_on_device(page)[0]["answers"]) == 2  # the two answered offline

    page.context.set_offline(False)
    expect(status).to_have_text(ONLINE_AGAIN)
    assert {"true", "Volt"} <= set(saved_answers(learner).values())
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(page.get_by_text("Bestanden – das Modul ist erledigt.")).to_be_visible()
    expect(page.locator(".result-outcome")).to_have_text("✓ Bestanden 100 %")
    assert kept_on_device(page) == []
    assert_accessible(page)


def test_on_a_slow_connection_handing_in_says_at_once_that_it_is_on_its_way(
        make_page, make_user, sign_in, course):
    page = make_page()
    sign_in(page, make_user(Role.LEARNER))
    start_quiz(page)
    page.get_by_label("Orange").check()
    page.get_by_role("group", name="Frage 2").get_by_label("Richtig").check()
    unit_field(page).fill("Volt")
    expect(page.locator(".autosave-status")).to_have_text(SAVED)
    held = []
    page.route("**/abgeben", lambda route: held.append(route))  # a weak signal: the answer takes its time

    page.get_by_role("button", name="Abgeben und auswerten").click()

    expect(page.locator(".autosave-status")).to_have_text("Wird abgegeben … bitte warten.")
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_text("Bestanden – das Modul ist erledigt.")).to_be_visible()


def test_handing_in_that_gets_no_answer_for_30_seconds_is_given_up_and_can_be_done_again(
        make_page, make_user, sign_in, course):
    page = make_page()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    page.clock.install()  # the page's timers, so that the half minute passes at once
    attempt_url = start_quiz(page)
    page.get_by_label("Orange").check()
    page.get_by_role("group", name="Frage 2").get_by_label("Richtig").check()
    unit_field(page).fill("Volt")
    page.clock.run_for(1000)  # the save due 0.6 s after the last answer
    expect(page.locator(".autosave-status")).to_have_text(SAVED)
    held = []
    page.route("**/abgeben", lambda route: held.append(route))  # a stalled connection: no answer comes
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(page.locator(".autosave-status")).to_have_text("Wird abgegeben … bitte warten.")

    page.clock.run_for(29_000)
    expect(page.locator(".autosave-status")).to_have_text("Wird abgegeben … bitte warten.")
    page.clock.run_for(1_500)
    expect(page.locator(".autosave-status")).to_have_text(HAND_IN_OFFLINE)  # the answers stay; hand in again
    assert page.url == attempt_url
    expect(unit_field(page)).to_have_value("Volt")
    expect(page.get_by_role("button", name="Abgeben und auswerten")).to_be_enabled()

    page.unroute("**/abgeben")
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(page.get_by_text("Bestanden – das Modul ist erledigt.")).to_be_visible()


def test_an_answer_kept_on_the_device_is_put_back_and_sent_when_the_attempt_is_opened_again(
        page_with_failing_saves, make_user, sign_in, course):
    page = page_with_failing_saves()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    attempt_url = start_quiz(page)
    page.route("**/speichern", lambda route: route.abort("internetdisconnected"))  # a phone that says it is online
    unit_field(page).fill("Volt")
    expect(page.locator(".autosave-status")).to_have_text(OFFLINE)
    page.close()  # the break is over
    assert "Volt" not in saved_answers(learner).values()

    again = page_with_failing_saves()  # the same phone, later, with a signal
    again.goto(attempt_url)
    expect(unit_field(again)).to_have_value("Volt")
    expect(again.locator(".autosave-status")).to_have_text(SAVED)
    assert "Volt" in saved_answers(learner).values()
    assert kept_on_device(again) == []


def test_a_failing_save_is_tried_again_by_itself_with_growing_pauses(
        page_with_failing_saves, make_user, sign_in, course):
    page = page_with_failing_saves()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    start_quiz(page)
    attempts = []

    def patchy(route):  # first the signal drops, then the server stumbles, then it works
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            route.abort("internetdisconnected")
        elif len(attempts) == 2:
            route.fulfill(status=503, body="Service Unavailable")
        else:
            route.continue_()

    page.route("**/speichern", patchy)
    unit_field(page).fill("Volt")
    status = page.locator(".autosave-status")
    expect(status).to_have_text(OFFLINE)
    expect(status).to_have_text(SERVER_TROUBLE, timeout=4000)
    expect(status).to_have_text(SAVED, timeout=7000)
    assert len(attempts) == 3
    first_pause, second_pause = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert 1.5 < first_pause < second_pause  # 2 s, then 4 s
    assert "Volt" in saved_answers(learner).values()
    assert kept_on_device(page) == []


def test_a_kept_answer_does_not_overwrite_one_saved_later_on_another_device(
        page_with_failing_saves, make_page, make_user, sign_in, course):
    phone = page_with_failing_saves()
    learner = make_user(Role.LEARNER)
    sign_in(phone, learner)
    attempt_url = start_quiz(phone)
    phone.route("**/speichern", lambda route: route.abort("internetdisconnected"))
    unit_field(phone).fill("Ampere")
    expect(phone.locator(".autosave-status")).to_have_text(OFFLINE)
    phone.close()

    desktop = make_page()
    sign_in(desktop, learner)
    desktop.goto(attempt_url)
    unit_field(desktop).fill("Volt")
    expect(desktop.locator(".autosave-status")).to_have_text(SAVED)

    phone = page_with_failing_saves()
    phone.goto(attempt_url)
    expect(unit_field(phone)).to_have_value("Volt")  # the later answer stands
    assert kept_on_device(phone) == []
    assert "Volt" in saved_answers(learner).values()


def test_a_save_the_server_refuses_is_said_and_not_tried_again(
        page_with_failing_saves, make_page, make_user, sign_in, course):
    page = page_with_failing_saves()
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    attempt_url = start_quiz(page)
    saves = []
    page.on("request", lambda request: request.url.endswith("/speichern") and saves.append(request.url))

    # An expired form (its token no longer valid): said, kept on the device, and a reload puts it through.
    page.evaluate("() => { document.querySelector('form.quiz input[name=csrf_token]').value = 'abgelaufen'; }")
    unit_field(page).fill("Volt")
    expect(page.locator(".autosave-status")).to_have_text(REFUSED)
    page.wait_for_timeout(2500)  # longer than the first wait before trying again
    assert len(saves) == 1
    assert len(kept_on_device(page)) == 1
    page.reload()
    expect(unit_field(page)).to_have_value("Volt")
    expect(page.locator(".autosave-status")).to_have_text(SAVED)
    assert "Volt" in saved_answers(learner).values()

    # Handed in meanwhile in another tab: an answer given here can no longer count, and nothing is kept for it.
    other_tab = make_page()
    sign_in(other_tab, learner)
    other_tab.goto(attempt_url)
    other_tab.once("dialog", lambda dialog: dialog.accept())
    other_tab.get_by_role("button", name="Abgeben und auswerten").click()
    expect(other_tab.locator(".result-outcome")).to_have_text("✗ Nicht bestanden 33,3 %")  # 1 of 3, as graded
    saves.clear()
    page.get_by_label("Orange").check()
    expect(page.locator(".autosave-status")).to_have_text(CLOSED)
    page.wait_for_timeout(2500)
    assert len(saves) == 1
    assert kept_on_device(page) == []


def test_the_result_says_passed_or_not_in_a_word_and_a_sign_and_is_accessible(
        make_page, make_user, sign_in, course, assert_accessible):
    page = make_page()
    sign_in(page, make_user(Role.LEARNER))
    start_quiz(page)
    page.get_by_label("Grün").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Abgeben und auswerten").click()
    outcome = page.locator(".result-failed .result-outcome")
    expect(outcome).to_have_text("✗ Nicht bestanden 0 %")
    expect(outcome.locator(".result-sign")).to_have_attribute("aria-hidden", "true")  # the word says it
    # Colour as well: the failed result is red on pale red, not the text colour.
    assert outcome.evaluate("element => getComputedStyle(element).color") == "rgb(164, 22, 26)"
    assert page.locator(".pager form").count() == 2 and page.locator("p.pager").count() == 0
    assert_accessible(page)


def test_without_javascript_the_quiz_is_a_plain_form_that_saves_and_hands_in(make_page, make_user, sign_in, course):
    page = make_page(java_script_enabled=False)
    learner = make_user(Role.LEARNER)
    sign_in(page, learner)
    start_quiz(page)
    page.get_by_label("Orange").check()
    page.get_by_role("button", name="Zwischenspeichern").click()
    expect(page.get_by_text("Ihre Antworten sind gespeichert.")).to_be_visible()
    expect(page.get_by_label("Orange")).to_be_checked()
    page.get_by_role("group", name="Frage 2").get_by_label("Richtig").check()
    unit_field(page).fill("Volt")
    page.get_by_role("button", name="Abgeben und auswerten").click()
    expect(page.locator(".result-outcome")).to_have_text("✓ Bestanden 100 %")


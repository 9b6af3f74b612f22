"""A quiz with a screen reader: every save is said (not only the first), and after handing in the result page
starts at the outcome – passed or not, and the score – instead of at the top of the page."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_learning import COURSE, QUIZ  # the same short course
from tests.browser.test_quiz_offline import SAVED, start_quiz, unit_field

# What the status line says, one entry per change a screen reader is told of, with where the buttons below it are.
LISTEN_JS = """() => {
  const status = document.querySelector(".autosave-status");
  const buttons = document.querySelector(".quiz .actions");
  window.said = [];
  const buttonsAt = () => buttons.getBoundingClientRect().top + window.scrollY;
  new MutationObserver(() => window.said.push([status.textContent, buttonsAt()]))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""
SAID_JS = "() => window.said.map(([text]) => text)"
BUTTONS_AT_JS = "() => new Set(window.said.map(([, top]) => top)).size"


@pytest.fixture
def course(import_course):
    import_course({"course.md": COURSE, "01-pruefen.md": QUIZ})


def said_times(page, text: str, times: int) -> None:
    page.wait_for_function("([text, times]) => window.said.filter(([said]) => said === text).length === times",
                           arg=[text, times])


def test_each_save_is_said_again_though_its_words_are_the_same(signed_in, course):
    page = signed_in()
    start_quiz(page)
    page.evaluate(LISTEN_JS)

    page.get_by_label("Orange").check()
    said_times(page, SAVED, 1)
    unit_field(page).fill("Volt")
    said_times(page, SAVED, 2)
    page.get_by_role("button", name="Zwischenspeichern").click()  # nothing new: saying so is the point of it
    said_times(page, SAVED, 3)

    # Emptied a moment before it is said again: a live region reads out changes only.
    assert page.evaluate(SAID_JS) == [SAVED, "", SAVED, "", SAVED]
    assert page.evaluate(BUTTONS_AT_JS) == 1  # the buttons below do not jump while it is empty


def test_after_handing_in_the_focus_starts_at_the_outcome_and_a_reload_starts_at_the_top(signed_in, course):
    page = signed_in()
    start_quiz(page)
    page.get_by_label("Orange").check()
    page.get_by_role("group", name="Frage 2").get_by_label("Richtig").check()
    unit_field(page).fill("Volt")
    page.get_by_role("button", name="Abgeben und auswerten").focus()
    page.keyboard.press("Enter")

    result = page.locator(".result")
    expect(result).to_be_focused()
    expect(result.locator(".result-outcome")).to_have_text("✓ Bestanden 100 %")
    page.keyboard.press("Tab")  # on from the outcome, to what to do next
    expect(page.get_by_role("link", name="Zurück zum Modul").first).to_be_focused()

    page.reload()  # a later visit: the page starts at the top, as any other
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement === document.body")


def test_a_failed_result_is_where_the_focus_starts_too(signed_in, course):
    page = signed_in()
    start_quiz(page)
    page.get_by_label("Grün").check()
    page.once("dialog", lambda dialog: dialog.accept())  # two questions left open
    page.get_by_role("button", name="Abgeben und auswerten").click()

    result = page.locator(".result")
    expect(result).to_be_focused()
    expect(result).to_contain_text("Nicht bestanden 0 %")

"""Typed text is not lost without a word: the editor's page asks before it is left another way than by saving."""

import pytest

from qualify.accounts.roles import Role
from qualify.courses import starters
from qualify.extensions import db

# Whether leaving now would make the browser ask: what a beforeunload listener says when the page is left.
WOULD_ASK = """() => {
  const leaving = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(leaving);
  return leaving.defaultPrevented;
}"""


@pytest.fixture
def editor(make_page, make_user, sign_in):
    """The signed-in trainer's page of a new draft course, with the course.md editor."""
    trainer = make_user(Role.TRAINER)
    starters.create_course("ungesichert", "Ungesichert", "", actor=trainer)
    db.session.commit()
    page = make_page()
    sign_in(page, trainer)
    page.goto("/autoren/ungesichert")
    return page


def test_leaving_with_typed_text_asks_first_and_saving_does_not(editor):
    assert editor.evaluate(WOULD_ASK) is False  # nothing typed yet
    text = editor.get_by_label("Text der Datei")
    text.click()
    editor.keyboard.press("Control+End")
    editor.keyboard.type("Ein neuer Absatz.")
    assert editor.evaluate(WOULD_ASK) is True

    asked = []
    editor.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    editor.get_by_role("button", name="Veröffentlichen").click()  # another form of the same page
    editor.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert text.input_value().endswith("Ein neuer Absatz.")  # still there: the trainer chose to stay

    editor.get_by_role("button", name="Speichern").click()
    editor.get_by_text("Gespeichert.").wait_for()
    assert asked == ["beforeunload"]  # the editor's own form leaves without asking
    assert "Ein neuer Absatz." in text.input_value()
    assert editor.evaluate(WOULD_ASK) is False


def test_a_refused_text_shown_again_counts_as_unsaved(editor):
    text = editor.get_by_label("Text der Datei")
    text.fill("Kein Front Matter.")
    editor.get_by_role("button", name="Speichern").click()
    editor.get_by_text("Nichts gespeichert").wait_for()
    editor.wait_for_load_state("load")  # the page's script too: under load it ran after the text was there
    assert text.input_value() == "Kein Front Matter."
    assert editor.evaluate(WOULD_ASK) is True  # nothing typed since, but nothing of it is saved either

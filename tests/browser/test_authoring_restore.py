"""A removed module whose question bank was deleted since: "Zurückholen" opens its text with the problem at its
line, and the mended text brings it back."""

from playwright.sync_api import expect

from qualify.accounts.roles import Role
from tests.browser.authoring_steps import add_bank, add_module, create_course

DRAWING = "---\ntitle: Extra\nquestions: fragen/pool.gift\n---\n\n# Extra\n\nFragen aus dem Pool.\n"


def test_a_removed_module_whose_bank_is_gone_is_mended_and_brought_back(signed_in, make_user, assert_accessible,
                                                                         screenshot):
    page = signed_in(make_user(Role.TRAINER))
    create_course(page)
    add_bank(page, "pool")
    page.get_by_label("Text der Datei").fill("Eins {T}\n")
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.get_by_role("link", name="Probekurs").click()
    add_module(page, 1, "extra", "Extra")
    page.get_by_label("Text der Datei").fill(DRAWING)
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    page.get_by_role("link", name="Probekurs").click()
    page.get_by_text("Entfernen … Extra").click()
    page.get_by_role("button", name="Ja, Modul entfernen").click()
    page.get_by_text("Löschen … fragen/pool.gift").click()
    page.get_by_role("button", name="Ja, Fragensammlung löschen").click()
    expect(page.get_by_text("„fragen/pool.gift“ ist gelöscht.")).to_be_visible()

    page.get_by_role("button", name="Zurückholen Extra").click()

    problems = page.get_by_role("alert").filter(has_text="Nichts gespeichert")
    expect(problems).to_contain_text("Die Fragensammlung „fragen/pool.gift“ gibt es nicht.")
    text = page.get_by_label("Text der Datei")
    expect(text).to_have_value(DRAWING)
    assert_accessible(page)
    screenshot(page, "authoring-restore-mend")
    problems.get_by_role("link", name="Zeile 3").click()
    assert page.evaluate("document.activeElement.id") == "text"
    text.fill(DRAWING.replace("questions: fragen/pool.gift\n", ""))
    page.get_by_role("button", name="Vorschau").click()
    expect(page.locator("#vorschau")).to_contain_text("Fragen aus dem Pool.")
    expect(page.locator("#vorschau")).not_to_contain_text("So ließe sich der Text nicht speichern")

    page.get_by_role("button", name="Speichern und zurückholen").click()

    expect(page.get_by_text("„Extra“ ist wieder im Kurs.")).to_be_visible()
    expect(page.get_by_role("heading", name="Entfernte Module")).to_have_count(0)

from playwright.sync_api import expect

from qualify.accounts.roles import Role
from tests.browser.authoring_steps import add_module, create_course


def test_trainer_writes_a_quiz_fixes_its_error_and_publishes_for_learners(signed_in, make_user, assert_accessible,
                                                                          screenshot):
    page = signed_in(make_user(Role.TRAINER))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Kurse bearbeiten").click()
    assert_accessible(page)
    create_course(page)
    add_module(page, 1, "start", "Start")
    assert_accessible(page)
    text = page.get_by_label("Text der Datei")
    text.fill("---\ntitle: Start\n---\n\n# Hallo **Welt**\n\n```quiz\n::F::Richtig? {T\n```\n")
    url = page.url
    page.get_by_role("button", name="Vorschau").click()
    expect(page.locator("#vorschau h1")).to_contain_text("Hallo Welt")
    expect(page.get_by_role("status").filter(has_text="Vorschau aktualisiert.")).to_be_attached()  # said briefly
    assert page.locator("#vorschau").get_attribute("aria-live") is None  # not the whole module read out
    assert page.url == url  # swapped in place, no reload
    screenshot(page, "authoring-preview")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert").filter(has_text="Nichts gespeichert")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "authoring-problem")
    page.get_by_role("link", name="Zeile 8").click()
    assert page.evaluate("document.activeElement.id") == "text"
    text.fill("---\ntitle: Start\n---\n\n# Hallo\n\n```quiz\n::F::Richtig? {T}\n```\n")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    page.get_by_role("link", name="Versionsgeschichte").click()
    assert_accessible(page)
    page.get_by_role("link", name="Änderungen ansehen (Version 2)").click()
    assert_accessible(page)
    screenshot(page, "authoring-diff")
    page.get_by_role("link", name="Probekurs").click()
    screenshot(page, "authoring-course")
    assert_accessible(page)
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_text("Lernende sehen den Kurs im Katalog.")).to_be_visible()

    learner_page = signed_in()
    learner_page.goto("/kurse/?q=probekurs")
    learner_page.get_by_role("link", name="Probekurs").click()
    expect(learner_page.get_by_role("heading", level=1).first).to_have_text("Probekurs")
    assert_accessible(learner_page)


def test_a_trainer_on_a_phone_is_led_to_the_field_missing_its_colon_and_saves_the_fix(phone_page, make_user, sign_in,
                                                                                       assert_accessible):
    page = phone_page
    sign_in(page, make_user(Role.TRAINER))
    create_course(page, "handy", "Am Handy")
    add_module(page, 1, "start", "Start")
    text = page.get_by_label("Text der Datei")
    text.fill("---\ntitle: Start\nminutes 10\n---\n\n# Start\n")
    page.get_by_role("button", name="Speichern", exact=True).click()
    problems = page.get_by_role("alert").filter(has_text="Nichts gespeichert")
    expect(problems).to_contain_text("Zeile 3: Ungültiges YAML im Front Matter: In dieser Zeile fehlt der Doppelpunkt")
    assert_accessible(page)
    page.get_by_role("link", name="Zeile 3").click()
    selected = "(field => field.value.slice(field.selectionStart, field.selectionEnd))(document.activeElement)"
    assert page.evaluate(selected) == "minutes 10"  # the line to fix, not the one YAML stumbled over
    text.fill("---\ntitle: Start\nminutes: 10\n---\n\n# Start\n")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_text("Gespeichert. Neue Version: Start (2).")).to_be_visible()

from playwright.sync_api import expect

from qualify.accounts.roles import Role


def test_a_trainer_previews_a_question_bank_with_what_learners_read_after_answering(
        page, make_user, sign_in, assert_accessible, screenshot):
    sign_in(page, make_user(Role.TRAINER))
    page.goto("/autoren/")
    page.get_by_label("Kürzel").fill("probe")
    page.get_by_label("Titel").fill("Probekurs")
    page.get_by_role("button", name="Kurs anlegen").click()
    page.get_by_text("Fragensammlung hinzufügen").click()
    page.get_by_label("Name der Fragensammlung").fill("pool")
    page.get_by_role("button", name="Fragensammlung anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fragensammlung fragen/pool.gift")
    page.get_by_label("Text der Datei").fill(
        "Zur Einleitung.\n\n::Farbe::Welche Farbe haben Hochvolt-Leitungen? {\n=Orange#Genau.\n~Rot#Nein, das ist "
        "das Bordnetz.\n}\n")
    url = page.url

    page.get_by_role("button", name="Vorschau").click()

    pane = page.locator("#vorschau")
    expect(pane.get_by_role("heading", level=3)).to_have_text("Fragensammlung: 1 Frage")
    expect(pane.get_by_text("Nein, das ist das Bordnetz.")).to_be_visible()
    expect(pane.get_by_text("Wer diese Antwort gibt, liest danach:").first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Vorschau aktualisiert.")).to_be_attached()
    assert page.url == url  # swapped in place, nothing saved
    assert_accessible(page)
    screenshot(page, "authoring-bank-preview")

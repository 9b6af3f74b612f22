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


def test_a_trainer_renames_a_bank_imported_before_names_were_checked_and_saves_the_course_again(
        page, make_user, sign_in, assert_accessible, screenshot):
    from sqlalchemy import select

    from qualify.courses.models import Course, CourseFile
    from qualify.extensions import db

    sign_in(page, make_user(Role.TRAINER))
    page.goto("/autoren/")
    page.get_by_label("Kürzel").fill("probe")
    page.get_by_label("Titel").fill("Probekurs")
    page.get_by_role("button", name="Kurs anlegen").click()
    course = db.session.scalar(select(Course).where(Course.slug == "probe"))
    course.files.append(CourseFile(path="fragen/Alte Fragen.gift", data=b"Eins {T}\n", sha256="x",
                                   content_type="text/plain"))
    db.session.commit()
    page.reload()

    page.get_by_role("link", name="Zum Umbenennen").click()
    field = page.get_by_label("Neuer Name für „fragen/Alte Fragen.gift“")
    expect(field).to_have_value("alte-fragen.gift")
    assert_accessible(page)
    screenshot(page, "authoring-bank-rename")
    page.get_by_role("button", name="Umbenennen").click()

    renamed = page.get_by_text("Umbenannt. Module, die daraus Fragen ziehen, nennen die neuen Namen.")
    expect(renamed.first).to_be_visible()
    expect(page.get_by_role("link", name="fragen/alte-fragen.gift")).to_be_visible()
    page.get_by_role("button", name="Speichern").first.click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()

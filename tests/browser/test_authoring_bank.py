"""A trainer's question banks: previewed as learners will read them, and – named before Qualify checked names –
renamed from the course page, also when a save elsewhere was refused for that name."""

from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses.models import Course, CourseFile
from qualify.extensions import db
from tests.browser.authoring_steps import add_bank, add_module, create_course

OLD = "fragen/Alte Fragen.gift"


def with_a_misnamed_bank(slug: str = "probe") -> None:
    """Give the course a bank under a name the loader no longer takes, as an import before the check left it."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    course.files.append(CourseFile(path=OLD, data=b"Eins {T}\n", sha256="x", content_type="text/plain"))
    db.session.commit()


def test_a_trainer_previews_a_question_bank_with_what_learners_read_after_answering(
        signed_in, make_user, assert_accessible, screenshot):
    page = signed_in(make_user(Role.TRAINER))
    create_course(page)
    add_bank(page, "pool")
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
        signed_in, make_user, assert_accessible, screenshot):
    page = signed_in(make_user(Role.TRAINER))
    create_course(page)
    with_a_misnamed_bank()
    page.reload()

    page.get_by_role("link", name="Zum Umbenennen").click()
    field = page.get_by_label(f"Neuer Name für „{OLD}“")
    expect(field).to_have_value("alte-fragen.gift")
    assert_accessible(page)
    screenshot(page, "authoring-bank-rename")
    page.get_by_role("button", name="Umbenennen").click()

    renamed = page.get_by_text("Umbenannt. Module, die daraus Fragen ziehen, nennen die neuen Namen.")
    expect(renamed.first).to_be_visible()
    expect(page.get_by_role("link", name="fragen/alte-fragen.gift")).to_be_visible()
    page.get_by_role("button", name="Speichern").first.click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()


def test_a_module_save_refused_by_a_misnamed_bank_links_to_the_rename_form_in_a_new_tab_and_keeps_the_text(
        signed_in, make_user, assert_accessible, screenshot):
    page = signed_in(make_user(Role.TRAINER))
    create_course(page)
    add_module(page, 1, "start", "Start")
    with_a_misnamed_bank()
    typed = "---\ntitle: Start\n---\n\n# Neu geschrieben\n\nMit einem Absatz, der nicht verloren gehen darf.\n"
    text = page.get_by_label("Text der Datei")
    text.fill(typed)

    page.get_by_role("button", name="Speichern", exact=True).click()

    problems = page.get_by_role("alert").filter(has_text="Nichts gespeichert")
    expect(problems).to_contain_text(f"{OLD}, Zeile 1: Name der Fragensammlung „Alte Fragen.gift“")
    expect(problems).to_contain_text("Ihr Text hier bleibt stehen.")
    to_rename = problems.get_by_role("link", name="„Fragensammlungen umbenennen“ auf der Kursseite (neuer Tab)")
    expect(to_rename).to_have_attribute("href", "/autoren/probe#fragen-umbenennen")
    expect(to_rename).to_have_attribute("target", "_blank")
    expect(text).to_have_value(typed)
    assert_accessible(page)
    screenshot(page, "authoring-refused-by-a-bank-name")

    with page.context.expect_page() as opened:
        to_rename.click()
    course_tab = opened.value
    expect(course_tab.get_by_label(f"Neuer Name für „{OLD}“")).to_be_in_viewport()
    course_tab.get_by_role("button", name="Umbenennen").click()
    expect(course_tab.get_by_text("Umbenannt.").first).to_be_visible()

    page.bring_to_front()
    expect(text).to_have_value(typed)  # the editor's tab was not left
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_text("Gespeichert. Neue Version: Start (2).")).to_be_visible()
    expect(page.locator("#vorschau h1")).to_have_text("Neu geschrieben")

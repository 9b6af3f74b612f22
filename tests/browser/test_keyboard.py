"""Keyboard and screen reader: where the focus starts after a form error or an action, Escape in a disclosure
that asks once more, and scrolling tables that a screen reader can tell apart."""


import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.exchange import posting, spaces
from qualify.extensions import db

COURSE = {
    "course.md": "---\ntitle: Strom im Fahrzeug\nstatus: published\n---\n\nEin kurzer Kurs.\n",
    "01-lesen.md": "---\ntitle: Lesen\nkind: self-study\nminutes: 10\n---\n\nHochvolt-Leitungen sind orange.\n",
    "02-weiter.md": "---\ntitle: Weiterlesen\nkind: self-study\nminutes: 10\n---\n\nUnd isoliert.\n",
}


@pytest.fixture
def course(import_course):
    import_course(COURSE)


def focused_in_main(page) -> bool:
    return page.evaluate("document.activeElement.closest('main') !== null")


def unique_landmark_violations(page) -> list[str]:
    """axe's landmark-unique (a best practice, not among the WCAG tags that assert_accessible runs)."""
    options = {"runOnly": {"type": "rule", "values": ["landmark-unique"]}, "resultTypes": ["violations"]}
    violations = Axe().run(page, options=options).response["violations"]
    return [" ".join(node["target"]) for violation in violations for node in violation["nodes"]]


# --- after a form error: the list of errors, each leading to its field -------------------------------------

def test_after_a_form_error_the_focus_is_on_the_errors_and_each_leads_to_its_field(page, make_user, sign_in,
                                                                                   password, assert_accessible):
    sign_in(page, make_user())
    page.goto("/profil/passwort")
    page.get_by_label("Aktuelles Passwort").fill(password)
    page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    page.get_by_label("Neues Passwort wiederholen").fill("kurz")
    page.keyboard.press("Enter")

    errors = page.locator(".form-errors")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Bitte korrigieren Sie:")
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(errors.get_by_role("link").first).to_be_focused()
    errors.get_by_role("link", name="Neues Passwort:").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Neues Passwort", exact=True)).to_be_focused()


def test_an_empty_name_in_the_profile_leads_back_to_the_name(page, make_user, sign_in):
    sign_in(page, make_user())
    page.goto("/profil")
    page.get_by_label("Angezeigter Name").fill("")
    page.get_by_role("button", name="Speichern").click()

    expect(page.locator(".form-errors")).to_be_focused()
    page.locator(".form-errors").get_by_role("link", name="Angezeigter Name:").click()
    expect(page.get_by_label("Angezeigter Name")).to_be_focused()


def test_an_import_without_organisation_starts_at_the_errors(page, make_user, sign_in, assert_accessible):
    sign_in(page, make_user(Role.ADMIN))
    page.goto("/verwaltung/import")
    page.get_by_role("button", name="Datei prüfen").click()

    errors = page.locator(".form-errors")
    expect(errors).to_be_focused()
    expect(errors.get_by_role("link", name="Organisation: Bitte wählen Sie eine Organisation.")).to_be_visible()
    assert_accessible(page)


# --- after an action: its message ---------------------------------------------------------------------------

def test_after_an_action_the_focus_is_on_its_message_and_escape_closes_a_question(page, make_user, sign_in, course):
    sign_in(page, make_user(Role.LEARNER))
    page.goto("/kurse/strom")
    expect(page.locator("body")).to_be_focused()  # no message: the focus stays where a page starts
    page.get_by_role("button", name="Einschreiben und loslegen").focus()
    page.keyboard.press("Enter")

    message = page.locator(".flashes")
    expect(message).to_be_focused()
    expect(message).to_have_text("Sie sind eingeschrieben. Viel Erfolg!")
    page.keyboard.press("Tab")  # on from the message, not from the top of the page
    assert focused_in_main(page)

    page.goto("/kurse/strom")
    expect(page.locator("body")).to_be_focused()
    leave = page.locator("details.decision").filter(has_text="Kurs verlassen")
    leave.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ja, Kurs verlassen")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Ja, Kurs verlassen")).to_be_hidden()
    expect(leave.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")  # asked again, and this time answered "Nein"
    leave.get_by_role("button", name="Nein").click()
    expect(page.get_by_role("button", name="Ja, Kurs verlassen")).to_be_hidden()
    expect(leave.locator("summary")).to_be_focused()


def test_after_a_decision_in_the_queue_the_next_tab_leads_to_the_next_post(page, make_user, sign_in,
                                                                          assert_accessible):
    moderator = make_user(Role.MODERATOR)
    space = spaces.create_space("Schichtarbeit", "", organisation_id=None, moderation="pre", anonymous="allowed",
                                by=moderator, now=utcnow())
    posting.start_thread(space, make_user(name="Bruno Brenner"), "Kantine", "Zu früh zu.", anonymous=False,
                         now=utcnow())
    posting.start_thread(space, make_user(name="Kowalczyk Anneliese"), "Kita", "Erst ab sieben.", anonymous=True,
                         now=utcnow())
    db.session.commit()
    sign_in(page, moderator)
    page.goto("/austausch/moderation")
    assert_accessible(page)

    page.get_by_role("button", name="Freigeben Beitrag von Bruno Brenner").focus()
    page.keyboard.press("Enter")

    message = page.locator(".flashes")
    expect(message).to_be_focused()
    expect(message).to_have_text("Beitrag in „Kantine“ freigegeben.")
    page.keyboard.press("Tab")
    expect(page.locator("article").filter(has_text="Erst ab sieben.").get_by_role("link", name="Kita")).to_be_focused()

    reject = page.locator("details.decision").filter(has_text="Ablehnen")
    reject.locator("summary").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Grund").focus()
    page.keyboard.type("Bitte ohne")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Grund")).to_be_hidden()
    expect(reject.locator("summary")).to_be_focused()


# --- scrolling tables with names of their own ---------------------------------------------------------------

def test_the_tables_of_an_import_with_problems_have_names_of_their_own(page, make_user, make_organisation, sign_in,
                                                                       assert_accessible):
    make_organisation("Muster GmbH")
    sign_in(page, make_user(Role.ADMIN))
    page.goto("/verwaltung/import")
    page.get_by_label("Organisation").select_option(label="Muster GmbH")
    page.get_by_label("CSV-Datei", exact=True).set_input_files(  # not the table "Spalten der CSV-Datei"
        files=[{"name": "personen.csv", "mimeType": "text/csv", "buffer": b"E-Mail;Name\nkaputt;Anna\n"}])
    page.get_by_role("button", name="Datei prüfen").click()

    expect(page.get_by_role("region", name="Probleme in der Datei")).to_be_visible()
    expect(page.get_by_role("region", name="Spalten der CSV-Datei")).to_be_visible()  # the help, by its caption
    assert unique_landmark_violations(page) == []
    assert_accessible(page)


def test_the_tables_of_the_feedback_overview_have_names_of_their_own(page, make_user, sign_in, demo_courses,
                                                                     assert_accessible):
    sign_in(page, make_user(Role.ADMIN, Role.COORDINATOR))
    page.goto("/berichte/rueckmeldungen")

    expect(page.get_by_role("region")).not_to_have_count(0)
    assert unique_landmark_violations(page) == []
    assert_accessible(page)

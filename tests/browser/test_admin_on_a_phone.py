"""The administration's pages on a small phone (360 px, touch): lists that stack instead of scrolling sideways,
names that wrap between words, and every link or button that stands on its own a target of at least 44 px."""

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.learning.services import issue_certificate
from tests.browser.test_phone import SMALL_PHONE, assert_no_horizontal_overflow


@pytest.fixture
def admin_phone(make_page, make_user, sign_in):
    """A small phone signed in as the network's administration (role given: an organisation's HR)."""

    def open_phone(role: Role = Role.ADMIN, organisation=None):
        page = make_page(viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
        sign_in(page, make_user(role, organisation=organisation))
        return page

    return open_phone


def assert_target_size(target) -> None:
    box = target.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, f"{target} is {box['width']}×{box['height']} px"


def lines_taken(element, text: str) -> int:
    """How many lines `text` takes inside the element (its first text node that holds it)."""
    return element.evaluate("""(element, text) => {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode()) && !node.textContent.includes(text)) {}
        const range = document.createRange();
        const start = node.textContent.indexOf(text);
        range.setStart(node, start);
        range.setEnd(node, start + text.length);
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
    }""", text)


def test_on_a_phone_the_people_stack_with_the_box_to_tick_beside_each_name(
        admin_phone, make_user, make_organisation, assert_accessible):
    organisation = make_organisation("Muster Antriebstechnik GmbH", units=("Montage Werk Nord",))
    make_user(Role.LEARNER, name="Andrzej Öztürk", email="andrzej.oeztuerk@muster-antriebstechnik.example",
              organisation=organisation, unit=organisation.units[0])
    page = admin_phone(organisation=organisation)
    page.goto(f"/verwaltung/?organisation={organisation.id}")

    row = page.get_by_role("row").filter(has_text="Andrzej Öztürk")
    box = row.get_by_role("checkbox", name="Andrzej Öztürk auswählen")
    name = row.get_by_role("link", name="Andrzej Öztürk")
    expect(row).to_contain_text("Organisation: Muster Antriebstechnik GmbH · Montage Werk Nord")
    expect(row.get_by_role("cell", name="aktiv", exact=True)).to_be_visible()
    assert_no_horizontal_overflow(page)  # no column beyond the screen, the long address included
    assert_target_size(row.locator("label.check"))  # the box's whole column is its label
    assert_target_size(name)
    assert name.bounding_box()["x"] > box.bounding_box()["x"]  # beside the box, not under it
    assert abs(name.bounding_box()["y"] - row.locator("label.check").bounding_box()["y"]) < 5
    assert_accessible(page)

    row.locator("label.check").tap()  # a tap anywhere in its column ticks the box
    expect(box).to_be_checked()


def test_an_organisations_hr_sees_its_people_stacked_in_english_too(admin_phone, make_user, make_organisation,
                                                                     assert_accessible):
    organisation = make_organisation("Muster GmbH")
    hr = admin_phone(Role.ORG_ADMIN, organisation=organisation)
    make_user(Role.LEARNER, name="Ewa Schneider", organisation=organisation, unit=organisation.units[0])
    hr.locator("footer").get_by_role("button", name="English").tap()
    expect(hr.locator("html")).to_have_attribute("lang", "en")
    hr.goto("/verwaltung/")
    row = hr.get_by_role("row").filter(has_text="Ewa Schneider")
    expect(row).to_contain_text("Roles: Learner")
    expect(row.get_by_role("cell", name="active", exact=True)).to_be_visible()
    assert_no_horizontal_overflow(hr)
    assert_accessible(hr)


def test_moving_people_on_a_phone_wraps_their_names_between_words(admin_phone, make_user, make_organisation):
    organisation = make_organisation("Muster Antriebstechnik GmbH", units=("Montage Werk Nord", "Logistik"))
    for name in ("Andrzej Novak", "Claudia Schneider"):
        make_user(Role.LEARNER, name=name, organisation=organisation, unit=organisation.units[0])
    page = admin_phone()
    page.goto(f"/verwaltung/?organisation={organisation.id}")
    page.get_by_role("checkbox", name="Andrzej Novak auswählen").check()
    page.get_by_role("checkbox", name="Claudia Schneider auswählen").check()
    page.get_by_role("button", name="Ausgewählte in andere Einheit verschieben …").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Personen verschieben")
    for name in ("Andrzej Novak", "Claudia Schneider"):
        label = page.locator("label.check").filter(has_text=name)
        expect(label.get_by_role("checkbox")).to_be_checked()
        # The name's letters stand in one line, beside the box: not "Andrz / ej / Novak" in a narrow column.
        lines = lines_taken(label, name)
        assert lines == 1, f"{name} is broken over {lines} lines"
    assert_no_horizontal_overflow(page)


def test_the_confirmation_of_a_mandatory_course_can_be_cancelled_with_a_thumb(
        admin_phone, make_user, make_organisation, demo_courses, assert_accessible):
    organisation = make_organisation("Muster GmbH", units=("Montage",))
    make_user(Role.LEARNER, organisation=organisation, unit=organisation.units[0])
    page = admin_phone()
    page.goto("/verwaltung/pflichtkurse")
    page.get_by_label("Kurs", exact=True).select_option(
        label="Hochvolt-Sicherheit: Sensibilisierung für Nicht-Elektriker")
    page.get_by_label("Einheit", exact=True).select_option(label=f"{organisation.name} · Montage")
    page.get_by_role("button", name="Alle Beschäftigten der Einheit einschreiben …").tap()

    expect(page.get_by_role("heading", name="Bitte bestätigen")).to_be_visible()
    cancel = page.get_by_role("link", name="Abbrechen")
    assert_target_size(cancel)
    assert_target_size(page.get_by_role("button", name="Ja, einschreiben"))
    assert_no_horizontal_overflow(page)
    assert_accessible(page)
    cancel.tap()
    expect(page.get_by_role("heading", name="Bitte bestätigen")).to_have_count(0)
    expect(page.get_by_text("Noch keine Pflichtkurse.")).to_be_visible()  # nobody was enrolled


def test_the_preview_of_an_import_stacks_its_people_under_a_caption_in_view(
        admin_phone, make_user, make_organisation, assert_accessible):
    organisation = make_organisation("Muster Antriebstechnik GmbH", units=("Montage Werk Nord", "Logistik"))
    montage = next(unit for unit in organisation.units if unit.name == "Montage Werk Nord")
    make_user(Role.LEARNER, name="Jürgen Novak", email="juergen.novak@muster-antriebstechnik.example",
              organisation=organisation, unit=montage)
    page = admin_phone()
    page.goto("/verwaltung/import")
    page.get_by_label("Organisation").select_option(label="Muster Antriebstechnik GmbH")
    csv = ("E-Mail;Name;Einheit\n"
           "neu.eins@muster-antriebstechnik.example;Neu Eins;Logistik\n"
           "juergen.novak@muster-antriebstechnik.example;Jürgen Novak;Logistik\n")
    page.get_by_label("CSV-Datei", exact=True).set_input_files(
        files=[{"name": "personen.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.get_by_role("button", name="Datei prüfen").tap()

    changes = page.get_by_role("region", name="Neue und geänderte Personen")
    caption = changes.locator("caption")
    expect(caption).to_be_in_viewport(ratio=1)  # all of it, not the middle of a caption over a wide table
    assert caption.bounding_box()["x"] >= 0
    row = changes.get_by_role("row").filter(has_text="Jürgen Novak")
    expect(row).to_contain_text("Zeile 3")
    expect(row).to_contain_text("Änderung: Einheit: Montage Werk Nord → Logistik")
    assert changes.evaluate("box => box.scrollWidth <= box.clientWidth"), "the changes scroll sideways"
    assert_no_horizontal_overflow(page)
    assert_accessible(page)


def test_links_alone_in_a_cell_and_the_links_to_a_forms_errors_are_targets_for_a_thumb(
        admin_phone, make_organisation, assert_accessible):
    organisation = make_organisation("Muster GmbH", units=("Montage", "Logistik"))
    page = admin_phone()
    page.goto("/verwaltung/organisationen/")
    assert_target_size(page.get_by_role("link", name="Muster GmbH", exact=True))
    page.goto(f"/verwaltung/organisationen/{organisation.id}")
    assert_target_size(page.get_by_role("table").get_by_role("link", name="Logistik"))

    page.goto("/verwaltung/personen/neu")
    page.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
    page.get_by_role("button", name="Speichern").tap()
    summary = page.locator(".form-errors")
    for link in summary.get_by_role("link").all():
        assert_target_size(link)
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value("kein-at-zeichen")  # kept as typed
    assert_no_horizontal_overflow(page)
    assert_accessible(page)


def test_a_certificates_code_stays_on_one_line_on_a_phone(admin_phone, make_user, demo_courses, assert_accessible):
    person = make_user(Role.LEARNER, name="Andrzej Öztürk-Schneider")
    code = issue_certificate(person, demo_courses["hochvolt-sicherheit"], now=utcnow()).code
    db.session.commit()
    page = admin_phone()
    page.goto("/verwaltung/zertifikate/?q=Öztürk")

    link = page.get_by_role("region", name="Ausgestellte Zertifikate").get_by_role("link", name=code)
    expect(link).to_be_visible()
    # "QF-JA7A-" above "924T" is no code one can read out or compare with a printed one.
    lines = lines_taken(link, code)
    assert lines == 1, f"{code} is broken over {lines} lines"
    assert_no_horizontal_overflow(page)
    assert_accessible(page)


def test_the_standing_mandatory_courses_stand_apart_from_the_form_above(admin_phone, demo_courses):
    page = admin_phone()
    page.goto("/verwaltung/pflichtkurse")

    button = page.get_by_role("button", name="Alle Beschäftigten der Einheit einschreiben …").bounding_box()
    heading = page.get_by_role("heading", name="Bestehende Pflichtkurse").bounding_box()
    below = page.get_by_text("Noch keine Pflichtkurse.").bounding_box()
    above_gap = heading["y"] - (button["y"] + button["height"])
    below_gap = below["y"] - (heading["y"] + heading["height"])
    # A new section, as after the headings of a course's text: the heading belongs to the list under it, not to the
    # button it stood as close to as to its own list (17 px each way).
    assert above_gap >= 28, f"the heading is {above_gap}px under the button"
    assert above_gap > below_gap, f"{above_gap}px above the heading, {below_gap}px under it"

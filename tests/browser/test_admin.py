"""Journeys of an administrator: find a person and open their account; find a certificate and withdraw it."""

from playwright.sync_api import expect
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses import services
from qualify.courses.loader import load_tree
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.learning import services as learning
from qualify.learning.models import Certificate


def test_admin_opens_the_user_list_and_a_persons_account(page, make_user, make_organisation, sign_in,
                                                         assert_accessible):
    organisation = make_organisation("Muster Antriebstechnik GmbH")
    admin = make_user(Role.ADMIN)
    person = make_user(Role.WORKS_COUNCIL, Role.LEARNER, name="Bernd Betriebsrat", organisation=organisation,
                       unit=organisation.units[0])
    sign_in(page, admin)

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Verwaltung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung")
    row = page.get_by_role("row").filter(has_text="Bernd Betriebsrat")
    expect(row).to_contain_text("Muster Antriebstechnik GmbH")
    expect(row).to_contain_text("Betriebsrat")
    assert_accessible(page)

    row.get_by_role("link", name="Bernd Betriebsrat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bernd Betriebsrat")
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value(person.email)
    expect(page.get_by_role("checkbox", name="Betriebsrat")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Administration")).not_to_be_checked()
    expect(page.locator("details.decision summary").filter(has_text="Konto deaktivieren")).to_be_visible()
    assert_accessible(page)


READING_COURSE = {
    "course.md": "---\ntitle: Hochvolt kompakt\nstatus: published\n---\n\nEin kurzer Kurs.\n",
    "01-lesen.md": "---\ntitle: Lesen\nkind: self-study\nminutes: 10\n---\n\nHochvolt-Leitungen sind orange.\n",
}


def test_admin_finds_a_certificate_and_withdraws_it(page, make_page, make_user, sign_in, assert_accessible,
                                                    tmp_path):
    folder = tmp_path / "hv"
    folder.mkdir()
    for name, text in READING_COURSE.items():
        (folder / name).write_text(text)
    services.import_tree(load_tree(tmp_path))
    course = db.session.scalar(select(Course).where(Course.title == "Hochvolt kompakt"))
    holder = make_user(Role.LEARNER, name="Hanna Halter")
    learning.enrol(holder, course, now=utcnow())
    learning.mark_read(holder, course.active_modules[0], now=utcnow())
    db.session.commit()
    code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == holder.id))

    sign_in(page, make_user(Role.ADMIN))
    page.goto("/verwaltung/")
    page.get_by_role("navigation", name="Verwaltung").get_by_role("link", name="Zertifikate").click()
    page.get_by_label("Suche nach Prüfcode, Name, E-Mail oder Kurs").fill("Hanna")
    page.get_by_role("button", name="Suchen").click()
    assert_accessible(page)
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Zertifikat {code}")
    assert_accessible(page)

    page.get_by_role("button", name="Zertifikat zurückziehen").click()  # neither reason nor module: refused
    expect(page.get_by_text("Bitte geben Sie einen Grund an.", exact=True)).to_be_visible()  # also in the summary
    assert_accessible(page)
    page.get_by_label("Grund").fill("Falsch zugeordnet")
    page.get_by_role("checkbox", name="Lesen").check()
    page.get_by_role("button", name="Zertifikat zurückziehen").click()
    expect(page.get_by_text("Das Zertifikat ist zurückgezogen")).to_be_visible()
    expect(page.get_by_text("Falsch zugeordnet")).to_be_visible()
    assert_accessible(page)

    stranger = make_page()
    stranger.goto(f"/verify/{code}")
    expect(stranger.get_by_text("Dieses Zertifikat wurde zurückgezogen")).to_be_visible()
    assert "Falsch zugeordnet" not in stranger.content()
    assert_accessible(stranger)


def test_admin_moves_two_people_to_another_unit_in_one_step_on_a_phone(make_page, make_user, make_organisation,
                                                                       sign_in, assert_accessible):
    page = make_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)  # the narrowest phone
    organisation = make_organisation("Muster GmbH", units=("Montage", "Logistik"))
    montage = next(unit for unit in organisation.units if unit.name == "Montage")
    for name in ("Anna Arm", "Bert Band", "Cem Clip"):
        make_user(Role.LEARNER, name=name, organisation=organisation, unit=montage)
    sign_in(page, make_user(Role.ADMIN))

    page.goto(f"/verwaltung/?organisation={organisation.id}")
    anna = page.get_by_role("checkbox", name="Anna Arm auswählen")
    anna.focus()
    page.keyboard.press("Space")  # ticked from the keyboard, as with a mouse
    expect(anna).to_be_checked()
    page.get_by_role("checkbox", name="Bert Band auswählen").check()
    assert_accessible(page)
    page.get_by_role("button", name="Ausgewählte in andere Einheit verschieben …").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Personen verschieben")
    expect(page.get_by_role("checkbox", name="Anna Arm")).to_be_checked()
    page.get_by_label("Neue Einheit").select_option(label="Muster GmbH · Logistik")
    page.get_by_role("button", name="Verschieben …").click()
    expect(page.get_by_role("alert")).to_contain_text("2 Personen wechseln nach Muster GmbH · Logistik")
    expect(page.get_by_role("alert")).to_contain_text("2 aus „Montage“")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)
    page.get_by_role("button", name="Ja, 2 Personen verschieben").click()

    expect(page.get_by_text("2 Personen sind jetzt in Muster GmbH · Logistik.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Anna Arm")).to_contain_text("Logistik")
    expect(page.get_by_role("row").filter(has_text="Cem Clip")).to_contain_text("Montage")

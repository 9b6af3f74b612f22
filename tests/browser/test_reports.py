"""Journey: the works council filters to a small unit, downloads the CSV, and finds the access logged."""

from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.extensions import db
from qualify.reports.rollup import refresh_rollups
from tests.reports.conftest import FEB, JAN, NOW, Record


def test_works_council_sees_a_small_unit_as_under_five_downloads_csv_and_finds_it_logged(
    page, make_user, sign_in, assert_accessible
):
    firma = create_organisation("muster", "Muster Antriebstechnik GmbH", ["Montage", "Logistik", "Labor"])
    record = Record(iter(range(1, 10_000)))
    course = record.course("Hochvolt-Sicherheit")
    sizes = {"Montage": 20, "Logistik": 12, "Labor": 3}
    for unit in firma.units:
        size = sizes[unit.name]
        people = record.people(firma, unit, size)
        record.enrol(people, course, JAN)
        record.complete_module(people[: size // 2], course, FEB)
    works_council = make_user(Role.WORKS_COUNCIL, organisation=firma, name="Bea Betriebsrat")
    db.session.commit()
    refresh_rollups(NOW)
    db.session.commit()
    sign_in(page, works_council)

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Beteiligung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beteiligung")
    assert_accessible(page)

    page.get_by_label("Von", exact=True).select_option(label="Jan. 2025")
    page.get_by_label("Einheit").select_option(label="Labor")
    page.get_by_role("button", name="Anzeigen").click()
    trend = page.get_by_role("table", name="Verlauf")
    expect(trend.get_by_role("row").filter(has_text="Labor").first).to_contain_text("< 5")
    expect(page.get_by_text("Alle Zahlen dieser Auswahl sind geschützt.")).to_be_visible()
    expect(page.get_by_role("img")).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Als CSV herunterladen").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "Labor" in content and "< 5" in content

    page.get_by_role("link", name="Zugriffsprotokoll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugriffsprotokoll")
    log = page.get_by_role("table")
    expect(log.get_by_role("row").filter(has_text="CSV heruntergeladen")).to_contain_text("Bea Betriebsrat")
    viewed = log.get_by_role("row").filter(has_text="Bericht angesehen").first
    expect(viewed).to_contain_text("Bea Betriebsrat")
    assert_accessible(page)

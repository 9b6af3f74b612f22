"""Journey: the works council filters to a small unit, downloads the CSV, and finds the access logged."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.courses.models import CourseOwner
from qualify.extensions import db
from qualify.reports import feedback
from qualify.reports.rollup import refresh_rollups
from tests.browser.selection import copied_text
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


# Units named as companies name them: longer than a bar is wide.
LONG_UNITS = ["Montage Hochvolt-Batterie Halle 4", "Qualitätssicherung Elektromobilität", "Logistik",
              "Instandhaltung und Betriebstechnik", "Fahrzeugelektronikinstandhaltung", "Labor"]
# A line of a name as drawn: its text, and the hyphen drawn after it where it breaks a word.
DRAWN_JS = """const drawn = line =>
    line.textContent + (line.nextElementSibling?.matches(".chart-hyphen") ? "-" : "");"""
# Each name under a bar of the group chart: its lines' text, its box, the chart's box and the slot of a bar.
NAMES_JS = """svg => {
  """ + DRAWN_JS + """
  const chart = svg.getBoundingClientRect();
  const slot = chart.width * (640 - 32) / 640 / svg.querySelectorAll("text.chart-name").length;
  return [...svg.querySelectorAll("text.chart-name")].map(name => {
    const box = name.getBoundingClientRect();
    return {lines: [...name.querySelectorAll("tspan[x]")].map(drawn), left: box.left,
            right: box.right, top: box.top, bottom: box.bottom, slot: slot, chart: [chart.left, chart.right,
            chart.top, chart.bottom]};
  });
}"""


def _joined(text: str) -> str:
    return text.replace("-", "").replace(" ", "")


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, {"width": 1280, "height": 800}],
                         ids=["320px", "desktop"])
def test_the_group_charts_bars_are_named_in_full_as_in_the_table(make_page, make_user, sign_in, screenshot,
                                                                 viewport):
    firma = create_organisation("muster", "Muster Antriebstechnik GmbH", LONG_UNITS)
    record = Record(iter(range(1, 10_000)))
    course = record.course("Hochvolt-Sicherheit")
    for unit in firma.units:
        people = record.people(firma, unit, 10)
        record.enrol(people, course, JAN)
        record.complete_module(people[:6], course, FEB)
    # In a unit: "Ohne Einheit" would be a seventh group, and seven are drawn as rows (the test below).
    works_council = make_user(Role.WORKS_COUNCIL, organisation=firma, unit=firma.units[-1])
    db.session.commit()
    refresh_rollups(NOW)
    db.session.commit()
    page = make_page(viewport=viewport)
    sign_in(page, works_council)

    page.goto("/berichte/beteiligung?von=2025-01&bis=2025-01")
    screenshot(page, f"group-chart-{viewport['width']}")
    chart = page.locator("svg[aria-labelledby^='gruppen-title']")
    chart.scroll_into_view_if_needed()

    names = chart.evaluate(NAMES_JS)
    in_table = page.locator("#tabelle-ueberblick tbody th").all_inner_texts()
    assert set(LONG_UNITS) <= set(in_table)
    # Every name whole as in the table, none cut off with "…" (the lines joined, without the hyphens of breaks)
    assert [_joined("".join(name["lines"])) for name in names] == [_joined(group) for group in in_table]
    for name, following in zip(names, names[1:] + [None], strict=True):
        left, right, top, bottom = name["chart"]
        assert left <= name["left"] and name["right"] <= right and name["bottom"] <= bottom, name["lines"]
        assert name["right"] - name["left"] <= name["slot"], f"{name['lines']} is wider than its bar"
        assert following is None or name["right"] <= following["left"], f"{name['lines']} runs into the next"
    # A word broken inside itself on the screen is copied whole: its hyphen is drawn, not selected.
    assert any(line.endswith("-") for name in names for line in name["lines"] if "Fahrzeug" in "".join(name["lines"]))
    copied = copied_text(chart)
    assert "Fahrzeugelektronikinstandhaltung" in copied and "Qualitätssicherung Elektromobilität" in copied
    assert "-" not in copied.replace("Hochvolt-Batterie", ""), copied


# Each row of a row chart: its name's lines and box, its figure's box, and the chart's and the scroll box's edges.
ROWS_JS = """svg => {
  """ + DRAWN_JS + """
  const chart = svg.getBoundingClientRect(), box = svg.parentElement.getBoundingClientRect();
  const figures = [...svg.querySelectorAll("text:not(.chart-name)")];
  return [...svg.querySelectorAll("text.chart-name")].map((name, index) => {
    const own = name.getBoundingClientRect(), figure = figures[index].getBoundingClientRect();
    return {lines: [...name.querySelectorAll("tspan[x]")].map(drawn), left: own.left,
            right: own.right, top: own.top, bottom: own.bottom, figure: [figure.left, figure.right, figure.top,
            figure.bottom], text: figures[index].textContent, chart: [chart.left, chart.bottom],
            shown: box.right};
  });
}"""


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, {"width": 1280, "height": 800}],
                         ids=["320px", "desktop"])
def test_thirty_groups_are_drawn_as_rows_whose_names_and_figures_are_read_without_scrolling(
        make_page, make_user, sign_in, screenshot, viewport):
    units = LONG_UNITS + [f"Werkstatt {number} Süd" for number in range(24)]
    firma = create_organisation("muster", "Muster Antriebstechnik GmbH", units)
    record = Record(iter(range(1, 10_000)))
    course = record.course("Hochvolt-Sicherheit")
    for unit in firma.units:
        record.enrol(record.people(firma, unit, 5), course, JAN)
    works_council = make_user(Role.WORKS_COUNCIL, organisation=firma, unit=firma.units[0])
    db.session.commit()
    refresh_rollups(NOW)
    db.session.commit()
    page = make_page(viewport=viewport)
    sign_in(page, works_council)

    page.goto("/berichte/beteiligung?von=2025-01&bis=2025-01&kennzahl=enrolled")
    screenshot(page, f"group-rows-{viewport['width']}")
    chart = page.locator("svg[aria-labelledby^='gruppen-title']")
    chart.scroll_into_view_if_needed()

    rows = chart.evaluate(ROWS_JS)
    in_table = page.locator("#tabelle-ueberblick tbody th").all_inner_texts()
    assert len(rows) == len(units) == len(in_table)
    assert [_joined("".join(row["lines"])) for row in rows] == [_joined(group) for group in in_table]
    for row, following in zip(rows, rows[1:] + [None], strict=True):
        figure_left, figure_right, figure_top, figure_bottom = row["figure"]
        assert row["chart"][0] <= row["left"] and row["right"] < figure_left, f"{row['lines']} runs into its figure"
        assert row["top"] <= figure_top and figure_bottom <= row["bottom"] + 1, f"{row['text']} beside its name"
        assert figure_right <= row["shown"], f"{row['lines']}: its figure is out of sight"
        assert following is None or row["bottom"] <= following["top"], f"{row['lines']} runs into the next"


def test_the_coordination_reads_the_networks_completions_on_a_phone_a_withheld_kind_explained(
    make_page, make_user, sign_in, assert_accessible
):
    # 10 finished the reading module, 2 others only the workshop: the reading module's 10 would give the
    # workshop's 2 away against the 12 of all kinds on the report, so both are withheld – and the page says why.
    firma = create_organisation("muster", "Muster Antriebstechnik GmbH", ["Montage"])
    record = Record(iter(range(1, 10_000)))
    course = record.course("Hochvolt-Sicherheit")
    record.complete_module(record.people(firma, firma.units[0], 10), course, JAN, position=1)
    record.complete_module(record.people(firma, firma.units[0], 2), course, JAN, position=2)
    coordinator = make_user(Role.COORDINATOR, name="Kim Koordination")
    db.session.commit()
    refresh_rollups(datetime(2025, 2, 13, tzinfo=UTC))  # January is the last counted month
    db.session.commit()
    page = make_page(viewport={"width": 360, "height": 740})
    sign_in(page, coordinator)

    page.goto("/berichte/beteiligung?kennzahl=modules_completed")
    trend = page.get_by_role("table", name="Verlauf")
    expect(trend.get_by_role("row").filter(has_text="Muster Antriebstechnik GmbH")).to_contain_text("12")
    page.get_by_role("link", name="Erfolgsindikatoren").click()

    completions = page.get_by_role("table", name="Abschlüsse je Modulart im Januar 2025")
    expect(completions.get_by_role("row").filter(has_text="Selbstlernen")).to_contain_text("geschützt")
    expect(completions.get_by_role("row").filter(has_text="Workshop")).to_contain_text("geschützt")
    expect(page.get_by_text("„geschützt“ heißt: Die Zahl beschreibt weniger als 5 Personen")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Als CSV herunterladen").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "Selbstlernen;geschützt" in content and "„geschützt“ heißt" in content


def test_the_feedback_figures_stand_right_aligned_and_each_table_under_a_heading(
    page, make_user, sign_in, assert_accessible
):
    firma = create_organisation("muster", "Muster Antriebstechnik GmbH", ["Montage"])
    firma.small_group_threshold = 3
    record = Record(iter(range(1, 10_000)))
    course = record.course("Hochvolt-Sicherheit")
    people = record.people(firma, firma.units[0], 3)
    record.complete_module(people, course, JAN)
    for person in people:
        feedback.give_feedback(person, course.modules[0], usefulness=4, difficulty=2, would_recommend=True,
                               comment=None, now=NOW)
    teacher = make_user(Role.TRAINER, Role.COORDINATOR, name="Kim Koordination")
    db.session.add(CourseOwner(course_id=course.id, user_id=teacher.id))
    db.session.commit()
    sign_in(page, teacher)
    page.goto("/berichte/rueckmeldungen")

    # The same heading in a screen reader's list of headings as while no module has enough answers.
    expect(page.get_by_role("heading", name="Zufriedenheit je Modulart und Format", level=3)).to_be_visible()
    satisfaction = page.get_by_role("table", name="Zufriedenheit je Modulart und Format")
    expect(page.get_by_role("region", name="Zufriedenheit je Modulart und Format")).to_be_visible()
    for table in (satisfaction, page.get_by_role("table", name="Rückmeldungen je Modul")):
        expect(table.get_by_role("row").nth(1)).to_contain_text("3")
        # Figures right-aligned under right-aligned headings, as in the participation report.
        alignments = table.locator("thead th:not(:first-child), td").evaluate_all(
            "cells => cells.map(cell => getComputedStyle(cell).textAlign)")
        assert set(alignments) == {"right"}, alignments
    assert_accessible(page)

"""The participation report on a 360 px phone, in German and in English: its filters folded behind "Filter" so
that the figures are not two screens down, and the ways to more figures (when all are withheld) each a target
for a thumb."""

import pytest
from playwright.sync_api import expect

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.extensions import db
from qualify.reports.rollup import refresh_rollups
from tests.browser.test_phone import SMALL_PHONE, assert_no_horizontal_overflow
from tests.reports.conftest import FEB, JAN, NOW, Record

ON_A_SMALL_PHONE = {"viewport": SMALL_PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def works_council(make_user):
    """Bea of the works council of a firm with Montage (20 people), Logistik (12) and Labor (3), who enrolled in
    January and finished a module in February; the months up to March are counted."""

    def make(language: str = "de"):
        firma = create_organisation("muster", "Muster Antriebstechnik GmbH", ["Montage", "Logistik", "Labor"])
        record = Record(iter(range(1, 10_000)))
        course = record.course("Hochvolt-Sicherheit")
        for unit, size in zip(firma.units, (20, 12, 3), strict=True):
            people = record.people(firma, unit, size)
            record.enrol(people, course, JAN)
            record.complete_module(people[: size // 2], course, FEB)
        member = make_user(Role.WORKS_COUNCIL, organisation=firma, name="Bea Betriebsrat", language=language)
        db.session.commit()
        refresh_rollups(NOW)
        db.session.commit()
        return member

    return make


def test_on_a_phone_the_report_starts_with_its_figures_and_the_filters_open_with_a_tap(
        signed_in, works_council, assert_accessible):
    page = signed_in(works_council(), **ON_A_SMALL_PHONE)
    page.goto("/berichte/beteiligung")

    summary = page.locator("summary", has_text="Filter")
    expect(summary).to_have_text("Filter")
    expect(page.get_by_label("Einheit")).to_be_hidden()
    # What the figures promise is in the first screen, no longer under six fields (it stood at 1,050 px).
    expect(page.get_by_text("Nur zusammengefasste Zahlen")).to_be_in_viewport()
    assert_no_horizontal_overflow(page)
    assert_accessible(page)

    summary.tap()
    page.get_by_label("Einheit").select_option(label="Logistik")
    page.get_by_role("button", name="Anzeigen").tap()

    expect(page.locator("summary", has_text="Filter")).to_have_text("Filter (1 aktiv)")
    expect(page.get_by_label("Einheit")).to_be_visible()  # open: what was chosen is in sight
    expect(page.get_by_label("Einheit").locator("option:checked")).to_have_text("Logistik")
    expect(page.get_by_role("table", name="Verlauf").get_by_role("row").filter(has_text="Logistik")).to_have_count(1)
    assert_no_horizontal_overflow(page)
    assert_accessible(page)


def test_the_ways_to_more_figures_are_each_a_thumbs_target_one_under_the_other(signed_in, works_council):
    page = signed_in(works_council(), **ON_A_SMALL_PHONE)
    page.goto("/berichte/beteiligung")
    page.locator("summary", has_text="Filter").tap()
    page.get_by_label("Einheit").select_option(label="Labor")  # 3 people: every figure withheld
    page.get_by_label("Modulart").select_option(label="Selbstlernen")
    page.get_by_label("Verlauf für").select_option(label="Module abgeschlossen")
    page.get_by_role("button", name="Anzeigen").tap()

    expect(page.get_by_text("Alle Zahlen dieser Auswahl sind geschützt.")).to_be_visible()
    ways = page.locator(".report-withheld li > a")
    expect(ways).to_have_text(["alle Modularten statt einer", "die ganze Organisation statt einer Einheit",
                               "„Aktiv“ als Kennzahl"])
    boxes = [way.bounding_box() for way in ways.all()]
    for text, box in zip(ways.all_inner_texts(), boxes, strict=True):
        assert box["height"] >= 44, f"{text} is too small to tap ({box['height']}px)"
        assert box["x"] + box["width"] <= SMALL_PHONE["width"], f"{text} sticks out of the screen"
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert above["y"] + above["height"] <= below["y"] + 0.5, "two ways overlap"
    assert_no_horizontal_overflow(page)


def test_in_english_the_report_on_a_phone_speaks_english_with_its_filters_folded(
        signed_in, works_council, assert_accessible):
    page = signed_in(works_council(language="en"), **ON_A_SMALL_PHONE)
    page.goto("/berichte/beteiligung?art=self-study")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    summary = page.locator("summary", has_text="Filters")
    expect(summary).to_have_text("Filters (1 active)")  # a kind chosen: open, counted
    expect(page.get_by_label("Module type")).to_have_value("self-study")
    summary.tap()
    expect(page.get_by_label("Module type")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_visible()
    facts = page.locator(".report-facts")
    expect(facts).to_contain_text("Period")
    expect(facts).to_contain_text("Jan 2025 – Mar 2025")
    expect(facts).to_contain_text("Self-study")
    assert_no_horizontal_overflow(page)
    assert_accessible(page)


def test_on_a_wide_screen_the_reports_filters_stand_in_sight_without_the_disclosure(signed_in, works_council):
    page = signed_in(works_council())
    page.goto("/berichte/beteiligung")

    expect(page.locator("summary", has_text="Filter")).to_be_hidden()
    expect(page.get_by_role("group", name="Filter")).to_have_count(1)  # named by the hidden summary
    for label in ("Von", "Bis", "Einheit", "Kurs", "Modulart", "Verlauf für"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()


@pytest.mark.parametrize(("language", "note"), [("de", "(ohne Kommentare)"), ("en", "(without comments)")])
def test_what_the_feedback_download_leaves_out_stands_on_one_line_on_a_phone(
        signed_in, make_user, assert_accessible, language, note):
    page = signed_in(make_user(Role.COORDINATOR, name="Kim Koordination", language=language), **ON_A_SMALL_PHONE)
    page.goto("/berichte/rueckmeldungen")

    expect(page.get_by_text(note)).to_be_visible()
    lines = page.get_by_text(note).evaluate("note => note.getClientRects().length")
    assert lines == 1, f"{note} is broken over {lines} lines"
    assert_no_horizontal_overflow(page)
    assert_accessible(page)

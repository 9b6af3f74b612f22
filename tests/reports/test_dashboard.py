"""The participation dashboard: what the works council and the coordination see, and what nobody sees."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.core.audit import AuditEvent
from qualify.extensions import db
from qualify.reports.models import RollupMonth
from tests.reports.conftest import JAN, all_counts, report_tables, row_of

REPORT = "/berichte/beteiligung?von=2025-01&bis=2025-03"
URLS = ("/berichte/beteiligung", "/berichte/beteiligung.csv", "/berichte/beteiligung/druck")


def csv_rows(response, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))


def csv_counts(rows: list[list[str]]) -> list[int]:
    """Every count in the CSV's tables (headcounts included), not the shares beside them."""
    counts, shares = [], set()
    for row in rows:
        if len(row) > 2 and row[0] == "Gruppe":  # a table's header: which columns hold shares
            shares = {index for index, heading in enumerate(row) if "Anteil" in heading}
            continue
        counts += [int(cell) for index, cell in enumerate(row) if cell.isdigit() and index not in shares]
    return counts


def test_works_council_sees_its_units_with_counts_and_shares(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT + "&kennzahl=enrolled")

    assert page.status_code == 200
    trend = report_tables(page.text)["tabelle-verlauf"]
    assert row_of(trend, "Montage")[:3] == ["Montage", "20", "15 (75 %)"]


def test_unit_smaller_than_k_shows_only_under_k(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT + "&kennzahl=enrolled")

    labor = row_of(report_tables(page.text)["tabelle-verlauf"], "Labor")
    assert labor[1:] == ["< 5"] + ["geschützt"] * 3  # headcount, and every month


def test_next_smallest_unit_is_withheld_too_so_the_small_one_cannot_be_recovered(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT + "&kennzahl=enrolled")

    trend = report_tables(page.text)["tabelle-verlauf"]
    assert row_of(trend, "Logistik")[2] == "geschützt"  # 7 people enrolled, withheld alongside Labor's 3
    # The total of the published groups, without a share: the share of those alone would read as everybody's.
    assert row_of(trend, "Summe der ausgewiesenen Gruppen")[2] == "15"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "&kennzahl=modules_completed",
        "&kennzahl=courses_completed",
        "&kurs={hochvolt}",
        "&art=self-study",
        "&bereich={logistik}",
        "&von=2025-02&bis=2025-02",
    ],
)
def test_no_figure_under_k_anywhere_on_the_page_or_in_the_csv(client, login, scenario, query):
    logistik = next(u.id for u in scenario.firma.units if u.name == "Logistik")
    query = query.format(hochvolt=scenario.hochvolt.id, logistik=logistik)
    login(scenario.works_council)

    page = client.get(REPORT + query)
    download = client.get(REPORT.replace("beteiligung", "beteiligung.csv") + query)

    assert page.status_code == 200
    assert all_counts(page.text) and min(all_counts(page.text)) >= 5
    numbers = csv_counts(csv_rows(download))
    assert numbers and min(numbers) >= 5


def test_works_council_of_one_organisation_sees_nothing_of_another(client, login, scenario, make_user):
    other = make_user(Role.WORKS_COUNCIL, organisation=scenario.andere)
    login(other)

    own = client.get(REPORT).text
    montage = next(u.id for u in scenario.firma.units if u.name == "Montage")

    assert "Geheimabteilung" in own and "Montage" not in own and "Firma" not in own
    assert client.get(f"{REPORT}&bereich={montage}").status_code == 404
    assert client.get(f"{REPORT}&organisation={scenario.firma.id}").status_code == 200  # ignored, not obeyed
    assert "Montage" not in client.get(f"{REPORT}&organisation={scenario.firma.id}").text


@pytest.mark.parametrize("url", URLS)
def test_a_course_that_does_not_exist_is_not_found(client, login, scenario, url):
    login(scenario.works_council)
    assert client.get(f"{url}?kurs=999999").status_code == 404


def test_a_report_kept_from_a_german_reader_is_labelled_in_english_for_an_english_one(
        client, new_client, login, scenario, make_user):
    login(scenario.works_council)
    assert "Summe der ausgewiesenen Gruppen" in client.get(REPORT).text
    english = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=scenario.firma, language="en"), via=english)
    for page in (english.get(REPORT).text, english.get(REPORT.replace("beteiligung", "beteiligung.csv")).text):
        assert "Total of the groups shown" in page and "Summe der ausgewiesenen Gruppen" not in page


def test_the_downloaded_file_is_named_by_its_period_in_the_readers_language(
        client, new_client, login, scenario, make_user):
    login(scenario.works_council)
    german = client.get(REPORT.replace("beteiligung", "beteiligung.csv")).headers["Content-Disposition"]
    assert re.search(r'filename="beteiligung-\d{4}-\d{2}-bis-\d{4}-\d{2}\.csv"', german), german
    english = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=scenario.firma, language="en"), via=english)
    named = english.get(REPORT.replace("beteiligung", "beteiligung.csv")).headers["Content-Disposition"]
    assert re.search(r'filename="participation-\d{4}-\d{2}-to-\d{4}-\d{2}\.csv"', named), named


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.MODERATOR, Role.ADMIN])
def test_learners_trainers_and_others_may_not_see_reports(client, login, make_user, scenario, role):
    login(make_user(role, organisation=scenario.firma))

    for url in (*URLS, "/berichte/protokoll"):
        assert client.get(url).status_code == 403, url


def test_guests_are_sent_to_sign_in(client):
    assert client.get(URLS[0]).status_code == 302


def test_coordinator_sees_organisations_only_and_small_organisations_as_under_k(
    client, login, scenario, record, make_user, refresh
):
    klein = create_organisation("klein", "Kleinbetrieb", ["Werkstatt"])
    record.enrol(record.people(klein, klein.units[0], 2), scenario.hochvolt, JAN)
    refresh(rebuild=True)
    login(make_user(Role.COORDINATOR))

    page = client.get(REPORT + "&kennzahl=enrolled").text

    trend = report_tables(page)["tabelle-verlauf"]
    assert [row[0] for row in trend[1:]] == [
        "Andere GmbH",
        "Firma",
        "Kleinbetrieb",
        "Summe der ausgewiesenen Gruppen",
    ]
    assert row_of(trend, "Kleinbetrieb")[1:] == ["< 5"] + ["geschützt"] * 3
    for unit in ("Montage", "Logistik", "Labor", "Geheimabteilung", "Werkstatt"):
        assert unit not in page


def test_coordinator_cannot_ask_for_units(client, login, scenario, make_user):
    login(make_user(Role.COORDINATOR))
    montage = next(u.id for u in scenario.firma.units if u.name == "Montage")

    assert client.get(f"{REPORT}&bereich={montage}").status_code == 404


def test_no_score_name_or_personal_timestamp_in_any_report_output(client, login, scenario):
    login(scenario.works_council)

    outputs = [
        client.get(REPORT + extra).data.decode("utf-8-sig") for extra in ("", "&kennzahl=modules_completed")
    ]
    outputs += [
        client.get(url + "?von=2025-01&bis=2025-03&kennzahl=modules_completed").data.decode("utf-8-sig")
        for url in URLS[1:]
    ]

    for output in outputs:
        for secret in (
            "73,21",
            "73.21",
            "0.7321",
            "7321",
            "Mensch ",
            "@example.org",
            "13.01.2025",
            "13.02.2025",
            "2025-02-13",
            "10:17",
            "11:17",
            "10:24",
            "11:24",
        ):
            assert secret not in output
        assert "Versuch" not in output and "Punkte" not in output


def test_the_csv_says_whose_figures_it_holds_and_when_they_were_counted(client, login, scenario):
    login(scenario.works_council)
    rows = csv_rows(client.get(REPORT.replace("beteiligung", "beteiligung.csv")))
    header = {row[0]: row[1] for row in rows[:7] if len(row) == 2}
    assert header["Organisation"] == scenario.firma.name
    page = client.get(REPORT).text
    assert header["Datenstand"] == re.search(r"<dt>Datenstand</dt><dd>([^<]+)</dd>", page).group(1)
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", header["Datenstand"])


def test_csv_cells_cannot_start_a_spreadsheet_formula(client, login, record, refresh, make_user):
    firma = create_organisation("formel", "Formel AG", ['=HYPERLINK("http://x")', "-Sonder", "@Lager"])
    course = record.course("+SUMME(A1)")
    for unit in firma.units:
        record.enrol(record.people(firma, unit, 6), course, JAN)
    refresh()
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    rows = csv_rows(client.get(f"/berichte/beteiligung.csv?von=2025-01&bis=2025-01&kurs={course.id}"))

    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'-Sonder" in cells and "'@Lager" in cells
    assert "'+SUMME(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_csv_holds_exactly_the_figures_the_page_shows(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT + "&kennzahl=enrolled").text
    rows = csv_rows(client.get(REPORT.replace("beteiligung", "beteiligung.csv") + "&kennzahl=enrolled"))

    start = next(i for i, row in enumerate(rows) if row and row[0].startswith("Verlauf"))
    from_csv = []
    for row in rows[start + 2 :]:
        pairs = zip(row[2::2], row[3::2], strict=True)
        from_csv.append([row[0], row[1]] + [f"{n} ({s} %)" if s else n for n, s in pairs])
    shown = report_tables(page)["tabelle-verlauf"][1:]
    assert [[" ".join(c.split()) for c in row] for row in from_csv] == [[" ".join(c.split()) for c in row]
                                                                        for row in shown]
    assert row_of(shown, "Montage")[2] == "15 (75 %)"


def test_csv_shares_are_numbers_a_spreadsheet_can_calculate_with_in_both_languages(
        client, new_client, login, scenario, make_user):
    login(scenario.works_council)
    english = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=scenario.firma, language="en"), via=english)
    url = REPORT.replace("beteiligung", "beteiligung.csv") + "&kennzahl=enrolled"

    german = csv_rows(client.get(url))
    in_english = csv_rows(english.get(url), delimiter=",")

    header = next(row for row in german if row[:2] == ["Gruppe", "Personen"] and "Jan. 2025" in row)
    assert header[2:4] == ["Jan. 2025", "Jan. 2025 (Anteil in %)"]  # the unit in the heading, not in the cell
    for rows in (german, in_english):
        montage = [row for row in rows if row and row[0] == "Montage"][-1]  # in the trend: 15 of 20 in January
        assert montage[2:4] == ["15", "75"]
        assert not [cell for row in rows for cell in row if re.fullmatch(r"\d+\s?%", cell)]  # "75 %" is text


def test_charts_are_svg_images_with_title_description_and_no_script(client, login, scenario):
    login(scenario.works_council)

    page = client.get("/berichte/beteiligung?von=2025-01&bis=2025-01").text  # with a published figure each

    assert page.count('role="img"') == 2
    assert '<title id="verlauf-title">' in page and '<desc id="verlauf-desc">' in page
    assert "<script" not in page[page.index("<main"):]  # drawn without one (app.js in the head moves the focus)


def test_every_view_and_export_is_logged_and_the_works_council_can_read_the_log(
    client, login, scenario, make_user, new_client
):
    coordinator = make_user(Role.COORDINATOR, name="Kim Koordination")
    other = make_user(Role.WORKS_COUNCIL, organisation=scenario.andere, name="Otto Anderswo")
    for person in (coordinator, other):
        browser = new_client()
        login(person, via=browser)
        assert browser.get(REPORT).status_code == 200
    login(scenario.works_council)
    client.get(REPORT + "&kennzahl=enrolled")
    client.get(REPORT.replace("beteiligung", "beteiligung.csv"))
    client.get(REPORT.replace("beteiligung", "beteiligung/druck"))

    log = client.get("/berichte/protokoll").text

    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("reports.%"))))
    assert sorted(actions) == [
        "reports.export",
        "reports.view",
        "reports.view",
        "reports.view",
        "reports.view",
    ]
    assert "Bea Betriebsrat" in log and "CSV heruntergeladen" in log and "Druckansicht" in log
    assert "Kim Koordination" in log  # network-wide figures concern every organisation
    assert "Otto Anderswo" not in log  # a view of another organisation's figures does not
    assert "Jan. 2025 – März 2025 · Kennzahl: Neu eingeschrieben" in log  # as a reader says it, not von=2025-01
    assert "kennzahl=" not in log


def test_admin_counts_the_figures_now_and_nobody_else_may(client, login, make_user, record, new_client):
    firma = create_organisation("firma", "Firma", ["Montage"])
    record.enrol(record.people(firma, firma.units[0], 5), record.course(), JAN)
    db.session.commit()
    works_council = new_client()
    login(make_user(Role.WORKS_COUNCIL, organisation=firma), via=works_council)
    assert works_council.post("/berichte/daten/aktualisieren", data={}).status_code == 403
    login(make_user(Role.ADMIN))

    response = client.post("/berichte/daten/aktualisieren", data={}, follow_redirects=True)

    assert response.status_code == 200 and "gezählt." in response.text
    assert db.session.scalar(select(RollupMonth.month).order_by(RollupMonth.month)) is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "reports.refresh"))


def test_dashboard_says_so_when_nothing_is_counted_yet(client, login, make_user, make_organisation):
    login(make_user(Role.WORKS_COUNCIL, organisation=make_organisation()))

    page = client.get(URLS[0])

    assert page.status_code == 200 and "Noch keine Zahlen" in page.text

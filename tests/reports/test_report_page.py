"""What the participation page says about its figures: charts that read like the tables, what an all-withheld
selection means, which metric is shown, what the metrics count and when the next month appears; the access log."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.core.time import LOCAL_TZ
from qualify.extensions import db
from qualify.reports import charts
from qualify.reports.rollup import GRACE_DAYS, available_from, due_month
from tests.reports.conftest import JAN, report_tables, row_of
from tests.test_accessible_markup import region_names, repeated, text_of

REPORT = "/berichte/beteiligung?von=2025-01&bis=2025-03"
JANUARY = "/berichte/beteiligung?von=2025-01&bis=2025-01"  # Montage's 15 are published in the overview
WITHHELD_NOTICE = "Alle Zahlen dieser Auswahl sind geschützt."


def chart(page: str, ident: str) -> str | None:
    """The SVG of a chart (verlauf, gruppen), or None when the page has none."""
    found = re.search(rf'<svg [^>]*aria-labelledby="{ident}-title[^>]*>.*?</svg>', page, re.S)
    return found.group(0) if found else None


def value_labels(svg: str) -> list[str]:
    """The figure of each bar (each text but the bars' names)."""
    return [html.unescape(text) for text in re.findall(r'<text (?![^>]*class="chart-name")[^>]*>(.*?)</text>', svg)]


def unit_id(scenario, name: str) -> int:
    return next(u.id for u in scenario.firma.units if u.name == name)


# --- 1. the trend chart writes a withheld total as the table does ---------------------------------------------

def test_a_month_whose_total_is_withheld_reads_geschuetzt_in_the_trend_chart_not_under_k(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT + "&kennzahl=enrolled").text

    total = row_of(report_tables(page)["tabelle-verlauf"], "Summe der ausgewiesenen Gruppen")
    assert total[2:] == ["15", "geschützt", "geschützt"]  # nobody enrolled in February and March
    labels = value_labels(chart(page, "verlauf"))
    assert labels == ["15", "geschützt", "geschützt"]
    assert not any(label.startswith("<") for label in labels)


# --- 2. the group chart: shares from 0 to 100 %, and why a group has no bar --------------------------------------

def test_a_share_is_drawn_as_that_share_of_the_charts_height_not_as_the_largest_bar():
    bars = [charts.Bar("Montage", 0.09, "9 %"), charts.Bar("Labor", None, "geschützt")]

    shares = charts.bar_chart(bars, title="t", description="d", ident="g", scale=1)
    counts = charts.bar_chart(bars, title="t", description="d", ident="g")

    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert re.findall(r'<rect [^>]*height="([\d.]+)"', shares) == [f"{plot * 0.09:.1f}"]
    assert re.findall(r'<rect [^>]*height="([\d.]+)"', counts) == [f"{plot:.1f}"]  # counts: the largest fills it


def test_the_group_chart_shows_shares_up_to_100_percent_and_says_protected_values_are_missing(
        client, login, scenario):
    login(scenario.works_council)

    page = client.get(JANUARY).text

    svg = chart(page, "gruppen")
    groups = [row[0] for row in report_tables(page)["tabelle-ueberblick"][1:-1]]
    labels = dict(zip(groups, value_labels(svg), strict=True))
    assert labels["Montage"].split() == ["75", "%"] and labels["Labor"] == "geschützt"
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert re.findall(r'<rect [^>]*height="([\d.]+)"', svg) == [f"{plot * 0.75:.1f}"]  # three quarters high
    assert "geschützte Werte fehlen" in svg and "ausgeblendet" not in svg and "unter 5" not in svg


HYPHEN_DRAWN = '<tspan class="chart-hyphen" aria-hidden="true">-</tspan>'


def bar_names(svg: str) -> list[list[str]]:
    """The name under each bar, as the lines it is drawn on (a word broken inside itself with its hyphen)."""
    return [[html.unescape(line) + ("-" if hyphen else "")
             for line, hyphen in re.findall(rf"<tspan x=[^>]*>(.*?)</tspan>({re.escape(HYPHEN_DRAWN)})?", name)]
            for name in re.findall(r'<text class="chart-name"[^>]*>(.*?)</text>', svg)]


def test_a_long_group_name_is_written_in_full_under_its_bar_on_lines_that_fit_its_slot():
    bars = [charts.Bar("Montage Hochvolt-Batterie Halle 4", None, "geschützt"), charts.Bar("Montage", 0.25, "25 %"),
            charts.Bar("Instandhaltung und Betriebstechnik", 0.5, "50 %")] + \
        [charts.Bar(f"Labor {n}", 0.5, "50 %") for n in range(3)]

    svg = charts.bar_chart(bars, title="t", description="d", ident="g", scale=1)

    names = bar_names(svg)
    assert names[0] == ["Montage", "Hochvolt-", "Batterie", "Halle 4"]  # between words, and after a hyphen
    assert names[1] == ["Montage"]
    assert names[2] == ["Instand-", "haltung und", "Betriebs-", "technik"]  # longer than a line: in halves
    assert "…" not in svg
    slot = (charts.WIDTH - charts.LEFT - charts.RIGHT) / len(bars)
    assert all(len(line) * charts.LETTER_WIDTH <= slot for name in names for line in name)


@pytest.mark.parametrize("draw", [charts.bar_chart, charts.row_chart], ids=["columns", "rows"])
def test_a_word_broken_inside_itself_reads_whole_as_text_its_hyphen_only_drawn(draw):
    name = "Qualitätssicherungsabteilung Elektromobilität"
    bars = [charts.Bar(f"Werk {n}", 0.5, "50 %") for n in range(5)] + [charts.Bar(name, 0.1, "10 %")]

    svg = draw(bars, title="t", description="d", ident="g", scale=1)

    drawn = bar_names(svg)[-1]
    assert drawn[0].endswith("-") and drawn[0] != "Qualitätssicherungs-"  # broken inside the word, and shown so
    written = re.findall(r'<text class="chart-name"[^>]*>(.*?)</text>', svg)[-1]
    assert HYPHEN_DRAWN in written  # the hyphen: silent for screen readers, not copied (reports.css)
    # Read without what is only drawn – copied, or by a tool that reads the page's words – the name is whole.
    assert html.unescape(re.sub(r"<[^>]+>", "", written.replace(HYPHEN_DRAWN, ""))) == name


def test_a_word_longer_than_a_slot_is_broken_with_hyphens_and_the_chart_grows_to_hold_its_lines():
    bars = [charts.Bar(f"Abteilung {n}", 0.5, "50 %") for n in range(9)] + \
        [charts.Bar("Fahrzeugelektronikinstandhaltung", 0.1, "10 %")]

    svg = charts.bar_chart(bars, title="t", description="d", ident="g", scale=1)

    lines = bar_names(svg)[-1]
    assert len(lines) > 2 and all(line.endswith("-") for line in lines[:-1])
    assert "".join(line.removesuffix("-") for line in lines) == "Fahrzeugelektronikinstandhaltung"
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    last_line = charts.HEIGHT - charts.BOTTOM + charts.FIRST_LINE + (len(lines) - 1) * charts.LINE_HEIGHT
    assert height > charts.HEIGHT and height >= last_line + 4  # room for the letters under the last baseline
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert re.findall(r'<rect [^>]*height="([\d.]+)"', svg)[-1] == f"{plot * 0.1:.1f}"  # the plot as before


def name_rows(svg: str) -> list[tuple[float, int]]:
    """Each name of a row chart: the baseline of its first line and how many lines it has."""
    return [(float(y), len(re.findall(r"<tspan ", body)))
            for y, body in re.findall(r'<text class="chart-name" x="[\d.]+" y="([\d.]+)"[^>]*>(.*?)</text>', svg)]


def test_many_groups_are_drawn_as_rows_named_in_full_on_the_left_with_the_figure_beside_each():
    bars = [charts.Bar("Montage Hochvolt-Batterie Halle 4", 0.25, "25 %"), charts.Bar("Labor", None, "geschützt")] + \
        [charts.Bar(f"Abteilung {n}", 0.5, "50 %") for n in range(28)]

    svg = charts.row_chart(bars, title="t", description="d", ident="g", scale=1)

    names = bar_names(svg)
    assert names[0] == ["Montage Hochvolt-", "Batterie Halle 4"]  # two lines of the name column, not eight
    assert names[1:3] == [["Labor"], ["Abteilung 0"]] and len(names) == 30
    assert all(len(line) * charts.LETTER_WIDTH <= charts.NAME_WIDTH for name in names for line in name)
    assert value_labels(svg)[:3] == ["25 %", "geschützt", "50 %"]
    length = charts.WIDTH - charts.RIGHT - charts.BAR_START
    assert re.findall(r'<rect [^>]*width="([\d.]+)"', svg)[:2] == [f"{length * 0.25:.1f}", f"{length * 0.5:.1f}"]
    assert len(re.findall(r"<rect ", svg)) == 29  # none for the withheld group
    rows = name_rows(svg)  # one below the other, a name of two lines taking two lines' room
    assert all(following - first >= lines * charts.LINE_HEIGHT
               for (first, lines), (following, _lines) in zip(rows, rows[1:], strict=False))
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert rows[-1][0] < height - charts.ROW_TOP


def many_units(record, refresh, make_user, n: int):
    """An organisation of n units of six people, five of whom enrolled in January; its works council (in a unit:
    "Ohne Einheit" would be a group of its own)."""
    firma = create_organisation("viele", "Viele Einheiten GmbH", [f"Werkstatt {number}" for number in range(n)])
    course = record.course("Hochvolt")
    for unit in firma.units:
        record.enrol(record.people(firma, unit, 5 if unit is firma.units[0] else 6)[:5], course, JAN)
    works_council = make_user(Role.WORKS_COUNCIL, organisation=firma, unit=firma.units[0])
    refresh()
    return works_council


@pytest.mark.parametrize(("units", "drawn_as_rows"), [(charts.MOST_COLUMNS, False), (charts.MOST_COLUMNS + 1, True)])
def test_the_group_chart_turns_to_rows_beyond_the_groups_that_fit_side_by_side(
        client, login, record, refresh, make_user, units, drawn_as_rows):
    login(many_units(record, refresh, make_user, units))

    svg = chart(client.get(JANUARY + "&kennzahl=enrolled").text, "gruppen")

    assert ('text-anchor="end"' in svg) is drawn_as_rows  # the figures' column of a row chart
    assert ("Balkenlänge 0 bis 100 %" in svg) is drawn_as_rows
    assert ("Balkenhöhe 0 bis 100 %" in svg) is not drawn_as_rows
    assert len(bar_names(svg)) == units and value_labels(svg) == ["83\xa0%"] * units


# --- 3. a selection with every figure withheld ------------------------------------------------------------------

def test_when_every_figure_is_withheld_the_page_says_why_and_what_may_help_and_draws_no_chart(
        client, login, scenario):
    login(scenario.works_council)
    labor = unit_id(scenario, "Labor")

    page = client.get(f"{REPORT}&bereich={labor}&kurs={scenario.hochvolt.id}&kennzahl=enrolled").text

    assert page.count(WITHHELD_NOTICE) == 1
    notice = text_of(page[page.index(WITHHELD_NOTICE):page.index('id="ueberblick"')])
    assert "kleinen Gruppen oder an einem engen Filter" in notice
    ways = dict((text_of(what), html.unescape(link)) for link, what in re.findall(
        r'<li><a href="([^"]+)">(.*?)</a></li>', page[page.index(WITHHELD_NOTICE):page.index('id="ueberblick"')]))
    assert list(ways) == ["alle Kurse statt eines Kurses", "die ganze Organisation statt einer Einheit",
                          "„Aktiv“ als Kennzahl"]
    assert "kurs=" not in ways["alle Kurse statt eines Kurses"] and f"bereich={labor}" in ways[
        "alle Kurse statt eines Kurses"]
    assert "bereich=" not in ways["die ganze Organisation statt einer Einheit"]
    assert "kennzahl=" not in ways["„Aktiv“ als Kennzahl"]
    assert 'role="img"' not in page  # no chart of labels only…
    assert set(report_tables(page)) == {"tabelle-ueberblick", "tabelle-verlauf"}  # …but the tables stay
    printed = client.get(f"/berichte/beteiligung/druck?von=2025-01&bis=2025-03&bereich={labor}"
                         f"&kurs={scenario.hochvolt.id}&kennzahl=enrolled").text
    assert WITHHELD_NOTICE in printed and "statt eines Kurses" not in printed  # on paper, no links to follow


def test_when_even_the_widest_filters_show_nothing_the_notice_says_the_groups_are_too_small(
        client, login, record, refresh, make_user):
    klein = create_organisation("klein", "Kleinbetrieb", ["Werkstatt"])
    record.enrol(record.people(klein, klein.units[0], 3), record.course(), JAN)
    refresh()
    login(make_user(Role.WORKS_COUNCIL, organisation=klein))

    page = client.get(REPORT).text

    assert WITHHELD_NOTICE in page and 'role="img"' not in page
    assert "Die Gruppen sind zu klein, oder in diesen Monaten haben zu wenige teilgenommen." in page
    assert "Mehr Zahlen zeigen vielleicht" not in page  # nothing wider to offer


def test_a_selection_with_figures_draws_its_charts_and_no_notice(client, login, scenario):
    login(scenario.works_council)

    page = client.get(JANUARY).text

    assert WITHHELD_NOTICE not in page and page.count('role="img"') == 2


def test_a_chart_whose_every_value_is_withheld_is_left_out_and_its_table_stays(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT).text  # in March every group's "Aktiv" is withheld, in January Montage's is not

    assert chart(page, "gruppen") is None and chart(page, "verlauf") is not None
    assert "Keine Grafik: Jeder ihrer Werte wäre geschützt." in page and WITHHELD_NOTICE not in page
    assert "tabelle-ueberblick" in report_tables(page)


# --- 4. a metric that a module kind does not have ----------------------------------------------------------------

def test_a_metric_no_module_kind_has_is_replaced_by_active_and_the_page_says_so(client, login, scenario):
    login(scenario.works_council)

    replaced = client.get(REPORT + "&art=self-study&kennzahl=enrolled").text
    kept = client.get(REPORT + "&art=self-study&kennzahl=modules_completed").text
    all_kinds = client.get(REPORT + "&kennzahl=enrolled").text

    assert "„Neu eingeschrieben“ gibt es nicht je Modulart; gezeigt wird „Aktiv“." in html.unescape(replaced)
    assert '<h2 id="verlauf">Verlauf: Aktiv</h2>' in replaced
    assert "gibt es nicht je Modulart" not in kept and "gibt es nicht je Modulart" not in all_kinds
    printed = client.get(REPORT.replace("beteiligung?", "beteiligung/druck?") + "&art=self-study&kennzahl=enrolled")
    assert "„Neu eingeschrieben“ gibt es nicht je Modulart" in html.unescape(printed.text)  # on paper too


def test_the_way_back_to_all_kinds_asks_for_the_metric_that_was_asked_for(client, login, scenario):
    login(scenario.works_council)

    page = html.unescape(client.get(f"{REPORT}&bereich={unit_id(scenario, 'Labor')}&art=self-study"
                                    "&kennzahl=enrolled").text)

    link = re.search(r'<a href="([^"]+)">alle Modularten statt einer</a>', page).group(1)
    assert "art=" not in link and "kennzahl=enrolled" in link


# --- 5. what the metrics mean, and when the figures appear ---------------------------------------------------------

def test_the_page_explains_each_metric_it_offers(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT).text

    start = page.index('<details class="metric-meanings">')  # after the filters' disclosure
    meanings = page[start:page.index("</details>", start)]
    assert "<summary>Was die Kennzahlen bedeuten</summary>" in meanings
    assert "verschiedene Personen je Kalendermonat" in meanings
    terms = [text_of(term) for term in re.findall(r"<dt>(.*?)</dt>", meanings)]
    assert terms == report_tables(page)["tabelle-ueberblick"][0][2:] + ["Personen"]
    assert ("irgendetwas getan haben: sich eingeschrieben, ein Modul oder einen Kurs abgeschlossen, einen Workshop "
            "gebucht oder besucht, im Austausch geschrieben") in meanings


def test_the_facts_say_up_to_which_month_figures_are_counted_and_when_the_next_one_appears(client, login, scenario):
    login(scenario.works_council)

    page = client.get(REPORT).text

    assert ("<dt>Gezählte Monate</dt><dd>Zahlen bis März 2025; April 2025 erscheint ab dem 08.05.2025</dd>"
            in page)  # counted on 15 April: March is the last complete month a week old


def test_a_month_is_available_from_the_first_night_a_week_after_it_ended():
    november = date(2026, 11, 1)

    day = available_from(november)

    assert day == date(2026, 12, 1) + timedelta(days=GRACE_DAYS) == date(2026, 12, 8)
    that_night = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ).astimezone(UTC)
    assert due_month(that_night) == november
    assert due_month(that_night - timedelta(seconds=1)) < november
    assert available_from(date(2026, 12, 1)) == date(2027, 1, 8)  # over the turn of the year


def test_before_anything_is_counted_the_page_says_when_a_month_is_counted(
        client, login, make_user, make_organisation):
    login(make_user(Role.WORKS_COUNCIL, organisation=make_organisation()))

    page = client.get("/berichte/beteiligung").text

    assert "Noch keine Zahlen: Jeder Monat wird einmal gezählt, in der ersten Nacht eine Woche nach seinem Ende." \
        in page
    assert "jede Nacht für die abgeschlossenen Monate" not in page


# --- 6. charts that can be read on a phone --------------------------------------------------------------------------

def test_each_chart_sits_in_a_box_that_can_be_scrolled_with_the_keyboard_and_is_named_by_its_title(
        client, login, scenario):
    login(scenario.works_council)

    page = client.get(JANUARY).text

    for ident in ("gruppen", "verlauf"):
        assert re.search(rf'<div class="chart-scroll" tabindex="0" role="region" aria-labelledby="{ident}-title">'
                         rf"\s*<svg ", page), ident
    names = region_names(page)
    assert "Verlauf: Aktiv" in names and "Aktiv je Gruppe, Anteil" in names and repeated(names) == []


# --- 6b. read as text, a chart's names and figures stay apart ------------------------------------------------------

def chart_text_lines(svg: str) -> list[str]:
    """A chart as its text reads when copied or shown by a text browser: its text nodes as they stand, tags gone
    (not replaced by spaces, which would hide names and figures run together), in lines."""
    text = html.unescape(re.sub(r"<[^>]+>", "", svg))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("draw", [charts.bar_chart, charts.row_chart], ids=["columns", "rows"])
def test_read_as_text_each_name_of_a_chart_stands_before_its_figure_on_lines_of_their_own(draw):
    bars = [charts.Bar("Werk A", 12, "12"), charts.Bar("Digitale Fabrik Qualitätssicherung", 7, "7"),
            charts.Bar("Labor", None, "geschützt")]

    svg = draw(bars, title="Aktiv je Gruppe", description="Personen je Gruppe.", ident="g")

    assert chart_text_lines(svg) == ["Aktiv je Gruppe", "Personen je Gruppe.", "Werk A", "12",
                                     "Digitale Fabrik Qualitätssicherung", "7", "Labor", "geschützt"]


def test_read_as_text_the_charts_of_the_page_name_each_group_then_its_share(client, login, scenario):
    login(scenario.works_council)

    page = client.get(JANUARY).text

    lines = chart_text_lines(chart(page, "gruppen"))
    assert lines[2:] == ["Labor", "geschützt", "Logistik", "geschützt", "Montage", "75 %", "Ohne Einheit", "geschützt"]
    assert chart_text_lines(chart(page, "verlauf"))[2:] == ["01/25", "15"]
    assert "Montage75" not in html.unescape(re.sub(r"<[^>]+>", "", page))  # as it read before


# --- 6c. a share counts its people and its base over the same people -------------------------------------------------

def test_a_share_never_passes_100_percent_when_people_left_after_taking_part(client, login, record, refresh,
                                                                            make_user):
    # Six of Montage enrol in January, and two of them leave in February; one more, gone since December, has a
    # January enrolment made for them after they left. Counted as the members when January was counted
    # (four and the works council) beside everyone who enrolled (seven), January read 140 %.
    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    gone_before = record.people(firma, montage, 1)
    course = record.course()
    record.enrol(people + gone_before, course, JAN)
    for person in people[:2]:
        person.active, person.left_month = False, date(2025, 2, 1)
    gone_before[0].active, gone_before[0].left_month = False, date(2024, 12, 1)
    reader = make_user(Role.WORKS_COUNCIL, organisation=firma, unit=montage)
    refresh(now=datetime(2025, 2, 13, 9, tzinfo=UTC))  # January is counted after the two left
    login(reader)

    page = client.get(JANUARY + "&kennzahl=enrolled").text

    row = row_of(report_tables(page)["tabelle-verlauf"], "Montage")
    assert row[1:] == ["7", "6 (86 %)"]  # January's seven people – the two gone since among them – six enrolled
    assert not re.search(r"\((1\d\d|[2-9]\d\d) %\)", page)


# --- 7. the access log stacks on a phone -----------------------------------------------------------------------------

def test_the_access_log_stacks_on_a_phone_each_cell_saying_what_it_is(client, login, scenario):
    login(scenario.works_council)
    client.get(REPORT + "&kennzahl=enrolled")

    log = client.get("/berichte/protokoll").text

    assert '<table class="stacks-on-phone access-log">' in log
    entry = next(row for row in re.findall(r"<tr>(.*?)</tr>", log, re.S) if "Bericht angesehen" in row)
    assert '<th scope="row">' in entry
    assert '<span class="cell-label" aria-hidden="true">Filter: </span>Jan. 2025 – März 2025' in entry
    assert '<span class="cell-label" aria-hidden="true">Wer: </span>' in entry


def test_the_course_filter_marks_each_title_with_its_courses_language(client, login, scenario, make_user):
    scenario.antrieb.language = "en"
    reader = make_user(Role.WORKS_COUNCIL, organisation=scenario.firma, language="en")
    db.session.commit()
    login(reader)

    page = client.get(REPORT).text

    assert f'<option value="{scenario.hochvolt.id}" lang="de">' in page  # German on an English page
    assert f'<option value="{scenario.antrieb.id}">' in page  # the page's own language


# --- the filters' count on a phone: what was chosen besides what the page shows unasked ---------------------------

@pytest.mark.parametrize(("query", "chosen"), [
    ("", 0),
    ("?von=2025-01&bis=2025-03", 0),  # the last counted months, as shown unasked (no more than six are counted)
    ("?von=2025-02", 1),
    ("?kennzahl=active&art=", 0),
    ("?art=self-study&kennzahl=modules_completed", 2),
    ("?bereich={labor}&kurs={hochvolt}", 2),
])
def test_the_filter_summary_counts_only_filters_chosen_away_from_the_defaults(client, login, scenario, query, chosen):
    login(scenario.works_council)

    page = client.get("/berichte/beteiligung" + query.format(labor=unit_id(scenario, "Labor"),
                                                             hochvolt=scenario.hochvolt.id)).text

    summary = re.search(r'<summary id="filter-summary">(.*?)</summary>', page).group(1)
    assert summary == (f"Filter ({chosen} aktiv)" if chosen else "Filter")

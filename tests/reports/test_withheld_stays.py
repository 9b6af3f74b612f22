"""A figure withheld in a view stays withheld after later counts: two saved views never tell more than one.

Protection is decided over every counted month together. Counting a new month changes the lines through the
months, and the complement of a withheld cell may then move into the new month – publishing the older cell
that yesterday's view withheld (reports/withheld.py).
"""

import pytest
from sqlalchemy import func, select

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.extensions import db
from qualify.reports import services, views
from qualify.reports.models import WithheldCell
from tests.reports.conftest import FEB, JAN, MAR, count_of, report_tables, row_of

ENROLLED = {"Montage": (20, 3, 8), "Logistik": (10, 10, 12), "Lager": (15, 12, 13)}  # January, February, March


@pytest.fixture(autouse=True)
def fresh_worker():
    """Forget the tables and pages kept in memory, as a worker started anew does (another test with the same ids
    and count times may have filled them)."""
    def forget():
        for kept in (services._FAMILIES, services._PROTECTED, services._REPORTS, views._CONTENT._parts):
            kept.clear()
    forget()
    return forget


@pytest.fixture
def firma(record, make_user):
    """Three units of 40. Montage's February (3 people) is withheld and needs complements; the works council
    signs in with the figures of January and February counted."""
    firma = create_organisation("firma", "Firma", list(ENROLLED))
    course = record.course("Hochvolt")
    for unit in firma.units:
        people, start = record.people(firma, unit, 40), 0
        for at, n in zip((JAN, FEB, MAR), ENROLLED[unit.name], strict=True):
            record.enrol(people[start:start + n], course, at)
            start += n
    firma.works_council = make_user(Role.WORKS_COUNCIL, organisation=firma)
    firma.course = course
    return firma


def trend(client, query: str = "") -> list[list[str]]:
    page = client.get(f"/berichte/beteiligung?von=2025-01&bis=2025-03&{query}")
    assert page.status_code == 200
    return report_tables(page.text)["tabelle-verlauf"]


def withheld_cells(table: list[list[str]]) -> set[tuple[str, str]]:
    header = table[0]
    return {(row[0], header[index]) for row in table[1:] for index in range(2, len(row))
            if count_of(row[index]) is None}


def test_a_figure_withheld_after_one_count_stays_withheld_after_the_next(client, login, refresh, firma):
    refresh(now=MAR)  # January and February
    login(firma.works_council)
    before = {query: trend(client, query) for query in ("", f"kurs={firma.course.id}")}
    assert count_of(row_of(before[""], "Montage")[2]) is None  # January's 20: the complement of February's 3

    refresh()  # March is counted: Montage's row has a new, smaller cell to be February's complement

    for query, table in before.items():
        after = trend(client, query)
        assert withheld_cells(table) <= withheld_cells(after)
    after = trend(client)
    assert row_of(after, "Montage")[2:] == ["geschützt", "geschützt", "geschützt"]
    assert count_of(row_of(after, "Lager")[2]) == 15  # what was published stays published here


def test_without_the_memory_the_new_month_would_publish_what_was_withheld(
    client, login, refresh, firma, monkeypatch
):
    # The gap this closes, shown by switching the memory off: January's 20 of Montage would appear.
    monkeypatch.setattr(services.withheld, "load", lambda _scope, _families: {})
    refresh(now=MAR)
    login(firma.works_council)
    assert count_of(row_of(trend(client), "Montage")[2]) is None
    refresh()
    assert count_of(row_of(trend(client), "Montage")[2]) == 20


def test_a_worker_started_after_the_count_withholds_the_same(client, login, refresh, firma, fresh_worker):
    refresh(now=MAR)
    login(firma.works_council)
    trend(client)
    refresh()
    shown = trend(client)
    stored = db.session.scalar(select(func.count()).select_from(WithheldCell))

    fresh_worker()
    assert trend(client) == shown
    assert db.session.scalar(select(func.count()).select_from(WithheldCell)) == stored  # nothing new to write


def test_two_workers_protecting_the_same_table_at_once_both_answer(
    client, login, refresh, firma, fresh_worker, monkeypatch
):
    refresh(now=MAR)
    login(firma.works_council)
    shown = trend(client)
    stored = db.session.scalar(select(func.count()).select_from(WithheldCell))
    assert stored

    # The second read what was withheld before the first wrote: it writes the same cells again, and is not refused.
    fresh_worker()
    monkeypatch.setattr(services.withheld, "load", lambda _scope, _families: {})
    assert trend(client) == shown
    assert db.session.scalar(select(func.count()).select_from(WithheldCell)) == stored


def test_only_cells_of_at_least_three_people_are_written_down(client, login, refresh, firma):
    refresh(now=MAR)
    login(firma.works_council)
    trend(client)
    montage = next(unit.id for unit in firma.units if unit.name == "Montage")
    cells = set(db.session.execute(select(WithheldCell.table_key, WithheldCell.month, WithheldCell.cell)))
    table = f"organisation {firma.id}/top"
    assert (table, JAN.date().replace(day=1), f"{montage}|active|-|-") in cells  # a complement, 20 people
    assert (table, FEB.date().replace(day=1), f"{montage}|active|-|-") in cells  # 3 people
    assert not any("|modules_completed|" in cell for _table, _month, cell in cells)  # 0: withheld by its count


def test_the_memory_costs_a_cold_worker_one_read_and_one_write(client, login, refresh, firma, fresh_worker,
                                                               count_statements):
    refresh(now=MAR)
    login(firma.works_council)
    trend(client)  # the session and the pages' statements are prepared
    warm = _statements(client, count_statements)
    assert not [s for s in warm if "report_withheld_cells" in s]

    fresh_worker()
    cold = [s for s in _statements(client, count_statements) if "report_withheld_cells" in s]
    assert [s.split()[0] for s in cold] == ["SELECT"]  # everything withheld is written down already

    refresh()
    fresh_worker()
    cold = [s for s in _statements(client, count_statements) if "report_withheld_cells" in s]
    assert [s.split()[0] for s in cold] == ["SELECT", "INSERT"]  # March's cells


def _statements(client, count_statements) -> list[str]:
    with count_statements() as counter:
        trend(client)
    return counter.statements

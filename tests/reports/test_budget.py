"""The dashboard reads the rollups in a fixed number of statements, however many units and people."""

from qualify.accounts.models import Unit
from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.extensions import db
from tests.reports.conftest import FEB, JAN

URL = "/berichte/beteiligung?von=2025-01&bis=2025-03"


def statements_for(client, count_statements, url) -> int:
    client.get(url)  # warm up caches that are not per request
    with count_statements() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def fill_unit(record, organisation, unit, courses) -> None:
    people = record.people(organisation, unit, 6)
    for course in courses:
        record.enrol(people, course, JAN)
        record.complete_module(people[:5], course, FEB)


def test_dashboard_costs_the_same_with_one_unit_and_with_thirty(
    client, login, make_user, record, refresh, count_statements
):
    firma = create_organisation("firma", "Firma", ["Bereich 0"])
    courses = [record.course(f"Kurs {n}") for n in range(3)]
    fill_unit(record, firma, firma.units[0], courses)
    refresh()
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))
    with_one = statements_for(client, count_statements, URL)
    csv_with_one = statements_for(client, count_statements, URL.replace("beteiligung", "beteiligung.csv"))

    for n in range(1, 30):
        unit = Unit(organisation=firma, name=f"Bereich {n}")
        db.session.add(unit)
        fill_unit(record, firma, unit, courses)
    refresh(rebuild=True)

    page = client.get(URL).text
    assert "Bereich 29" in page
    assert statements_for(client, count_statements, URL) == with_one
    assert (
        statements_for(client, count_statements, URL.replace("beteiligung", "beteiligung.csv"))
        == csv_with_one
    )


def test_coordinator_dashboard_costs_the_same_with_one_organisation_and_with_ten(
    client, login, make_user, record, refresh, count_statements
):
    course = record.course()
    first = create_organisation("org-0", "Org 0", ["A"])
    fill_unit(record, first, first.units[0], [course])
    refresh()
    login(make_user(Role.COORDINATOR))
    with_one = statements_for(client, count_statements, URL)

    for n in range(1, 10):
        organisation = create_organisation(f"org-{n}", f"Org {n}", ["A", "B"])
        for unit in organisation.units:
            fill_unit(record, organisation, unit, [course])
    refresh(rebuild=True)

    assert statements_for(client, count_statements, URL) == with_one


def test_the_course_filter_shows_a_renamed_course_at_once(client, login, make_user, record, refresh):
    firma = create_organisation("firma", "Firma", ["Bereich 0"])
    course = record.course("Hochvolt Grundlagen")
    fill_unit(record, firma, firma.units[0], [course])
    refresh()
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))
    assert "Hochvolt Grundlagen" in client.get(URL).text  # read and kept

    course.title = "Hochvolt für Einsteiger"
    db.session.commit()
    page = client.get(URL).text
    assert "Hochvolt für Einsteiger" in page and "Hochvolt Grundlagen" not in page


def test_the_feedback_overview_costs_the_same_with_one_course_and_with_five(
    client, login, make_user, record, count_statements
):
    record.course("Kurs 0")
    login(make_user(Role.ADMIN))
    with_one = statements_for(client, count_statements, "/berichte/rueckmeldungen")
    for n in range(1, 5):
        record.course(f"Kurs {n}")
    db.session.commit()
    page = client.get("/berichte/rueckmeldungen").text
    assert "Kurs 4 – Modul 2" in page
    assert statements_for(client, count_statements, "/berichte/rueckmeldungen") == with_one

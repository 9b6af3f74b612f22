"""Differencing attacks: comparing two views, or a total with its parts, must never single out a person."""

from datetime import UTC, date, datetime

import pytest

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from tests.reports.conftest import FEB, JAN, MAR, count_of, report_tables, row_of

TOTAL = "Summe der ausgewiesenen Gruppen"


def trend(client, query: str) -> list[list[str]]:
    page = client.get(f"/berichte/beteiligung?{query}")
    assert page.status_code == 200
    return report_tables(page.text)["tabelle-verlauf"]


def test_all_courses_minus_one_course_never_isolates_the_person_in_another_course(
    client, login, make_user, record, refresh
):
    firma = create_organisation("firma", "Firma", ["Montage", "Logistik"])
    hochvolt, antrieb = record.course("Hochvolt"), record.course("Antrieb")
    for unit in firma.units:
        people = record.people(firma, unit, 12)
        record.enrol(people[:8], hochvolt, JAN)
        record.enrol(people[8:9], antrieb, JAN)  # one person, in the other course only
    refresh(now=FEB)  # January is the only month counted
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    every = trend(client, "von=2025-01&bis=2025-01&kennzahl=enrolled")
    one = trend(client, f"von=2025-01&bis=2025-01&kennzahl=enrolled&kurs={hochvolt.id}")

    for unit in ("Montage", "Logistik"):
        a, b = count_of(row_of(every, unit)[2]), count_of(row_of(one, unit)[2])
        assert a is None or b is None or a - b == 0 or a - b >= 5
    assert any(count_of(row_of(every, unit)[2]) == 9 for unit in ("Montage", "Logistik"))
    assert count_of(row_of(one, "Montage")[2]) is None  # 8 of 9: shown, it would single out the ninth


def test_all_kinds_minus_one_kind_never_isolates_a_person(client, login, make_user, record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage", "Logistik"])
    course = record.course(kinds=("self-study", "workshop"))
    for unit in firma.units:
        people = record.people(firma, unit, 12)
        record.complete_module(people[:9], course, FEB, position=1)
        record.complete_module(people[9:10], course, FEB, position=2)  # one person, the workshop only
    refresh(now=MAR)  # February is the only month counted
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    every = trend(client, "von=2025-02&bis=2025-02&kennzahl=modules_completed")
    self_study = trend(client, "von=2025-02&bis=2025-02&kennzahl=modules_completed&art=self-study")

    for unit in ("Montage", "Logistik"):
        a, b = count_of(row_of(every, unit)[2]), count_of(row_of(self_study, unit)[2])
        assert a is None or b is None or a - b == 0 or a - b >= 5
    assert any(count_of(row_of(every, unit)[2]) == 10 for unit in ("Montage", "Logistik"))
    assert all(count_of(row_of(self_study, unit)[2]) is None for unit in ("Montage", "Logistik"))


def test_total_minus_the_visible_cells_reveals_nothing(client, login, scenario):
    login(scenario.works_council)

    for metric in ("enrolled", "active", "modules_completed", "courses_completed"):
        table = trend(client, f"von=2025-01&bis=2025-03&kennzahl={metric}")
        body = [row for row in table[1:] if row[0] != TOTAL]
        for column in range(2, len(table[0])):
            total = count_of(row_of(table, TOTAL)[column])
            visible = sum(count_of(row[column]) or 0 for row in body)
            assert total is None or total == visible


def test_withheld_cells_of_a_month_together_count_at_least_k_against_the_organisation_total(
    client, login, scenario, make_user, new_client
):
    coordinator = new_client()
    login(make_user(Role.COORDINATOR), via=coordinator)
    login(scenario.works_council)

    for metric in ("enrolled", "modules_completed"):
        units = trend(client, f"von=2025-01&bis=2025-03&kennzahl={metric}")
        network = trend(coordinator, f"von=2025-01&bis=2025-03&kennzahl={metric}")
        for column in range(2, len(units[0])):
            firma = count_of(row_of(network, "Firma")[column])
            if firma is None:
                continue
            shown = sum(count_of(row[column]) or 0 for row in units[1:] if row[0] != TOTAL)
            assert firma - shown == 0 or firma - shown >= 5  # "organisation minus units" is never a few


def test_shifting_the_period_by_one_month_shows_the_same_cells(client, login, scenario):
    login(scenario.works_council)

    for metric in ("enrolled", "modules_completed", "courses_completed"):
        early = trend(client, f"von=2025-01&bis=2025-02&kennzahl={metric}")
        late = trend(client, f"von=2025-02&bis=2025-03&kennzahl={metric}")
        for row in early[1:]:
            if row[0] != TOTAL:
                assert row[3] == row_of(late, row[0])[2]  # February, whichever period it is seen in


def test_one_unit_more_or_less_shows_the_same_cells(client, login, scenario):
    login(scenario.works_council)
    every = trend(client, "von=2025-01&bis=2025-03&kennzahl=enrolled")

    for unit_id, name in [(u.id, u.name) for u in scenario.firma.units]:
        alone = trend(client, f"von=2025-01&bis=2025-03&kennzahl=enrolled&bereich={unit_id}")
        assert alone[1:] == [row_of(every, name)]  # one row, as in the full table, and no total to subtract


def test_ad_hoc_groups_and_part_months_cannot_be_asked_for(client, login, scenario):
    login(scenario.works_council)

    assert client.get("/berichte/beteiligung?bereich=999999").status_code == 404
    header = trend(client, "von=2025-02-10&bis=2025-02-20&kennzahl=enrolled")[0]
    assert header[2:] == [
        "Jan. 2025",
        "Feb. 2025",
        "März 2025",
    ]  # part months ignored: the whole default period


def test_late_records_do_not_change_months_already_frozen(client, login, scenario, record, refresh):
    login(scenario.works_council)
    before = trend(client, "von=2025-01&bis=2025-01&kennzahl=active")
    montage = next(u for u in scenario.firma.units if u.name == "Montage")
    record.complete_module(record.people(scenario.firma, montage, 1), scenario.hochvolt, JAN)

    refresh(now=MAR.replace(month=5))  # in May, January is long frozen

    assert trend(client, "von=2025-01&bis=2025-01&kennzahl=active") == before


def test_one_course_and_one_kind_together_never_isolate_a_person_against_everything(
    client, login, make_user, record, refresh
):
    # 20 took part; 18 of them in self-study modules of Hochvolt, 2 in a workshop of another course. Hochvolt
    # alone and self-study alone are 18 of 20 and withheld; together they are 18 as well: shown, 20 minus them
    # would single out those two.
    firma = create_organisation("firma", "Firma", ["Montage"])
    hochvolt = record.course("Hochvolt", kinds=("self-study",))
    other = record.course("Antrieb", kinds=("workshop",))
    people = record.people(firma, firma.units[0], 25)
    record.complete_module(people[:18], hochvolt, FEB)
    record.complete_module(people[18:20], other, FEB)
    refresh(now=MAR)
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    def active(query: str = "") -> int | None:
        return count_of(row_of(trend(client, f"von=2025-02&bis=2025-02&kennzahl=active{query}"), "Montage")[2])

    assert active() == 20
    assert active(f"&kurs={hochvolt.id}") is None and active("&art=self-study") is None
    assert active(f"&kurs={hochvolt.id}&art=self-study") is None


def test_a_withheld_figure_cannot_be_read_off_another_figure_that_counts_the_same_people(
    client, login, make_user, record, refresh
):
    # With the kind "self-study", the active are exactly those who completed a self-study module: where one is
    # withheld (all kinds' 8 active minus self-study's 5 would single out 3 people), the other must be too.
    firma = create_organisation("firma", "Firma", ["Montage", "Logistik"])
    course, other = record.course(kinds=("self-study", "workshop")), record.course("Antrieb")
    for unit in firma.units:
        people = record.people(firma, unit, 12)
        record.complete_module(people[:5], course, FEB, position=1)
        record.enrol(people[5:8], other, FEB)  # active in February, but in no self-study
    refresh(now=MAR)
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    active = trend(client, "von=2025-02&bis=2025-02&kennzahl=active&art=self-study")
    completed = trend(client, "von=2025-02&bis=2025-02&kennzahl=modules_completed&art=self-study")

    for unit in ("Montage", "Logistik"):
        assert count_of(row_of(active, unit)[2]) is None  # 3 people from "all kinds", shown
        assert count_of(row_of(completed, unit)[2]) is None


def assert_the_rest_reveals_no_handful(whole_table, part_tables):
    """In each unit 17 took part, the third part (3 people) is withheld; the whole minus the published parts is
    at most 0 or, with two or more parts withheld, at least K (5)."""
    for unit in ("Montage", "Logistik"):
        whole = count_of(row_of(whole_table, unit)[2])
        parts = [count_of(row_of(table, unit)[2]) for table in part_tables]
        assert whole == 17 and parts[2] is None
        rest = whole - sum(part for part in parts if part is not None)
        assert rest <= 0 or (rest >= 5 and parts.count(None) >= 2), (unit, parts)


def test_all_courses_minus_the_published_courses_never_isolates_the_people_of_a_withheld_one(
    client, login, make_user, record, refresh
):
    # Each unit: 8 people in Digitale Fabrik, 6 in Antrieb, 3 in Hochvolt, nobody in two. Hochvolt's 3 are
    # withheld; with Digitale Fabrik and Antrieb published, 17 − 8 − 6 would give them away.
    firma = create_organisation("firma", "Firma", ["Montage", "Logistik"])
    courses = [record.course("Digitale Fabrik"), record.course("Antrieb"), record.course("Hochvolt")]
    for unit in firma.units:
        people = iter(record.people(firma, unit, 20))
        for course, n in zip(courses, (8, 6, 3), strict=True):
            record.enrol([next(people) for _ in range(n)], course, JAN)
    refresh(now=FEB)
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    every = trend(client, "von=2025-01&bis=2025-01&kennzahl=enrolled")
    by_course = [trend(client, f"von=2025-01&bis=2025-01&kennzahl=enrolled&kurs={course.id}")
                 for course in courses]

    assert_the_rest_reveals_no_handful(every, by_course)


def test_all_kinds_minus_the_published_kinds_never_isolates_the_people_of_a_withheld_one(
    client, login, make_user, record, refresh
):
    firma = create_organisation("firma", "Firma", ["Montage", "Logistik"])
    kinds = ("self-study", "workshop", "exchange")
    course = record.course(kinds=kinds)
    for unit in firma.units:
        people = iter(record.people(firma, unit, 20))
        for position, n in enumerate((8, 6, 3), start=1):
            record.complete_module([next(people) for _ in range(n)], course, FEB, position=position)
    refresh(now=MAR)
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    every = trend(client, "von=2025-02&bis=2025-02&kennzahl=modules_completed")
    by_kind = [trend(client, f"von=2025-02&bis=2025-02&kennzahl=modules_completed&art={kind}") for kind in kinds]

    assert_the_rest_reveals_no_handful(every, by_kind)


@pytest.mark.parametrize("took_part", [True, False])
def test_the_size_of_a_unit_in_the_month_someone_left_does_not_tell_whether_they_took_part(
    client, login, make_user, record, refresh, took_part
):
    # The works council knows who left in February: a February size of 8 beside 7 would say the one who left
    # still did something that month.
    firma = create_organisation("firma", "Firma", ["Montage"])
    course = record.course("Hochvolt")
    montage = record.people(firma, firma.units[0], 8)
    record.enrol(montage[:6], course, JAN)
    refresh(now=datetime(2025, 2, 13, 9, tzinfo=UTC))  # January is counted with all eight
    leaving = montage[7]
    if took_part:
        record.complete_module([leaving], course, FEB)
    leaving.active, leaving.left_month = False, date(2025, 2, 1)
    refresh()  # February and March, after the person left
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))

    sizes = [row_of(trend(client, f"von={month}&bis={month}&kennzahl=active"), "Montage")[1]
             for month in ("2025-01", "2025-02", "2025-03")]

    assert sizes == ["8", "8", "7"]  # one of February's people whatever they did; gone in March

"""Counting the rollups: distinct people per cell, complete months only, idempotent, old months frozen."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from qualify.accounts.services import create_organisation
from qualify.core.audit import AuditEvent
from qualify.extensions import db
from qualify.reports.commands import reports_cli
from qualify.reports.models import ParticipationRollup, RollupMonth, UnitHeadcount
from qualify.workshops.models import Booking, WorkshopSession
from tests.reports.conftest import APR, FEB, JAN, MAR


def cell(metric, month, *, unit=None, course=None, kind=None, organisation=None) -> int:
    stmt = select(ParticipationRollup.people).where(
        ParticipationRollup.metric == metric,
        ParticipationRollup.month == month,
        ParticipationRollup.unit_id == unit.id if unit else ParticipationRollup.unit_id.is_(None),
        ParticipationRollup.course_id == course.id if course else ParticipationRollup.course_id.is_(None),
        ParticipationRollup.module_kind == kind if kind else ParticipationRollup.module_kind.is_(None),
    )
    if organisation:
        stmt = stmt.where(ParticipationRollup.organisation_id == organisation.id)
    return db.session.scalar(stmt) or 0


def snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(
            ParticipationRollup.organisation_id,
            ParticipationRollup.unit_id,
            ParticipationRollup.course_id,
            ParticipationRollup.module_kind,
            ParticipationRollup.month,
            ParticipationRollup.metric,
            ParticipationRollup.people,
        )
    )
    heads = db.session.execute(select(UnitHeadcount.unit_id, UnitHeadcount.month, UnitHeadcount.people))
    return sorted(rows, key=repr) + sorted(heads, key=repr)


def test_each_person_counts_once_per_cell_and_all_courses_are_counted_not_summed(record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    hochvolt, antrieb = record.course("Hochvolt"), record.course("Antrieb")
    record.enrol(people, hochvolt, JAN)
    record.enrol(people, antrieb, JAN)
    record.complete_module(people[:5], hochvolt, FEB, position=1)
    record.complete_module(people[:5], hochvolt, FEB, position=2)

    refresh()

    jan, feb = date(2025, 1, 1), date(2025, 2, 1)
    assert cell("enrolled", jan, unit=montage, course=hochvolt) == 6
    assert cell("enrolled", jan, unit=montage) == 6  # six people in two courses: still six people
    assert cell("modules_completed", feb, unit=montage, course=hochvolt) == 5
    assert cell("modules_completed", feb, unit=montage, course=hochvolt, kind="workshop") == 5
    assert cell("active", feb, unit=montage) == 5
    assert (
        db.session.scalar(
            select(UnitHeadcount.people).where(
                UnitHeadcount.unit_id == montage.id, UnitHeadcount.month == feb
            )
        )
        == 6
    )


def test_refreshing_twice_gives_the_same_rows(record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    people = record.people(firma, firma.units[0], 7)
    course = record.course()
    record.enrol(people, course, JAN, completed_at=MAR)
    record.complete_module(people, course, FEB)

    refresh()
    first = snapshot()
    refresh()
    refresh(rebuild=True)

    assert snapshot() == first
    assert db.session.scalar(select(RollupMonth.month).order_by(RollupMonth.month.desc())) == date(2025, 3, 1)


def test_the_running_month_is_not_counted(record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    people = record.people(firma, firma.units[0], 7)
    record.enrol(people, record.course(), APR)

    refresh()

    assert cell("enrolled", date(2025, 4, 1), unit=firma.units[0]) == 0
    assert date(2025, 4, 1) not in set(db.session.scalars(select(RollupMonth.month)))


def test_a_month_is_counted_once_a_week_after_it_ended_and_then_stays_frozen(record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 12)
    course = record.course()
    record.enrol(people[:6], course, MAR)

    refresh(now=datetime(2025, 4, 3, 9, tzinfo=UTC))  # a week after March has not passed yet
    assert cell("enrolled", date(2025, 3, 1), unit=montage) == 0
    record.enrol(people[6:8], course, MAR)  # marked late, within the week
    assert refresh(now=datetime(2025, 4, 8, 9, tzinfo=UTC)) == 1
    assert cell("enrolled", date(2025, 3, 1), unit=montage) == 8

    record.enrol(people[8:9], course, MAR)  # after March was counted: it stays as published
    assert refresh() == 0
    assert cell("enrolled", date(2025, 3, 1), unit=montage) == 8
    refresh(rebuild=True)
    assert cell("enrolled", date(2025, 3, 1), unit=montage) == 9


def leave(person, month: date) -> None:
    person.active, person.left_month = False, month


def test_someone_leaving_after_taking_part_still_counts_in_that_month_and_people_outside_are_not_counted(
        record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    gone_before = record.people(firma, montage, 2)  # left before January
    outsider = record.people(None, None, 1)
    course = record.course()
    record.enrol(people + outsider, course, JAN)
    record.enrol(gone_before[:1], course, JAN)  # enrolled by someone after they left: not theirs
    leave(people[0], date(2025, 2, 1))  # left in February, after taking part
    for person in gone_before:
        leave(person, date(2024, 12, 1))

    refresh(now=datetime(2025, 2, 13, 9, tzinfo=UTC))  # January counted

    assert cell("enrolled", date(2025, 1, 1), unit=montage) == 6
    heads = db.session.scalars(select(UnitHeadcount.people).where(UnitHeadcount.month == date(2025, 1, 1)))
    assert sum(heads) == 6  # January's members, the one who left since among them: the people it counts


@pytest.mark.parametrize("took_part", [True, False])
def test_the_size_of_a_group_counts_who_left_in_the_month_whether_they_took_part_or_not(record, refresh, took_part):
    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    course = record.course()
    record.enrol(people[1:], course, FEB)
    if took_part:
        record.enrol(people[:1], course, FEB)
    leave(people[0], date(2025, 2, 1))

    refresh()  # January to March

    sizes = dict(db.session.execute(select(UnitHeadcount.month, UnitHeadcount.people)).all())
    assert sizes == {date(2025, 2, 1): 6, date(2025, 3, 1): 5}  # February: the first month with figures
    assert cell("enrolled", date(2025, 2, 1), unit=montage) == (6 if took_part else 5)


def test_someone_who_left_in_an_unknown_month_counts_in_no_month_counted_since(record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    record.enrol(people, record.course(), JAN)
    leave(people[0], None)  # deactivated before the month was recorded, its log entry gone

    refresh(now=datetime(2025, 2, 13, 9, tzinfo=UTC))

    assert cell("enrolled", date(2025, 1, 1), unit=montage) == 5
    assert db.session.scalar(select(UnitHeadcount.people).where(UnitHeadcount.month == date(2025, 1, 1))) == 5


def test_erasing_someone_who_left_in_an_unknown_month_changes_no_figure(record, refresh):
    from qualify.core.time import utcnow
    from qualify.privacy.services import erase_account

    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    record.enrol(people, record.course(), JAN)
    leave(people[0], None)
    erase_account(people[0], keep_posts=False, now=utcnow())  # long after January: the stand-in is not "gone now"

    refresh(now=datetime(2025, 2, 13, 9, tzinfo=UTC))

    assert cell("enrolled", date(2025, 1, 1), unit=montage) == 5
    assert db.session.scalar(select(UnitHeadcount.people).where(UnitHeadcount.month == date(2025, 1, 1))) == 5


def test_an_erased_account_still_counts_in_the_months_it_took_part_in(record, refresh, app):
    from qualify.core.time import utcnow
    from qualify.privacy.services import erase_account

    firma = create_organisation("firma", "Firma", ["Montage"])
    montage = firma.units[0]
    people = record.people(firma, montage, 6)
    record.enrol(people, record.course(), JAN)
    erase_account(people[0], keep_posts=False, now=utcnow())

    refresh(now=datetime(2025, 2, 13, 9, tzinfo=UTC))

    assert cell("enrolled", date(2025, 1, 1), unit=montage) == 6  # as the erasure page promises: without a name
    # …and in the size of the unit, as one of its people that month (the stand-in is gone since the erasure)
    assert db.session.scalar(select(UnitHeadcount.people).where(UnitHeadcount.month == date(2025, 1, 1))) == 6


def test_deactivating_records_the_month_someone_left_reactivating_clears_it_and_an_erasure_keeps_it(make_user):
    from qualify.accounts.models import ERASED_DOMAIN, User
    from qualify.accounts.services import deactivate, reactivate
    from qualify.core.time import to_local, utcnow
    from qualify.privacy.services import erase_account

    firma = create_organisation("firma", "Firma", ["Montage"])
    person, earlier = make_user(organisation=firma), make_user(organisation=firma)
    this_month = to_local(utcnow()).date().replace(day=1)

    deactivate(person)
    assert person.left_month == this_month
    reactivate(person)
    assert person.left_month is None
    deactivate(earlier)
    earlier.left_month = date(2025, 1, 1)  # deactivated in January
    erase_account(earlier, keep_posts=False, now=utcnow())
    erase_account(person, keep_posts=False, now=utcnow())

    stand_ins = db.session.scalars(select(User.left_month).where(User.email.endswith(ERASED_DOMAIN)))
    assert sorted(stand_ins) == [date(2025, 1, 1), this_month]  # gone since they left, or since the erasure


def test_workshop_bookings_and_attendance_are_counted_by_the_month_of_the_session(record, refresh):
    firma = create_organisation("firma", "Firma", ["Montage"])
    people = record.people(firma, firma.units[0], 6)
    course = record.course(kinds=("workshop",))
    session = WorkshopSession(
        module_id=course.modules[0].id,
        starts_at=FEB,
        ends_at=FEB,
        capacity=10,
        booking_deadline_at=FEB,
        cancellation_deadline_at=FEB,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(
        Booking(
            session_id=session.id,
            user_id=p.id,
            status="confirmed",
            queue_number=i,
            booked_at=JAN,
            attendance="present" if i < 4 else "absent",
        )
        for i, p in enumerate(people)
    )

    refresh()

    feb = date(2025, 2, 1)
    assert cell("workshop_booked", feb, unit=firma.units[0], course=course, kind="workshop") == 6
    assert cell("workshop_attended", feb, unit=firma.units[0]) == 4
    assert cell("active", feb, unit=firma.units[0], kind="workshop") == 6


def test_cli_counts_the_rollups(runner, record):
    firma = create_organisation("firma", "Firma", ["Montage"])
    record.enrol(record.people(firma, firma.units[0], 5), record.course(), datetime(2024, 11, 5, tzinfo=UTC))
    db.session.commit()

    result = runner.invoke(reports_cli, ["refresh"])

    assert result.exit_code == 0, result.output
    assert "month(s) counted" in result.output
    assert cell("enrolled", date(2024, 11, 1), unit=firma.units[0]) == 5
    refused = runner.invoke(reports_cli, ["refresh", "--rebuild"], input="n\n")
    assert refused.exit_code == 1 and "changed units" in refused.output  # asked first, and nothing counted
    result = runner.invoke(reports_cli, ["refresh", "--rebuild"], input="y\n")
    assert result.exit_code == 0, result.output
    # In the works council's access log like the admin's button: a rebuild rewrites published months.
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reports.refresh")
                                .order_by(AuditEvent.id)).all()
    assert [(event.details["via"], event.details["rebuild"]) for event in logged] == [("cli", False), ("cli", True)]

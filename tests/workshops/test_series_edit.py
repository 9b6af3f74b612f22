"""Changing a series in one go: a trainer edits one date and takes the change over to the dates after it, each
keeping its own date; the dates before it, cancelled ones and the past stay as they were."""

from datetime import date, time, timedelta

from babel.dates import format_skeleton

from qualify.core.time import to_local, utcnow
from qualify.extensions import db
from qualify.workshops import schedule, services
from qualify.workshops.models import WorkshopSession
from qualify.workshops.schedule import SessionPlan
from tests.workshops.conftest import in_days, outbox
from tests.workshops.test_planning_fixes import edit_form
from tests.workshops.test_session_form import error_of, spring_change_in_weeks


def plan_series(module, trainer, first: date, weeks: int, *, start: time = time(9), end: time = time(12)):
    plan = SessionPlan(start_time=start, end_time=end, capacity=8, place="Halle 4", trainers=[trainer])
    dates = [first + timedelta(weeks=week) for week in range(weeks)]
    sessions = schedule.create_sessions(module, plan, dates, by=trainer, now=utcnow())
    db.session.commit()
    return sessions


def as_planned(session: WorkshopSession) -> tuple:
    """Date, begin, end and place of the session as stored now."""
    db.session.expire_all()
    stored = db.session.get(WorkshopSession, session.id)
    start, end = to_local(stored.starts_at), to_local(stored.ends_at)
    return start.date(), start.strftime("%H:%M"), end.strftime("%H:%M"), stored.place


def test_a_new_time_and_place_go_to_the_later_dates_each_keeping_its_day(
        client, login, trainer, workshop_module, make_user):
    first, second, third, fourth = plan_series(workshop_module, trainer, in_days(10), 4)
    reader, other = make_user(), make_user()
    services.book(third, reader, now=utcnow())
    services.book(fourth, other, now=utcnow())
    db.session.commit()
    login(trainer)

    response = client.post(f"/termine/{second.id}/bearbeiten", follow_redirects=True, data=edit_form(
        second, [trainer], start_time="10:00", end_time="13:00", place="Schulungsraum 2", also_later="y"))

    assert "3 Termine der Serie sind geändert." in response.text
    assert "2 E-Mails an die Angemeldeten sind unterwegs (eine je Person und Termin)." in response.text
    assert as_planned(first) == (in_days(10), "09:00", "12:00", "Halle 4")
    for week, session in enumerate([second, third, fourth], start=1):
        assert as_planned(session) == (in_days(10) + timedelta(weeks=week), "10:00", "13:00", "Schulungsraum 2")
    assert len(outbox(reader.email, "geändert")) == 1 and len(outbox(other.email, "geändert")) == 1


def test_without_the_box_only_the_edited_date_changes(client, login, trainer, workshop_module):
    first, second, third = plan_series(workshop_module, trainer, in_days(10), 3)
    login(trainer)

    client.post(f"/termine/{second.id}/bearbeiten", data=edit_form(second, [trainer], place="Schulungsraum 2"))

    assert [as_planned(session)[3] for session in (first, second, third)] == ["Halle 4", "Schulungsraum 2", "Halle 4"]


def test_the_box_counts_the_dates_after_it_and_is_missing_where_there_are_none(
        client, login, trainer, workshop_module, make_session):
    first, second, third = plan_series(workshop_module, trainer, in_days(10), 3)
    single = make_session()
    login(trainer)

    page = client.get(f"/termine/{first.id}/bearbeiten").text
    assert (f"auch für die 2 weiteren Termine der Serie übernehmen ({spelled(second)} – {spelled(third)}; jeder "
            f"behält sein Datum)") in page
    page = client.get(f"/termine/{second.id}/bearbeiten").text
    assert f"auch für 1 weiteren Termin der Serie übernehmen (am {spelled(third)}; er" in page
    assert "also_later" not in client.get(f"/termine/{third.id}/bearbeiten").text
    assert "also_later" not in client.get(f"/termine/{single.id}/bearbeiten").text


def spelled(session: WorkshopSession) -> str:
    """A session's day as the box names it: weekday and year, the month a word ("Mi., 23. Dez. 2026")."""
    return format_skeleton("yMMMEd", to_local(session.starts_at).date(), locale="de")


def test_the_box_names_the_later_dates_with_weekday_and_year(client, login, trainer, workshop_module):
    # "23.12.26 – 30.12.26" left the trainer to work out the days, and which century.
    first, second = plan_series(workshop_module, trainer, in_days(10), 2)
    assert format_skeleton("yMMMEd", date(2026, 12, 23), locale="de") == "Mi., 23. Dez. 2026"
    login(trainer)

    page = client.get(f"/termine/{first.id}/bearbeiten").text

    assert f"(am {spelled(second)}; er behält sein Datum)" in page
    assert f"{to_local(second.starts_at):%d.%m.%y};" not in page


def test_a_cancelled_later_date_stays_cancelled_and_unchanged(client, login, trainer, workshop_module):
    first, second, third = plan_series(workshop_module, trainer, in_days(10), 3)
    schedule.cancel_session(second, by=trainer, now=utcnow())
    db.session.commit()
    login(trainer)

    response = client.post(f"/termine/{first.id}/bearbeiten", follow_redirects=True, data=edit_form(
        first, [trainer], place="Schulungsraum 2", also_later="y"))

    assert "2 Termine der Serie sind geändert." in response.text
    assert as_planned(second)[3] == "Halle 4" and db.session.get(WorkshopSession, second.id).is_cancelled
    assert as_planned(third)[3] == "Schulungsraum 2"


def test_a_time_a_later_date_cannot_have_refuses_the_whole_change_naming_that_date(
        client, login, trainer, workshop_module):
    spring_change = spring_change_in_weeks()
    first, second, third = plan_series(workshop_module, trainer, spring_change - timedelta(weeks=2), 3)
    login(trainer)

    page = client.post(f"/termine/{first.id}/bearbeiten", data=edit_form(
        first, [trainer], start_time="02:30", end_time="04:00", place="Schulungsraum 2", also_later="y")).text

    assert f"02:30 gibt es am {spring_change:%d.%m.%Y} wegen der Zeitumstellung nicht." in error_of(page, "start_time")
    assert 'value="Schulungsraum 2"' in page  # kept as typed
    assert [as_planned(session)[1:] for session in (first, second, third)] == [("09:00", "12:00", "Halle 4")] * 3

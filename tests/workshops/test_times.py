"""Times are entered and shown in Europe/Berlin and stored in UTC, right across the clock changes."""

import re
from datetime import UTC, date, datetime, time

import pytest

from qualify.core.time import LOCAL_TZ, to_local
from qualify.workshops.schedule import ScheduleError, SessionPlan, local_to_utc, series_dates
from tests.workshops.conftest import outbox


def test_ten_oclock_in_summer_is_eight_utc_and_in_winter_nine_utc():
    assert local_to_utc(date(2026, 7, 14), time(10)) == datetime(2026, 7, 14, 8, 0, tzinfo=UTC)
    assert local_to_utc(date(2026, 12, 1), time(10)) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_doubled_hour_in_october_counts_as_summer_time():
    # 2026-10-25: clocks go back from 03:00 CEST to 02:00 CET; 02:30 happens twice, we take the first.
    assert local_to_utc(date(2026, 10, 25), time(2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_to_utc(date(2026, 10, 25), time(3, 30)) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_the_skipped_hour_in_march_is_refused():
    with pytest.raises(ScheduleError):
        local_to_utc(date(2026, 3, 29), time(2, 30))


def test_a_weekly_series_keeps_its_local_time_across_the_change(make_session, workshop_module, trainer):
    from qualify.extensions import db
    from qualify.workshops import schedule

    dates = series_dates(date(2026, 10, 15), every_weeks=1, until=date(2026, 11, 5),
                         exceptions={date(2026, 10, 29)})
    assert dates == [date(2026, 10, 15), date(2026, 10, 22), date(2026, 11, 5)]
    plan = schedule.SessionPlan(start_time=time(10), end_time=time(12), capacity=5, place="Halle 4",
                                trainers=[trainer])
    sessions = schedule.create_sessions(workshop_module, plan, dates, by=trainer,
                                        now=datetime(2026, 1, 1, tzinfo=UTC))
    db.session.commit()
    assert [s.starts_at.hour for s in sessions] == [8, 8, 9]
    assert len({s.series_key for s in sessions}) == 1 and sessions[0].series_key
    assert len({s.uid for s in sessions}) == 3


def test_every_second_week_skips_a_week():
    assert series_dates(date(2026, 1, 5), every_weeks=2, until=date(2026, 2, 2)) == [
        date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2)]


def test_session_page_shows_berlin_time(client, login, make_user, make_session):
    session = make_session(day=date(2026 + 1, 1, 12), start=time(10), end=time(13))
    login(make_user())
    page = client.get(f"/termine/{session.id}").text
    assert "10:00" in page and "13:00" in page


def test_english_readers_get_day_month_year_and_the_24_hour_clock(client, login, make_user, make_session):
    # They work in Germany: "12 January", "14:00" – not "January 12", "2:00 PM".
    english = make_user(language="en")
    session = make_session(day=date(2027, 1, 12), start=time(14), end=time(17), booked=[english])
    login(english)
    page = client.get(f"/termine/{session.id}").text
    assert '<html lang="en">' in page
    assert "12 Jan" in page and "14:00" in page
    assert not re.search(r"[0-9] ?[AP]M\b", page)  # a CSRF token may hold the letters "PM"
    # Short dates spell the month: 11/01/2027 would be 1 November to an American colleague.
    assert "</dt><dd>11 Jan 2027, 14:00</dd>" in page and "/2027" not in page  # the cancellation deadline
    (mail,) = outbox(english.email)
    assert "Tuesday" in mail.body_text and "12 January 2027" in mail.body_text
    assert "14:00–17:00" in mail.body_text and "PM" not in mail.body_text


def test_a_night_shift_session_ends_the_next_morning(client, login, make_user, make_session):
    session = make_session(day=date(2027, 1, 12), start=time(22), end=time(6))
    assert (to_local(session.starts_at), to_local(session.ends_at)) == (
        datetime(2027, 1, 12, 22, tzinfo=LOCAL_TZ), datetime(2027, 1, 13, 6, tzinfo=LOCAL_TZ))
    login(make_user())
    assert "22:00–06:00 (bis zum Folgetag)" in client.get(f"/termine/{session.id}").text


def test_an_end_long_before_the_begin_is_taken_for_a_slip_not_a_night():
    plan = SessionPlan(start_time=time(10), end_time=time(9), capacity=5)
    with pytest.raises(ScheduleError, match="höchstens 12 Stunden"):
        plan.times_on(date(2027, 1, 12))

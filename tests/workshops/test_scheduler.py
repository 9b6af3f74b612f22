"""Reminders go out once per booking and kind, whoever runs the job; only one scheduler runs at a time."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from qualify.cli import JOBS, cli
from qualify.core.mail import OutboxMessage
from qualify.core.scheduler import Job, LockLost, SchedulerLocked, run_forever, run_once, scheduler_lock
from qualify.extensions import db
from qualify.workshops import jobs
from qualify.workshops.models import SentReminder
from tests.workshops.conftest import at, outbox


def reminder_rows() -> list[tuple[int, str]]:
    db.session.expire_all()
    return list(db.session.execute(select(SentReminder.booking_id, SentReminder.kind)).all())


def test_reminder_job_run_twice_sends_one_reminder(make_session, make_user):
    person = make_user()
    session = make_session(booked=[person])
    assert jobs.send_reminders(at(session, hours=-23)) == 1
    assert jobs.send_reminders(at(session, hours=-22)) == 0
    db.session.commit()
    assert [kind for _id, kind in reminder_rows()] == ["24h"]
    assert len(outbox(person.email, "Erinnerung")) == 1


def test_the_one_hour_reminder_follows_the_day_before_reminder(make_session, make_user):
    person = make_user()
    session = make_session(booked=[person])
    jobs.send_reminders(at(session, hours=-23))
    jobs.send_reminders(at(session, minutes=-50))
    jobs.send_reminders(at(session, minutes=-40))
    db.session.commit()
    assert sorted(kind for _id, kind in reminder_rows()) == ["1h", "24h"]
    assert len(outbox(person.email, "Erinnerung")) == 2


def test_no_reminders_for_waitlisted_people_or_cancelled_sessions(make_session, make_user):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booked=[seated, waiting])
    assert jobs.send_reminders(at(session, hours=-2)) == 1
    db.session.commit()
    assert outbox(waiting.email, "Erinnerung") == []


def test_reminder_hours_are_configurable(app, monkeypatch, make_session, make_user):
    monkeypatch.setitem(app.config, "WORKSHOP_REMINDER_HOURS", (48,))
    person = make_user()
    session = make_session(booked=[person])
    assert jobs.send_reminders(at(session, hours=-47)) == 1
    db.session.commit()
    assert [kind for _id, kind in reminder_rows()] == ["48h"]


def test_two_schedulers_at_once_send_each_reminder_once(app, make_session, make_user):
    people = [make_user() for _ in range(5)]
    session = make_session(booked=people)
    now = at(session, hours=-3)
    barrier = threading.Barrier(2)
    errors = []

    def scheduler():
        try:
            with app.app_context():
                barrier.wait()
                jobs.send_reminders(now)
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(reminder_rows()) == 5
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.subject.startswith("Erinnerung"))) == 5


def test_closing_job_closes_sessions_past_their_booking_deadline(make_session, make_user):
    seated, waiting = make_user(), make_user()
    session = make_session(capacity=1, booking_hours_before=24, booked=[seated, waiting])
    assert jobs.close_due_bookings(at(session, hours=-25)) == 0
    assert jobs.close_due_bookings(at(session, hours=-23)) == 1
    assert jobs.close_due_bookings(at(session, hours=-22)) == 0
    db.session.commit()
    assert len(outbox(waiting.email, "Anmeldung geschlossen")) == 1


def test_scheduler_once_runs_every_job(app, runner, make_session, make_user):
    person = make_user()
    make_session(booked=[person])
    result = runner.invoke(cli, ["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert {job.name for job in JOBS} <= {line.split(":")[0] for line in result.output.splitlines()}
    assert all(message.sent_at is not None for message in outbox(person.email))


def test_second_scheduler_refuses_to_start_while_the_first_holds_the_lock(app, runner):
    with scheduler_lock(app):
        result = runner.invoke(cli, ["scheduler", "--once"])
        assert result.exit_code != 0
        assert "Another scheduler is already running" in result.output
        with pytest.raises(SchedulerLocked):
            with scheduler_lock(app):
                pass
    with scheduler_lock(app):  # released: the next one may start
        pass


def test_a_failing_job_does_not_stop_the_others(app):
    calls = []

    def broken(now):
        raise RuntimeError("boom")

    def fine(now):
        calls.append(now)
        return "ok"

    results = run_once(app, (Job("broken", broken, IntervalTrigger(minutes=1)),
                             Job("fine", fine, IntervalTrigger(minutes=1))))
    assert results == {"broken": None, "fine": "ok"} and len(calls) == 1


def test_a_running_scheduler_confirms_its_lock_before_each_job_and_stops_once_it_is_released(app):
    runs, outcome = [], []
    three_runs = threading.Event()

    def count(now):
        runs.append(now)
        if len(runs) == 3:
            three_runs.set()

    def scheduler(lock):
        try:
            run_forever(app, (Job("count", count, IntervalTrigger(seconds=0.1)),), lock)
        except LockLost as error:
            outcome.append(error)

    with scheduler_lock(app) as lock:
        thread = threading.Thread(target=scheduler, args=(lock,))
        thread.start()
        assert three_runs.wait(10)
        assert lock.confirm()
    thread.join(timeout=10)
    assert not thread.is_alive() and len(outcome) == 1
    assert not lock.confirm()
    with scheduler_lock(app):  # nobody holds it: the next scheduler may start
        pass


def test_workshops_list_command_shows_seats_and_waitlist(runner, make_session, make_user):
    make_session(capacity=1, booked=[make_user(), make_user()])
    result = runner.invoke(cli, ["workshops", "list"])
    assert result.exit_code == 0, result.output
    assert "1/1 confirmed, 1 waiting" in result.output


def test_a_running_scheduler_process_makes_a_second_one_exit_with_a_message(app):
    """Two real `qualify scheduler` processes, as on two servers or a cron job beside the daemon."""
    qualify = str(Path(sys.executable).parent / "qualify")
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "QUALIFY_INSTANCE_PATH": str(app.config["INSTANCE_PATH"]), "SECRET_KEY": "test-secret-key"}
    first = subprocess.Popen([qualify, "scheduler"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:  # wait until the first process holds the lock
            try:
                with scheduler_lock(app):
                    pass
            except SchedulerLocked:
                break
            assert time.monotonic() < deadline and first.poll() is None, "the first scheduler did not start"
            time.sleep(0.2)
        second = subprocess.run([qualify, "scheduler", "--once"], env=env, capture_output=True, text=True,
                                timeout=60)
        assert second.returncode == 1
        assert "Another scheduler is already running" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=20)


def test_a_standby_scheduler_takes_over_when_the_running_one_stops(app):
    """Two servers each run `qualify scheduler --standby`: one works, the other waits and takes over."""
    qualify = str(Path(sys.executable).parent / "qualify")
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "QUALIFY_INSTANCE_PATH": str(app.config["INSTANCE_PATH"]), "SECRET_KEY": "test-secret-key"}

    def lock_is_held() -> bool:
        try:
            with scheduler_lock(app):
                return False
        except SchedulerLocked:
            return True

    def wait_until(condition, what: str) -> None:
        deadline = time.monotonic() + 30
        while not condition():
            assert time.monotonic() < deadline, what
            time.sleep(0.2)

    first = subprocess.Popen([qualify, "scheduler", "--standby", "--poll", "0.2"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second = None
    try:
        wait_until(lock_is_held, "the first scheduler did not take the lock")
        second = subprocess.Popen([qualify, "scheduler", "--standby", "--poll", "0.2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        assert second.poll() is None, "the standby scheduler exited instead of waiting"
        first.terminate()
        first.wait(timeout=20)
        wait_until(lock_is_held, "the standby scheduler did not take over")
        assert second.poll() is None
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def test_once_and_standby_do_not_go_together(runner):
    result = runner.invoke(cli, ["scheduler", "--once", "--standby"])
    assert result.exit_code != 0 and "do not go together" in result.output


def test_a_session_moved_to_another_day_is_reminded_of_again(make_session, make_user, trainer):
    from datetime import timedelta

    from qualify.workshops import schedule

    person = make_user()
    session = make_session(booked=[person])
    assert jobs.send_reminders(at(session, hours=-23)) == 1
    db.session.commit()
    plan = schedule.SessionPlan.of(session)
    day = (session.starts_at + timedelta(days=7)).astimezone(schedule.LOCAL_TZ).date()
    schedule.update_session(session, plan, day, by=trainer, now=at(session, hours=-20))
    db.session.commit()
    assert jobs.send_reminders(at(session, hours=-23)) == 1  # the day before the new date
    db.session.commit()
    assert len(outbox(person.email, "Erinnerung")) == 2


def test_no_reminder_to_someone_already_marked_excused(make_session, make_user, trainer):
    from qualify.workshops import services
    from qualify.workshops.attendance import mark_attendance

    excused, coming = make_user(), make_user()
    session = make_session(booked=[excused, coming])
    mark_attendance(services.booking_of(excused, session), "excused", by=trainer,
                             now=at(session, minutes=-55))
    db.session.commit()
    assert jobs.send_reminders(at(session, minutes=-50)) == 1
    db.session.commit()
    assert outbox(excused.email, "Erinnerung") == [] and len(outbox(coming.email, "Erinnerung")) == 1

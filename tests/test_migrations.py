"""Migrations: one head, an empty database upgraded to exactly the models, and a clean way back."""

import os
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import DateTime, column, create_engine, inspect, select, table, text
from sqlalchemy.engine import make_url

from qualify.core.database import compared_by_autogenerate, render_migration_item
from qualify.extensions import db

POSTGRES_URL = os.environ.get("QUALIFY_TEST_DATABASE_URL", "")



@contextmanager
def scratch_database_url(tmp_path):
    """Yield the URL of a new, empty database of the kind the suite runs on, and drop it afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"qualify_migrations_{uuid.uuid4().hex[:8]}"
    server = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def empty_app(tmp_path, app_on_database):
    with scratch_database_url(tmp_path) as url, app_on_database(url) as app:
        yield app


def schema_drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "render_item": render_migration_item,
            "include_object": compared_by_autogenerate})
        return compare_metadata(context, db.metadata)


def test_migrations_have_a_single_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_database_matches_the_models(empty_app):
    upgrade()
    assert schema_drift() == []


def test_downgrade_to_empty_and_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_drift() == []


def test_audit_events_written_before_get_their_organisation_from_their_details(empty_app):
    upgrade(revision="8e1f4b6c2d57")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_events (created_at, action, details) VALUES "
            """('2026-11-01 08:00:00', 'reports.view', '{"organisation_id": 7, "report": "participation"}'),"""
            """('2026-11-01 09:00:00', 'reports.refresh', '{"organisation_id": null}'),"""
            """('2026-11-01 10:00:00', 'user.deactivate', '{}')"""))

    upgrade()

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT action, organisation_id FROM audit_events ORDER BY created_at"))
        assert rows.all() == [("reports.view", 7), ("reports.refresh", None), ("user.deactivate", None)]


def test_earlier_entries_about_mandatory_courses_get_their_units_organisation(empty_app):
    upgrade(revision="56152d02508e")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO organisations (id, slug, name, small_group_threshold, created_at) "
                                "VALUES (3, 'zulieferer', 'Zulieferer', 5, '2026-10-01 08:00:00')"))
        connection.execute(text("INSERT INTO units (id, organisation_id, name, kind) "
                                "VALUES (5, 3, 'Montage', 'department')"))
        connection.execute(text(
            "INSERT INTO audit_events (created_at, action, details) VALUES "
            """('2026-11-01 08:00:00', 'enrolments.mandatory', '{"unit_id": 5, "members": 12}'),"""
            """('2026-11-01 09:00:00', 'enrolments.mandatory_newcomers', '{"unit_id": 5, "people": 1}'),"""
            """('2026-11-01 10:00:00', 'enrolments.mandatory_ended', '{"unit_id": 99}'),"""
            """('2026-11-01 11:00:00', 'reports.view', '{"unit_id": 5}')"""))

    upgrade()

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT action, organisation_id FROM audit_events ORDER BY created_at"))
        assert rows.all() == [("enrolments.mandatory", 3), ("enrolments.mandatory_newcomers", 3),
                              ("enrolments.mandatory_ended", None), ("reports.view", None)]


def test_throttle_records_written_before_count_as_failed_sign_ins_and_the_way_back_keeps_them(empty_app):
    upgrade(revision="3f9a1c7b5d20")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO login_failures (key_hash, failed_at) "
                                "VALUES ('ab12', '2026-12-01 08:00:00')"))

    upgrade(revision="7d2e4a9c1b63")

    with db.engine.begin() as connection:
        assert connection.execute(text("SELECT key_hash, kind FROM login_failures")).all() == [("ab12", "login")]
        connection.execute(text("INSERT INTO login_failures (key_hash, failed_at, kind) "
                                "VALUES ('cd34', '2026-12-01 09:00:00', 'reset')"))
    downgrade(revision="3f9a1c7b5d20")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT key_hash FROM login_failures ORDER BY id")).scalars().all() == [
            "ab12", "cd34"]
    assert "kind" not in {column["name"] for column in inspect(db.engine).get_columns("login_failures")}


def test_people_who_left_before_get_the_month_of_their_deactivation_or_erasure(empty_app):
    upgrade(revision="7d2e4a9c1b63")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, language, active, created_at) VALUES "
            "(1, 'a@example.org', 'A', 'de', true, '2026-01-01 08:00:00'),"
            "(2, 'b@example.org', 'B', 'de', false, '2026-01-01 08:00:00'),"
            "(3, 'x@geloescht.invalid', 'ehemaliges Mitglied', 'de', false, '2026-08-31 22:30:00'),"
            "(4, 'c@example.org', 'C', 'de', false, '2026-01-01 08:00:00')"))
        connection.execute(text(
            "INSERT INTO audit_events (created_at, action, target_type, target_id, details) VALUES "
            "('2026-03-02 08:00:00', 'user.deactivate', 'User', 2, '{}'),"
            "('2026-05-31 22:30:00', 'user.deactivate', 'User', 2, '{}'),"  # 1 June in Berlin, the latest
            "('2026-04-01 08:00:00', 'user.deactivate', 'User', 1, '{}')"))  # reactivated since

    upgrade()

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, left_month FROM users ORDER BY id")).all()
    # 4: deactivated with its log entry gone since – not known
    assert [(user_id, str(month) if month else None) for user_id, month in rows] == [
        (1, None), (2, "2026-06-01"), (3, "2026-09-01"), (4, None)]


def test_people_entered_as_come_without_a_seat_keep_it_on_their_booking_from_the_log(empty_app):
    upgrade(revision="e5b7c2d49a18")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, language, active, created_at) VALUES "
            "(1, 'wanda@example.org', 'Wanda', 'de', true, '2026-01-01 08:00:00'),"
            "(2, 'willi@example.org', 'Willi', 'de', true, '2026-01-01 08:00:00'),"
            "(3, 'anna@example.org', 'Anna', 'de', true, '2026-01-01 08:00:00'),"
            "(4, 'cem@example.org', 'Cem', 'de', true, '2026-01-01 08:00:00')"))
        connection.execute(text(
            "INSERT INTO courses (id, slug, title, summary, language, audience, tags, pass_percentage, status, "
            "source, overview_html, created_at, updated_at) VALUES (1, 'hv', 'HV', '', 'de', '[]', '[]', 70, "
            "'published', '', '', '2026-01-01 08:00:00', '2026-01-01 08:00:00')"))
        connection.execute(text("INSERT INTO modules (id, course_id, slug, position, archived) "
                                "VALUES (1, 1, 'praxis', 1, false)"))
        connection.execute(text(
            "INSERT INTO workshop_sessions (id, module_id, starts_at, ends_at, format, place, online_url, note, "
            "capacity, booking_deadline_at, cancellation_deadline_at, approval_required, status, uid, sequence, "
            "queue_counter, created_at, updated_at) VALUES (7, 1, '2026-11-02 09:00:00', '2026-11-02 12:00:00', "
            "'in-person', 'Halle 4', '', '', 1, '2026-11-02 09:00:00', '2026-11-01 09:00:00', false, 'scheduled', "
            "'s7@qualify', 0, 4, '2026-10-01 08:00:00', '2026-10-01 08:00:00')"))
        connection.execute(text(
            "INSERT INTO workshop_bookings (session_id, user_id, status, queue_number, booked_at, confirmed_at, "
            "cancelled_at, attendance) VALUES "
            # entered in the room without any booking: its date is the moment she was entered
            "(7, 1, 'confirmed', 4, '2026-11-02 09:10:00', '2026-11-02 09:10:00', NULL, 'present'),"
            # waited for a seat, and came without it
            "(7, 2, 'confirmed', 2, '2026-10-20 08:00:00', '2026-11-02 09:12:00', NULL, 'present'),"
            # had her seat; entered in the room at another date of the module
            "(7, 3, 'confirmed', 1, '2026-10-19 08:00:00', '2026-10-19 08:00:00', NULL, 'present'),"
            # entered, and gone since (the seat given up when the account was erased)
            "(7, 4, 'cancelled', 3, '2026-11-02 09:15:00', '2026-11-02 09:15:00', '2026-11-02 09:30:00', 'present')"))
        connection.execute(text(
            "INSERT INTO audit_events (created_at, action, target_type, target_id, details) VALUES "
            """('2026-11-02 09:10:01', 'workshops.walk_in', 'User', 1, '{"session_id": 7, "booked_before": "none"}'),"""
            """('2026-11-02 09:12:01', 'workshops.walk_in', 'User', 2, """
            """'{"session_id": 7, "booked_before": "waitlisted"}'),"""
            """('2026-10-05 09:00:00', 'workshops.walk_in', 'User', 3, '{"session_id": 5, "booked_before": "none"}'),"""
            """('2026-11-02 09:15:01', 'workshops.walk_in', 'User', 4, '{"session_id": 7, "booked_before": "none"}'),"""
            """('2026-11-02 09:20:00', 'workshops.walk_in_refused', 'WorkshopSession', 7, '{}')"""))

    upgrade(revision="9a48d3f8d380")

    bookings = table("workshop_bookings", column("user_id"), column("booked_at", DateTime),
                     column("walked_in_at", DateTime))
    with db.engine.connect() as connection:
        rows = connection.execute(select(bookings).order_by(bookings.c.user_id)).all()
    assert [(user_id, walked_in_at) for user_id, _booked_at, walked_in_at in rows] == [
        (1, datetime(2026, 11, 2, 9, 10)), (2, datetime(2026, 11, 2, 9, 12)), (3, None), (4, None)]
    assert rows[0].walked_in_at == rows[0].booked_at  # the lists read: no booking before

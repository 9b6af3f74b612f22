"""Migration 7f40c7b83418: minutes published before it keep being shown, as their approved version. Migration
77b1aed247f4: minutes waiting for approval before it wait since they were last saved."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from qualify.extensions import db
from tests.test_migrations import empty_app  # noqa: F401 – the fixture: a new, empty database

BEFORE = "9a48d3f8d380"


def add_minutes(connection, minutes_id: int, status: str, named: list[int]) -> None:
    connection.execute(text(
        "INSERT INTO exchange_minutes (id, session_id, space_id, topics, outcomes, open_questions, next_steps, "
        "body_html, named_user_ids, status, updated_at, published_at) VALUES "
        "(:id, :id, 1, 'Einführung des MES', :outcomes, '', 'Betriebsrat einbeziehen', :html, :named, :status, "
        "'2026-11-30 08:00:00', :published_at)"),
        {"id": minutes_id, "outcomes": f"Ergebnis {minutes_id}", "html": f"<p>Ergebnis {minutes_id}</p>",
         "named": json.dumps(named), "status": status,
         "published_at": "2026-11-30 09:00:00" if status == "published" else None})


def seed_sessions(connection) -> None:
    """A course with a module, two sessions of it and a space (raw rows: the models are newer than the schema)."""
    at = {"at": "2026-10-01 08:00:00"}
    connection.execute(text(
        "INSERT INTO courses (id, slug, title, summary, language, audience, tags, pass_percentage, status, source, "
        "overview_html, created_at, updated_at) VALUES (1, 'digital', 'Digital', '', 'de', '[]', '[]', 70, "
        "'published', '', '', :at, :at)"), at)
    connection.execute(text("INSERT INTO modules (id, course_id, slug, position, archived) "
                            "VALUES (1, 1, 'austausch', 1, false)"))
    connection.execute(text("INSERT INTO exchange_spaces (id, title, description_source, description_html, "
                            "moderation, anonymous, created_at) "
                            "VALUES (1, 'Austausch', '', '', 'pre', 'allowed', :at)"), at)
    for session_id in (1, 2):
        connection.execute(text(
            "INSERT INTO workshop_sessions (id, module_id, starts_at, ends_at, format, place, online_url, note, "
            "capacity, booking_deadline_at, cancellation_deadline_at, approval_required, status, uid, sequence, "
            "queue_counter, created_at, updated_at) VALUES (:id, 1, '2026-11-20 13:00:00', '2026-11-20 14:00:00', "
            "'in-person', '', '', '', 10, :at, :at, false, 'scheduled', :uid, 0, 0, :at, :at)"),
            {**at, "id": session_id, "uid": f"session-{session_id}@qualify.test"})


def test_published_minutes_get_their_text_as_approved_version_and_drafts_none(empty_app):  # noqa: F811
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        seed_sessions(connection)
        add_minutes(connection, 1, "published", [7, 9])
        add_minutes(connection, 2, "draft", [7])

    upgrade()

    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, published_texts, published_html, published_named_ids FROM exchange_minutes ORDER BY id"))
        (published, draft) = rows.all()
    texts = published.published_texts if isinstance(published.published_texts, dict) else json.loads(
        published.published_texts)  # SQLite hands JSON back as text
    named = published.published_named_ids
    assert texts == {"topics": "Einführung des MES", "outcomes": "Ergebnis 1", "open_questions": "",
                     "next_steps": "Betriebsrat einbeziehen"}
    assert published.published_html == "<p>Ergebnis 1</p>"
    assert (named if isinstance(named, list) else json.loads(named)) == [7, 9]
    assert (draft.published_texts, draft.published_html, draft.published_named_ids) == (None, None, None)


def test_down_again_a_waiting_change_is_a_draft_nobody_approved(empty_app):  # noqa: F811
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        seed_sessions(connection)
        add_minutes(connection, 1, "published", [])
    upgrade()
    with db.engine.begin() as connection:  # a change saved since: a draft beside its approved version
        connection.execute(text("UPDATE exchange_minutes SET status = 'draft', outcomes = 'Geändert'"))

    downgrade(revision=BEFORE)

    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT status, published_at FROM exchange_minutes")).all() == [
            ("draft", None)]
    assert "published_html" not in {column["name"] for column in inspect(db.engine).get_columns("exchange_minutes")}


# --- Migration 77b1aed247f4: since when minutes have waited for approval ------------------------------------------

APPROVED_VERSION = "7f40c7b83418"


def test_minutes_waiting_wait_since_they_were_last_saved_and_approved_ones_wait_for_nothing(empty_app):  # noqa: F811
    upgrade(revision=APPROVED_VERSION)
    with db.engine.begin() as connection:
        seed_sessions(connection)
        add_minutes(connection, 1, "published", [])
        add_minutes(connection, 2, "draft", [])
        connection.execute(text("UPDATE exchange_minutes SET updated_at = '2026-11-25 10:30:00' WHERE id = 2"))

    upgrade()

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, waiting_since FROM exchange_minutes ORDER BY id")).all()
    (published, draft) = rows
    assert published.waiting_since is None
    assert str(draft.waiting_since).startswith("2026-11-25 10:30:00")  # SQLite hands it back as text


def test_down_again_the_minutes_keep_everything_but_since_when_they_waited(empty_app):  # noqa: F811
    upgrade(revision=APPROVED_VERSION)
    with db.engine.begin() as connection:
        seed_sessions(connection)
        add_minutes(connection, 1, "draft", [])
    upgrade()

    downgrade(revision=APPROVED_VERSION)

    columns = {column["name"] for column in inspect(db.engine).get_columns("exchange_minutes")}
    assert "waiting_since" not in columns and {"updated_at", "published_html"} <= columns
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT id, status FROM exchange_minutes")).all() == [(1, "draft")]

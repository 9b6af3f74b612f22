"""Pooled PostgreSQL connections: checked only after sitting idle, and replaced when the server dropped them."""

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from qualify.core import database
from qualify.extensions import db

POSTGRES_URL = os.environ.get("QUALIFY_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(app_on_database):
    with app_on_database(POSTGRES_URL) as app:
        yield app


def backend_of_pooled_connection() -> int:
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.remove()  # back into the pool
    return pid


def drop_from_the_server(pid: int) -> None:
    # What a database restart does to every open connection.
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_an_idle_connection_dropped_by_the_server_is_replaced_before_use(pg_app, monkeypatch):
    dropped = backend_of_pooled_connection()
    drop_from_the_server(dropped)
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)  # as if it had waited in the pool
    assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != dropped


def test_a_busy_connection_is_not_pinged_and_one_failure_brings_a_fresh_one(pg_app):
    dropped = backend_of_pooled_connection()
    drop_from_the_server(dropped)
    with pytest.raises(OperationalError):  # used a moment ago: not asked, and found dead on use
        db.session.execute(text("SELECT 1"))
    db.session.rollback()
    assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != dropped
    assert database.readiness().database == "ok"

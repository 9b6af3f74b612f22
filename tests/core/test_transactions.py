"""Reading pages run without a transaction on PostgreSQL (two round trips fewer); everything else keeps one."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from qualify.accounts.roles import Role
from qualify.accounts.services import create_organisation
from qualify.core.audit import AuditEvent
from qualify.extensions import db

pytestmark = pytest.mark.postgres

MODULE = "/kurse/hochvolt-sicherheit/module/warum-hochvolt"


@pytest.fixture
def client(new_client):
    return new_client()


@contextmanager
def autocommit_per_statement():
    """Record, for every statement the app sends, whether its connection was in autocommit."""
    seen: list[bool] = []

    def note(connection, *_args):
        seen.append(connection.connection.dbapi_connection.autocommit)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_a_reading_page_runs_without_a_transaction(client, demo_courses, make_user, login):
    login(make_user())
    with autocommit_per_statement() as seen:
        assert client.get(MODULE).status_code == 200
    assert seen and all(seen)


def test_a_form_post_after_a_reading_page_runs_in_a_transaction(client, demo_courses, make_user, login):
    login(make_user())
    client.get(MODULE)  # its pooled connection goes back with the default isolation level
    token = client.csrf_token()
    with autocommit_per_statement() as seen:
        response = client.post("/lernen/kurse/hochvolt-sicherheit/einschreiben", data={"csrf_token": token})
    assert response.status_code == 302
    assert seen and not any(seen)


def test_unmarked_reading_pages_keep_their_transaction(client, demo_courses, make_user, login):
    login(make_user())
    with autocommit_per_statement() as seen:
        assert client.get("/meine-daten/").status_code == 200
    assert seen and not any(seen)


def test_the_works_council_page_still_logs_each_view(client, make_user, login):
    firma = create_organisation("firma", "Firma", ["Montage"])
    db.session.commit()
    login(make_user(Role.WORKS_COUNCIL, organisation=firma))
    with autocommit_per_statement() as seen:
        assert client.get("/berichte/beteiligung").status_code == 200
    assert seen and all(seen)
    db.session.expire_all()
    logged = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "reports.view")).all()
    assert logged == ["reports.view"]

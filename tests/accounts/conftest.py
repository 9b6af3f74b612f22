"""Fixtures for the security tests: isolated requests, people holding every role, separate app instances."""


import pytest

from qualify import create_app
from qualify.accounts.roles import Role
from qualify.extensions import db

SESSION_COOKIE = "qualify_session"


@pytest.fixture
def client(new_client):
    """Security tests see each request as the server sees it: its own context and database session."""
    return new_client()


@pytest.fixture
def admin(make_user, make_organisation):
    """An administrator who also holds every other role, so no route is closed to them by role (in an
    organisation, which the organisation's administration needs)."""
    return make_user(*Role, name="Alle Rollen", organisation=make_organisation())


@pytest.fixture
def session_cookie():
    """Read the session cookie a client holds, or None."""

    def read(client) -> str | None:
        cookie = client.get_cookie(SESSION_COOKIE)
        return cookie.value if cookie else None

    return read


@pytest.fixture
def make_app(tmp_path):
    """Create a separate app (its own config, never the shared one); on SQLite unless a URL is given."""
    created = []

    def make(database_url: str | None = None, *, create_tables: bool = True, **config):
        number = len(created) + 1
        app = create_app({
            "TESTING": True,
            "SECRET_KEY": "separate-app-secret",
            "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / f'separate-{number}.sqlite'}",
            "INSTANCE_PATH": str(tmp_path / f"instance-{number}"),
            "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",
            "SERVER_NAME": None,
            **config,
        })
        if create_tables:
            with app.app_context():
                db.create_all()
        created.append(app)
        return app

    yield make
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


"""Fixtures shared by every test: the app on SQLite or PostgreSQL, clients, people and sign-in."""

import contextvars
import os
import re
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from qualify import create_app
from qualify.accounts import services
from qualify.accounts.roles import Role
from qualify.courses import services as course_services
from qualify.courses.loader import load_tree
from qualify.courses.models import Course
from qualify.extensions import db

DEMO_COURSES = Path(__file__).resolve().parents[1] / "courses"
POSTGRES_URL = os.environ.get("QUALIFY_TEST_DATABASE_URL", "")
REQUIRE_POSTGRES = os.environ.get("QUALIFY_REQUIRE_POSTGRES") == "1"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "richtig-gutes-passwort"


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite with a reason, or fail them when PostgreSQL is required."""
    if POSTGRES_URL:
        return
    reason = "needs PostgreSQL: set QUALIFY_TEST_DATABASE_URL"
    for item in items:
        if "postgres" in item.keywords:
            if REQUIRE_POSTGRES:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True, run=False))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError("QUALIFY_REQUIRE_POSTGRES=1 but QUALIFY_TEST_DATABASE_URL is not set")


def pytest_report_header(config):
    return f"qualify database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}"


class QualifyClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form post, like a browser would."""

    def csrf_token(self) -> str:
        page = self.get("/")
        return CSRF_FIELD.search(page.text).group(1)

    def open(self, *args, **kwargs):
        # Requests reuse the test's app context and with it `g`: start each with an empty `g`, as in
        # production, or Flask-WTF's cached CSRF token and Flask-Login's cached user leak into the next
        # request (after a login, whose session.clear() drops the token, every post failed its CSRF check).
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


def database_url(tmp_path_factory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
        "INSTANCE_PATH": str(instance),
        "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",  # cheaper than production, same code path
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",  # where mail links point, as the test client's requests do
    })
    app.test_client_class = QualifyClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_on_database(tmp_path):
    """Use as `with app_on_database(url) as app: …`: a throwaway app on that database, in its app context."""

    @contextmanager
    def running(url: str):
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()

    return running


INSERT_TARGET = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)
written_tables: set[str] = set()


@event.listens_for(Engine, "before_cursor_execute")
def _remember_written_table(_conn, _cursor, statement, *_args) -> None:
    # Every engine, so that rows written by a second app or a server thread are cleaned up as well.
    match = INSERT_TARGET.match(statement)
    if match:
        written_tables.add(match.group(1))


def _empty_all_tables() -> None:
    # Only the tables the test wrote to: emptying all ~50 tables after every test is slow on PostgreSQL.
    for table in reversed(db.metadata.sorted_tables):
        if table.name in written_tables:
            db.session.execute(table.delete())
    db.session.commit()
    written_tables.clear()


@pytest.fixture(autouse=True)
def app_context(app):
    """Run every test inside an app context and leave the database empty afterwards."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app) -> QualifyClient:
    return app.test_client()


@pytest.fixture(scope="session")
def client_class(app):
    """Clients whose every request runs in an app context (and database session) of its own, as in production.

    The autouse fixture keeps one app context open for the whole test and Flask would reuse it, so requests
    would share the test's database session: its identity map hides lazy loads and stale objects. Suites that
    must see each request as the server does use these clients (`client` overridden with `new_client()`).
    """

    class IsolatedClient(app.test_client_class):
        def open(self, *args, **kwargs):
            return contextvars.Context().run(super().open, *args, **kwargs)

    return IsolatedClient


@pytest.fixture
def new_client(app, client_class):
    """Open another browser: its own cookies, its own requests."""
    return lambda: client_class(app, app.response_class, use_cookies=True)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo_courses():
    """Import the demo courses from courses/ and return them by slug."""
    course_services.import_tree(load_tree(DEMO_COURSES))
    db.session.commit()
    return {course.slug: course for course in db.session.scalars(db.select(Course))}


@pytest.fixture
def make_organisation():
    numbers = count(1)

    def make(name: str | None = None, units=("Montage", "Logistik")):
        n = next(numbers)
        organisation = services.create_organisation(f"org-{n}", name or f"Firma {n}", list(units))
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def make_user():
    numbers = count(1)

    def make(*roles: Role, email: str | None = None, password: str = PASSWORD, name: str | None = None,
             organisation=None, unit=None, active: bool = True, language: str = "de"):
        n = next(numbers)
        user = services.create_user(email or f"person{n}@example.org", name or f"Person {n}",
                                    password=password, roles=set(roles) or {Role.LEARNER},
                                    organisation=organisation, unit=unit, language=language)
        user.active = active
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Sign a user in through the real login form."""

    def sign_in(user, password: str = PASSWORD, *, via=None):
        response = (via or client).post("/anmelden", data={"email": user.email, "password": password})
        assert response.status_code == 302, f"login failed: {response.status_code} {response.text[-600:]}"
        return response

    return sign_in


class StatementCounter:
    """Counts the SQL statements the app sends while it is active."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements():
    """Use as `with count_statements() as counter: …`, then read counter.count."""

    @contextmanager
    def counting():
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting

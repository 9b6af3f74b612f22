"""Fixtures for the security tests: isolated requests, people holding every role, separate app instances, and an
object of each kind for the routes that name one."""


from datetime import timedelta

import pytest
from sqlalchemy import select

from qualify import create_app
from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.courses.models import CourseFile
from qualify.demo import give_demo_roles_their_work, load_demo_accounts
from qualify.exchange import posting, spaces
from qualify.extensions import db
from qualify.learning import mandatory, quiz
from qualify.learning import services as learning
from qualify.workshops import services as workshops
from qualify.workshops.models import WorkshopSession

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


@pytest.fixture
def url_values(demo_courses):
    """A value for every part of a URL that names an object – each object existing, with something in it."""
    load_demo_accounts()
    give_demo_roles_their_work()
    now = utcnow()
    course = demo_courses["digitale-fabrik"]
    person, admin = (db.session.scalar(select(User).where(User.email == f"{name}@demo.qualify.test"))
                     for name in ("lernende", "admin"))
    module_with_quiz = next(module for module in course.active_modules if module.current_version.questions)
    space = spaces.create_space("Nur für die Firma", "", organisation_id=person.organisation_id, moderation="post",
                                anonymous="allowed", by=admin, now=now)
    thread = posting.start_thread(space, person, "Frage", "Wie geht es euch?", anonymous=True, now=now)
    session = db.session.scalars(select(WorkshopSession)).first()
    booking = workshops.book(session, person, now=now)
    attempt = quiz.start_attempt(person, module_with_quiz, now=now)
    certificate = learning.issue_certificate(person, course, now=now)
    unit = person.organisation.units[0]
    assignment = mandatory.assign(course, unit, days_to_complete=30, now=now - timedelta(days=1), by=admin)
    files = db.session.scalars(select(CourseFile.path).where(CourseFile.course_id == course.id)).all()
    medium = next(path for path in files if path.startswith("medien/"))
    bank = next(path for path in files if path.startswith("fragen/"))
    db.session.commit()
    return {
        "post_id": thread.posts[0].id, "thread_id": thread.id, "space_id": space.id, "module_id": module_with_quiz.id,
        "session_id": session.id, "booking_id": booking.id, "attempt_id": attempt.id, "user_id": person.id,
        "organisation_id": person.organisation_id, "unit_id": unit.id, "assignment_id": assignment.id,
        "slug": course.slug, "module_slug": module_with_quiz.slug, "number": 1, "code": certificate.code,
        "name": bank.removeprefix("fragen/").removesuffix(".gift"), "path": medium, "key": "vorschau", "token": "x",
        "filename": "app.css",
    }

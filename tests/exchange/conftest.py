"""Fixtures for exchange tests: the demo exchange module's space, its moderator, members, clients."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.core.mail import OutboxMessage, compose_deferred_mail
from qualify.core.time import utcnow
from qualify.courses.models import Module
from qualify.exchange import moderation, spaces
from qualify.exchange.models import ExchangeSpace, SpaceModerator
from qualify.extensions import db
from qualify.workshops import schedule
from qualify.workshops import services as workshops
from tests.conftest import PASSWORD


@pytest.fixture
def exchange_module(demo_courses) -> Module:  # noqa: F811
    """The digital-factory exchange module: pre-moderated, pseudonyms allowed."""
    course = demo_courses["digitale-fabrik"]
    return db.session.scalar(select(Module).where(Module.course_id == course.id,
                                                  Module.slug == "austausch-wandel-in-meinem-werk"))


@pytest.fixture
def space(exchange_module) -> ExchangeSpace:
    space = spaces.space_for_module(exchange_module)
    db.session.commit()
    return space


@pytest.fixture
def make_space(make_user):
    """A free-standing space opened by a (new) moderator: make_space(moderation="post")."""

    def make(*, moderation: str = "pre", anonymous: str = "allowed", organisation_id=None, by=None,
             title: str = "Schichtarbeit und Familie") -> ExchangeSpace:
        by = by or make_user(Role.MODERATOR, name="Moderator Max")
        space = spaces.create_space(title, "Wie klappt es bei Ihnen?", organisation_id=organisation_id,
                                    moderation=moderation, anonymous=anonymous, by=by, now=utcnow())
        db.session.commit()
        return space

    return make


def assign(space: ExchangeSpace, user) -> None:
    db.session.add(SpaceModerator(space_id=space.id, user_id=user.id))
    db.session.commit()


@pytest.fixture
def moderator(make_user, space):
    """Moderatorin of the module's space."""
    user = make_user(Role.MODERATOR, name="Moderatorin Mia", email="mia.moderation@example.org")
    assign(space, user)
    return user


@pytest.fixture
def author(make_user):
    """A learner with a distinctive name and address, so leaks are easy to find."""
    return make_user(name="Kowalczyk Anneliese", email="anneliese.kowalczyk@example.org")


@pytest.fixture
def reader(make_user):
    return make_user(name="Bruno Brenner", email="bruno.brenner@example.org")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Admin Ada", email="ada.admin@example.org")


@pytest.fixture
def client_for(app):
    """A fresh client signed in as the person: client_for(user)."""

    def make(user):
        client = app.test_client()
        response = client.post("/anmelden", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make


def as_seen(post, **data) -> dict:
    """The form data of a moderator's decision on a post, carrying the post as the moderator's page showed it."""
    return {"seen": moderation.seen_version(post), **data}


def outbox(recipient: str | None = None) -> list[OutboxMessage]:
    """The outbox as the next sending run finds it, once it has written the mails noted for it (to the followers of
    a new post, say)."""
    compose_deferred_mail(utcnow())
    db.session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(stmt))


def identity_markers(user) -> list[str]:
    """Everything that would identify the person: name (and its parts), address, and id as it might appear."""
    return [user.display_name, *user.display_name.split(), user.email, f'"author_id": {user.id}',
            f"user_id={user.id}", f"/personen/{user.id}"]


def assert_no_identity(text: str, user) -> None:
    for marker in identity_markers(user):
        assert marker not in text, f"{marker!r} leaked"


@pytest.fixture
def session(exchange_module, space, moderator, author, reader):
    """An exchange session in a week, led by the moderator, with the author and the reader booked (minutes' tests)."""
    plan = schedule.SessionPlan(start_time=time(14), end_time=time(15), capacity=10, trainers=[moderator])
    day = (utcnow() + timedelta(days=7)).date()
    (session,) = schedule.create_sessions(exchange_module, plan, [day], by=moderator, now=utcnow())
    for person in (author, reader):
        workshops.book(session, person, now=utcnow())
    db.session.commit()
    return session

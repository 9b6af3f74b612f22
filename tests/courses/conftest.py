"""Fixtures of the course tests, and the authoring editor as a browser uses it."""

import re

import pytest
from sqlalchemy import select

from qualify.accounts.roles import Role
from qualify.courses.models import Course
from qualify.extensions import db

BASE = re.compile(r'name="base" type="hidden" value="([^"]*)"')


def base_of(page) -> str:
    """Read the fingerprint the editor sends back, as the browser would."""
    return BASE.search(page.text).group(1)


def save(client, url: str, text: str, note: str = ""):
    """Save a file in the editor, sending the fingerprint of the text the page showed."""
    return client.post(url, data={"text": text, "note": note, "base": base_of(client.get(url))})


@pytest.fixture
def learner(client, make_user, login):
    """A learner, signed in on `client`."""
    user = make_user(Role.LEARNER)
    login(user)
    return user


@pytest.fixture
def trainer(client, make_user, login):
    """A trainer, signed in on `client`."""
    user = make_user(Role.TRAINER)
    login(user)
    return user


@pytest.fixture
def course(client, trainer):
    """A draft course of the signed-in trainer with one self-study module (version 1)."""
    client.post("/autoren/", data={"slug": "neuer-kurs", "title": "Neuer Kurs: Grundlagen",
                                   "summary": "Kurz."})
    client.post("/autoren/neuer-kurs/module", data={"number": 1, "slug": "start", "title": "Start",
                                                     "kind": "self-study"})
    return db.session.scalar(select(Course).where(Course.slug == "neuer-kurs"))

"""Fixtures for the administration's tests."""

import pytest

from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.extensions import db


@pytest.fixture
def admin(make_user, login):
    """An administrator, signed in on `client`."""
    user = make_user(Role.ADMIN, name="Admin Ada")
    login(user)
    return user


@pytest.fixture
def make_invited(make_user):
    """Someone who was sent the invitation and has not set a password yet."""

    def make(*roles: Role, **details):
        user = make_user(*roles, password=None, **details)
        user.invited_at = utcnow()
        db.session.commit()
        return user

    return make

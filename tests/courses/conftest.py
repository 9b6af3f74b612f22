"""Fixtures of the course tests."""

import pytest

from qualify.accounts.roles import Role


@pytest.fixture
def learner(client, make_user, login):
    """A learner, signed in on `client`."""
    user = make_user(Role.LEARNER)
    login(user)
    return user

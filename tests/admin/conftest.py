"""Fixtures for the administration's tests."""

import pytest

from qualify.accounts.roles import Role


@pytest.fixture
def admin(make_user, login):
    """An administrator, signed in on `client`."""
    user = make_user(Role.ADMIN, name="Admin Ada")
    login(user)
    return user

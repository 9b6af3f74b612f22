"""Fixtures for the administration's tests."""

import pytest

from qualify.accounts.models import User
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


def person_form(user: User | None = None, **changes) -> dict:
    """The person form as the administration sends it: a new person (Nora Neu, invited), or the user as they are
    (without an invitation); `changes` replace fields."""
    data = {"display_name": "Nora Neu", "email": "nora@example.org", "personnel_number": "", "unit": "",
            "language": "de", "roles": ["learner"], "send_invitation": "y"}
    if user is not None:
        data.update(display_name=user.display_name, email=user.email,
                    unit=f"unit:{user.unit_id}" if user.unit_id else f"org:{user.organisation_id}",
                    roles=sorted(str(role) for role in user.roles))
        del data["send_invitation"]
    return {**data, **changes}

"""Fixtures for the administration's tests, and the helpers several of them share."""

import html
import io
import re

import pytest

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core.time import utcnow
from qualify.extensions import db

# The columns of a CSV import with all that a person can have.
HEADER = "E-Mail;Name;Personalnummer;Einheit;Rollen;Sprache\n"
HIDDEN = re.compile(r'name="(fingerprint)" type="hidden" value="([^"]*)"')
CONFIRM_ACTION = re.compile(r'<form method="post" action="(/verwaltung/import/[\w-]+)">')


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


def fresh(user: User) -> User:
    """The user as the database has them now, not as this session remembers them."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def upload(client, organisation, content: str | bytes, filename: str = "personen.csv", **options):
    """Upload a file to the import for the organisation and follow to its preview, a page of its own; `options`
    are the form's other fields, such as deactivate_missing="y"."""
    data = content.encode() if isinstance(content, str) else content
    return client.post("/verwaltung/import", data={"organisation": organisation.slug,
                                                   "file": (io.BytesIO(data), filename), **options},
                       content_type="multipart/form-data", follow_redirects=True)


def hidden_fields(response) -> dict[str, str]:
    """The confirmation a preview offers: where it is sent ("action"), and its hidden fields."""
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(response.text)}
    if action := CONFIRM_ACTION.search(response.text):
        fields["action"] = action.group(1)
    return fields


def confirm(client, fields: dict[str, str], *, follow_redirects: bool = True, **changes):
    """Send the confirmation of a preview (hidden_fields), with `changes` to its fields."""
    data = {**fields, **changes}
    return client.post(data.pop("action"), data=data, follow_redirects=follow_redirects)

"""The signed links to set a (first) password, which invitations and „Passwort vergessen“ send.

Apart from signing in (accounts.auth), which needs the domain functions of accounts.services: the mails that carry
these links are sent by those functions, and import this module."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from qualify.accounts.models import User
from qualify.extensions import db


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password or the address changes, every older link stops working.
    return hashlib.sha256(f"{user.password_hash or 'unset'}\x1f{user.email}".encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """Return a signed, expiring, single-use token for setting a new password."""
    return _reset_serializer().dumps({"user": user.id, "pw": _password_fingerprint(user)})


def language_of_reset_token(token: str) -> str | None:
    """The language of the person a link from our mail was for, even once it expired or was used (its signature
    is still ours): the page that says so is in the language of the mail. None for a link not made here."""
    try:
        data = _reset_serializer().loads(token)  # no max_age: an expired link still names its person
    except BadSignature:
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    return user.language if user is not None else None


def user_for_reset_token(token: str) -> User | None:
    """Return the user a valid reset token belongs to, or None."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("user"))
    if user is None or not user.active or data.get("pw") != _password_fingerprint(user):
        return None
    return user

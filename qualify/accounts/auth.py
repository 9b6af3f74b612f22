"""Signing in and out: throttling and server-side sessions (the links to set a password: see accounts.tokens)."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from werkzeug.security import check_password_hash

from qualify.accounts.counters import reset_key
from qualify.accounts.models import LoginFailure, User, UserRole, UserSession
from qualify.accounts.services import find_user_by_email, hash_password, normalise_email
from qualify.core.audit import AuditEvent
from qualify.core.database import take_turns
from qualify.extensions import db

SESSION_LIFETIME = timedelta(days=14)
_DUMMY_HASH: str | None = None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _dummy_hash() -> str:
    # Checking unknown users against a real hash makes them take as long as known ones.
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


@dataclass(frozen=True)
class Throttle:
    """Where the counters of an attempt stand. They count per address typed, whether an account has it or not,
    so that telling someone what is left reveals nothing about which addresses are known."""

    attempts_left: int  # failures still allowed before the lock: 0 while locked
    minutes_locked: int = 0  # until the lock lifts, rounded up; 0 when not locked
    # Locked (also) because of the failures from this network address, for whichever addresses were typed: the
    # pause holds for every browser there that has not signed in to the account typed before.
    network: bool = False

    @property
    def locked(self) -> bool:
        return self.attempts_left <= 0


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False  # refused unchecked: the lock was on before this attempt
    deactivated: bool = False  # only said to whoever knows the password: it reveals nothing to a guesser
    throttle: Throttle | None = None  # after a failure: what it left


def _recent_failures(key: str, since: datetime) -> int:
    stmt = select(func.count()).where(LoginFailure.key_hash == _sha256(key), LoginFailure.failed_at >= since)
    return db.session.scalar(stmt)


# Device cookies (the OWASP pattern against lockouts): a browser in which the person signed in before carries
# a signed mark of that account. Its attempts count on their own, so that someone who types wrong passwords
# for a colleague's address – from anywhere, the shared address of a plant's network included – throttles
# every other browser for that account, but not the colleague's own phone.
DEVICE_COOKIE = "qualify_device"
DEVICE_COOKIE_DAYS = 365


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def device_cookie_for(email: str) -> str:
    """A new device mark for this account, to be set as a cookie after a successful sign-in."""
    return _device_serializer().dumps({"account": _sha256(normalise_email(email))[:32],
                                       "device": secrets.token_urlsafe(16)})


def trusted_device(cookie: str | None, email: str) -> str | None:
    """The device id if the cookie marks a browser this account signed in with, else None."""
    if not cookie:
        return None
    try:
        data = _device_serializer().loads(cookie, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != _sha256(normalise_email(email))[:32]:
        return None
    return str(data.get("device"))


PER_IP = "LOGIN_MAX_FAILURES_PER_IP"


def _throttle_keys(email: str, ip: str, device: str | None) -> dict[str, str]:
    """The counters an attempt is checked against and counted in, with the setting that limits each."""
    if device:
        return {f"device:{device}": "LOGIN_MAX_FAILURES_PER_ACCOUNT"}
    return {f"account:{normalise_email(email)}": "LOGIN_MAX_FAILURES_PER_ACCOUNT", f"ip:{ip}": PER_IP}


def throttle_state(email: str, ip: str, now: datetime, device: str | None = None) -> Throttle:
    """How many failures are left for this address typed and this network address (or, on a trusted device, this
    device) before the lock, and how long a lock still lasts."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    attempts_left, lock_ends, network = None, None, False
    for key, setting in _throttle_keys(email, ip, device).items():
        limit = config[setting]
        left = limit - _recent_failures(key, now - window)
        attempts_left = left if attempts_left is None else min(attempts_left, left)
        if left <= 0:
            # Locked until the limit-th newest failure leaves the window: then fewer than the limit are left in it.
            ends = _nth_newest_failure(key, limit) + window
            lock_ends = ends if lock_ends is None else max(lock_ends, ends)
            network = network or setting == PER_IP
    if lock_ends is None:
        return Throttle(attempts_left)
    return Throttle(0, max(1, math.ceil((lock_ends - now).total_seconds() / 60)), network=network)


def _nth_newest_failure(key: str, n: int) -> datetime:
    stmt = (select(LoginFailure.failed_at).where(LoginFailure.key_hash == _sha256(key))
            .order_by(LoginFailure.failed_at.desc()).offset(n - 1).limit(1))
    return db.session.scalar(stmt)


def _record_failure(email: str, ip: str, now: datetime, device: str | None = None) -> None:
    for key in _throttle_keys(email, ip, device):
        db.session.add(LoginFailure(key_hash=_sha256(key), failed_at=now))


def authenticate(email: str, password: str, *, ip: str, now: datetime, device: str | None = None) -> LoginResult:
    """Check the credentials, counting failures; unknown and known users are treated alike.

    device: the id from a trusted device cookie of this account (trusted_device), if the browser has one.
    """
    # Attempts at one account take turns: counted all at once, a burst got two or three times the limit through.
    take_turns(f"login:{normalise_email(email)}")
    throttle = throttle_state(email, ip, now, device)
    if throttle.locked:
        return LoginResult(None, throttled=True, throttle=throttle)
    user = find_user_by_email(email)
    stored_hash = user.password_hash if user and user.password_hash else _dummy_hash()
    password_ok = check_password_hash(stored_hash, password)
    if user and user.active and user.password_hash and password_ok:
        return LoginResult(user)
    _record_failure(email, ip, now, device)
    return LoginResult(None, deactivated=bool(user and not user.active and user.password_hash and password_ok),
                       throttle=throttle_state(email, ip, now, device))


RESET_MAILS_PER_WINDOW = 3
# Three per window alone still let a script send some 290 mails a day to one inbox.
RESET_MAILS_PER_DAY = 10
RESET_DAY = timedelta(hours=24)


def count_reset_request(email: str, now: datetime) -> bool:
    """Tell whether a reset mail may go to this address, and count it if so: a few per throttle window and
    RESET_MAILS_PER_DAY in 24 hours (otherwise one script fills someone's inbox). Known and unknown addresses
    are counted alike, and the page answers the same either way: the cap tells nobody which addresses exist.

    Only the requests let through are counted: a flood that is refused writes nothing, and what is kept per
    address stays small (a row per mail, for a day). A changed address takes its count along
    (counters.move_reset_counters)."""
    email = normalise_email(email)
    take_turns(f"reset:{email}")
    window_start = now - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])
    in_window, in_day = db.session.execute(
        select(func.count().filter(LoginFailure.failed_at >= window_start), func.count())
        .where(LoginFailure.key_hash == reset_key(email), LoginFailure.kind == "reset",
               LoginFailure.failed_at >= now - RESET_DAY)).one()
    if in_window >= RESET_MAILS_PER_WINDOW or in_day >= RESET_MAILS_PER_DAY:
        return False
    db.session.add(LoginFailure(key_hash=reset_key(email), failed_at=now, kind="reset"))
    return True


def forget_counters_of(email: str) -> None:
    """Forget what is counted under this address (an erased account's): its failed sign-ins and the reset mails
    asked for, in whatever case it was typed. The counters of devices and network addresses name no address."""
    email = normalise_email(email)
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.key_hash.in_([_sha256(f"account:{email}"), reset_key(email)])))


# The administration's link (on a person's page) has a cap of its own and does not count towards the one above:
# when someone flooded a person's address up to the daily cap, the administration is the way back in. It goes
# only to an account the administrator may change, each is in the log, and a few a day per person are plenty –
# every link works for two days.
ADMIN_RESET_LINKS_PER_DAY = 3


def reset_links_from_administration(user: User, now: datetime) -> int:
    """How many reset links the administration (anyone in it) sent this person in the last 24 hours."""
    return db.session.scalar(select(func.count()).where(
        AuditEvent.target_type == "User", AuditEvent.target_id == user.id,
        AuditEvent.action == "user.password_reset_link", AuditEvent.created_at >= now - RESET_DAY))


def start_session(user: User, now: datetime) -> str:
    """Open a server-side session for the user and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_sha256(token), user_id=user.id, created_at=now))
    user.current_session_token = token
    return token


def end_session(token: str | None) -> None:
    """Delete the server-side session so that no copy of the cookie works any more."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _sha256(token)))


@cache
def _session_user_statement():
    # Built once: composing a statement costs more than running it, and this one runs on every request.
    roles = (select(func.aggregate_strings(UserRole.role, ",")).where(UserRole.user_id == User.id)
             .correlate(User).scalar_subquery())
    return (select(*User.__table__.columns, roles.label("role_names"))
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == bindparam("token_hash"), UserSession.created_at >= bindparam("since")))


def load_session_user(token: str, now: datetime) -> User | None:
    """Return the active user of a live session, or None."""
    # One plain row for the session, the person and their roles, turned into a User of this session
    # without the ORM's loading machinery: it runs on every request, and this costs a fifth as much.
    row = db.session.connection().execute(
        _session_user_statement(), {"token_hash": _sha256(token), "since": now - SESSION_LIFETIME}).first()
    if row is None or not row.active:
        return None
    values = row._asdict()
    role_names = values.pop("role_names")
    user = db.session.identity_map.get(identity_key(User, values["id"]))
    if user is None:
        user = User(**values)
        make_transient_to_detached(user)  # as if loaded: no pending changes, nothing to insert
        db.session.add(user)
    user.known_roles = frozenset(role_names.split(",")) if role_names else frozenset()
    user.current_session_token = token
    return user


def purge_expired(now: datetime) -> None:
    """Delete old sessions and throttle records: they are kept only as long as they serve (failed sign-ins for the
    window, reset mails for a day)."""
    window = timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - window,
                                                  (LoginFailure.kind != "reset")
                                                  | (LoginFailure.failed_at < now - RESET_DAY)))
    db.session.execute(delete(UserSession).where(UserSession.created_at < now - SESSION_LIFETIME))

"""Meine Daten: export everything stored about a person, erase an account, enforce retention periods."""

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from qualify.accounts.auth import forget_counters_of, purge_expired
from qualify.accounts.council_log import council_concerned
from qualify.accounts.csv_import import drop_uploads_naming, purge_pending_imports
from qualify.accounts.models import ERASED_DOMAIN, User
from qualify.accounts.reset_requests import forget_requests_for
from qualify.accounts.services import is_last_admin
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.core.database import take_turns
from qualify.core.mail import OutboxMessage
from qualify.core.time import to_local, utcnow
from qualify.exchange.minutes_names import forget_erased_person
from qualify.exchange.posting import delete_all_posts_of, drop_waiting_changes_of
from qualify.extensions import db
from qualify.learning.models import QuizAttempt
from qualify.privacy.catalogue import ANONYMISE, CATEGORIES, DELETE, DETACH, POSTS, SECRET_COLUMNS, Holding, category
from qualify.privacy.models import RetentionRule
from qualify.workshops.services import release_seats_of

FORMER_MEMBER = "ehemaliges Mitglied"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _rows(holding: Holding, user_id: int) -> list[dict]:
    table = db.metadata.tables[holding.table]
    columns = [table.c[name] for name in holding.exported] if holding.exported else [table]
    rows = db.session.execute(select(*columns).where(table.c[holding.column] == user_id)).mappings()
    return [{key: _plain(value) for key, value in row.items() if key not in SECRET_COLUMNS} for row in rows]


def export_personal_data(user: User) -> dict:
    """Collect everything stored about the person, by category, as plain JSON-ready data."""
    account = {key: _plain(getattr(user, key)) for key in
               ("id", "email", "personnel_number", "display_name", "language", "active", "left_month", "created_at",
                "invited_at")}
    account.update(organisation=user.organisation.name if user.organisation else None,
                   unit=user.unit.name if user.unit else None, roles=sorted(str(r) for r in user.roles))
    data: dict[str, Any] = {"account": {"users": [account]}}
    for entry in CATEGORIES:
        section = data.setdefault(entry.key, {})
        for holding in entry.holdings:
            section.setdefault(f"{holding.table}.{holding.column}", _rows(holding, user.id))
    data["mail"] = {"outbox_messages": [
        {"subject": m.subject, "created_at": _plain(m.created_at), "sent_at": _plain(m.sent_at)}
        for m in db.session.scalars(select(OutboxMessage).where(or_(OutboxMessage.recipient == user.email,
                                                                     OutboxMessage.user_id == user.id)))]}
    data["audit"]["audit_events.target"] = [
        {"action": e.action, "created_at": _plain(e.created_at)}
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "User",
                                                             AuditEvent.target_id == user.id))]
    return data


def _stand_in(user: User) -> User:
    """Create the anonymous person that keeps the erased account's place in aggregate figures."""
    # Gone since the month the person left (deactivated before) or is erased in: the month only, as below. Who
    # left in a month no longer known (reports.rollup.member_in) stays so: the erasure changes no figure counted
    # after it, where "gone this month" made the size of every month counted since grow by one.
    left_month = user.left_month if not user.active else to_local(utcnow()).date().replace(day=1)
    stand_in = User(email=f"{secrets.token_hex(8)}{ERASED_DOMAIN}", display_name=FORMER_MEMBER,
                    password_hash=None, active=False, language="de", left_month=left_month,
                    organisation_id=user.organisation_id, unit_id=user.unit_id)
    db.session.add(stand_in)
    db.session.flush()
    return stand_in


class ErasureRefused(ValueError):
    """An account that cannot be erased now, with the reason in words."""


class AlreadyErased(ErasureRefused):
    """The account was erased a moment ago: the same request twice (a double click reaching the server twice)."""


def erase_account(user: User, *, keep_posts: bool, now: datetime, by: User | None = None, reason: str = "") -> int:
    """Remove the person and their personal data; what counts in aggregates passes to an anonymous stand-in.

    Posts stay under "ehemaliges Mitglied" when keep_posts, else they are deleted. `by`: the admin who erased
    someone else's account (with the reason, for the log); None when people erase their own.
    Erasures of one account take turns: the second finds the account gone and says so (AlreadyErased).
    Returns how many places in coming sessions were given up.
    """
    take_turns(f"erase:{user.id}")
    if db.session.scalar(select(User.id).where(User.id == user.id)) is None:
        raise AlreadyErased(_("Dieses Konto ist bereits gelöscht."))
    if is_last_admin(user):
        raise ErasureRefused(_("Das ist das letzte aktive Administrationskonto. Bitte geben Sie die Rolle zuerst "
                               "einer anderen Person – sonst kann niemand mehr Konten verwalten."))
    council = council_concerned(user)  # a works council losing a member reads it, as it reads a deactivation
    stand_in = _stand_in(user)
    released = release_seats_of(user, now=now)  # a seat of someone who is gone goes to the next on the waitlist
    forget_erased_person(user, now=now)  # their name out of every minutes text, drafts included
    if not keep_posts:
        delete_all_posts_of(user.id)  # with the titles of the threads they opened; before the rules below
    drop_waiting_changes_of(user.id)  # kept posts keep their approved text, not a change nobody approved
    for entry in CATEGORIES:
        for holding in entry.holdings:
            _erase_holding(holding.table, holding.column, holding.on_erase, user.id, stand_in.id, keep_posts)
    _keep_only_months(stand_in.id)
    db.session.execute(update(AuditEvent).where(AuditEvent.target_type == "User", AuditEvent.target_id == user.id)
                       .values(target_id=None))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == user.email))
    # What others hold about the person without pointing at the account: an administrator's upload waiting for
    # its confirmation, and a reset link asked for and not yet sent (the sending run would find nobody, but the
    # address would wait until then).
    drop_uploads_naming(user, now=now)
    forget_requests_for(user.email)
    email = user.email
    # The statements above changed rows behind the session's back (the person's roles among them): what it
    # holds is read again, so deleting the person does not delete those rows a second time.
    db.session.expire_all()
    db.session.delete(user)
    db.session.flush()
    purge_failed_logins_of(email)
    audit.record("account.erase", actor=by, kept_posts=keep_posts, **({"reason": reason} if by else {}), **council)
    return released


# What passes to the stand-in keeps its month – all the figures count by – not the person's moments, which
# in a small unit could point back at them.
MONTH_ONLY = {"enrolments": ("enrolled_at", "completed_at"), "module_completions": ("completed_at",),
              "workshop_bookings": ("booked_at", "confirmed_at", "cancelled_at", "attendance_marked_at",
                                    "walked_in_at")}


def _keep_only_months(stand_in_id: int) -> None:
    for table_name, columns in MONTH_ONLY.items():
        table = db.metadata.tables[table_name]
        rows = db.session.execute(select(table.c.id, *(table.c[c] for c in columns))
                                  .where(table.c.user_id == stand_in_id)).all()
        for row in rows:
            values = {c: _middle_of_month(getattr(row, c)) for c in columns if getattr(row, c) is not None}
            if values:
                db.session.execute(update(table).where(table.c.id == row.id).values(values))


def _middle_of_month(moment: datetime) -> datetime:
    """Noon on the first of the moment's month in Germany: the same month wherever it is counted."""
    return to_local(moment).replace(day=1, hour=12, minute=0, second=0, microsecond=0)


def _erase_holding(table_name: str, column: str, on_erase: str, user_id: int, stand_in_id: int,
                   keep_posts: bool) -> None:
    table = db.metadata.tables[table_name]
    where = table.c[column] == user_id
    if on_erase == ANONYMISE or (on_erase == POSTS and keep_posts):
        db.session.execute(update(table).where(where).values({column: stand_in_id}))
    elif on_erase == DETACH:
        db.session.execute(update(table).where(where).values({column: None}))
    elif on_erase in (DELETE, POSTS):
        db.session.execute(delete(table).where(where))
    else:
        raise ValueError(f"unknown erase rule {on_erase!r} for {table_name}.{column}")


def purge_failed_logins_of(email: str) -> None:
    """Forget the throttling counters of an address: failed sign-ins and reset mails asked for (kept a day
    otherwise, as the daily cap counts them)."""
    forget_counters_of(email)


def retention_days(key: str) -> int | None:
    """Return the agreed retention period of a category in days (None: while the account exists)."""
    rule = db.session.scalar(select(RetentionRule).where(RetentionRule.category == key))
    return rule.days if rule else category(key).default_days


def retention_table() -> list[tuple]:
    """Return (category, days) for every category, with the configured overrides applied."""
    overrides = {rule.category: rule.days for rule in db.session.scalars(select(RetentionRule))}
    return [(entry, overrides.get(entry.key, entry.default_days)) for entry in CATEGORIES]


class RetentionRefused(ValueError):
    """A retention period shorter than its category allows."""


def check_retention(key: str, days: int) -> None:
    """Refuse a retention period shorter than its category allows."""
    entry = category(key)  # refuses unknown categories
    if days < entry.min_days:
        raise RetentionRefused(_("„%(category)s“ wird mindestens %(days)d Tage aufbewahrt.", category=entry.label,
                                 days=entry.min_days))


def set_retention(key: str, days: int, *, actor: User) -> None:
    """Change a retention period, as agreed with the works council; the works council sees the change in its
    access log."""
    check_retention(key, days)
    if days == retention_days(key):
        return  # saved unchanged: nothing for the works council to read about
    rule = db.session.scalar(select(RetentionRule).where(RetentionRule.category == key))
    if rule is None:
        db.session.add(RetentionRule(category=key, days=days))
    else:
        rule.days = days
    audit.record("privacy.retention", actor=actor, category=key, days=days, organisation_id=None)


def _expired_rows(key: str, days: int, now: datetime):
    """The rows of a purged category that a period of `days` lets go, as (model, condition)."""
    cutoff = now - timedelta(days=days)
    if key == "quiz_attempts":
        return QuizAttempt, QuizAttempt.started_at < cutoff
    if key == "audit":
        return AuditEvent, AuditEvent.created_at < cutoff
    return OutboxMessage, and_(OutboxMessage.created_at < cutoff, OutboxMessage.sent_at.is_not(None))  # "mail"


PURGED = ("quiz_attempts", "audit", "mail")


def count_expiring(key: str, days: int, now: datetime) -> int:
    """How many rows the next nightly purge would delete with this period (0 for categories not purged)."""
    if key not in PURGED:
        return 0
    model, condition = _expired_rows(key, days, now)
    return db.session.scalar(select(func.count()).select_from(model).where(condition))


def purge_expired_data(now: datetime) -> dict[str, int]:
    """Delete what has outlived its retention period (the nightly job); return how many rows went."""
    removed = {}
    for key in PURGED:
        if (days := retention_days(key)) is not None:
            model, condition = _expired_rows(key, days, now)
            removed[key] = db.session.execute(delete(model).where(condition)).rowcount
    purge_expired(now)
    purge_pending_imports(now)  # uploaded CSV files never confirmed: an hour, not a retention period
    return removed

"""Organisations, their units, the people in them and their roles."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualify.accounts.roles import Role
from qualify.core.database import in_german_order
from qualify.core.time import UTCDateTime, utcnow
from qualify.extensions import db

DEFAULT_SMALL_GROUP_THRESHOLD = 5


class Organisation(db.Model):
    """An employer (or the network office) taking part in the transformation network."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Smallest group that reports may show, as agreed with the works council (never below 3).
    small_group_threshold: Mapped[int] = mapped_column(default=DEFAULT_SMALL_GROUP_THRESHOLD)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list["Unit"]] = relationship(back_populates="organisation",
                                                 order_by=lambda: in_german_order(Unit.name))


class Unit(db.Model):
    """A department or site within an organisation."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="department")  # department | site

    organisation: Mapped[Organisation] = relationship(back_populates="units")


# Stand-ins of erased accounts get an address here: unique, as the column wants, and never deliverable.
ERASED_DOMAIN = "@geloescht.invalid"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("organisation_id", "personnel_number"),
                      # The people list is paged in German order of names (in_german_order): without an index in
                      # that order, every page sorted all of them. PostgreSQL only: on SQLite, the index would need
                      # our collation in every program that writes to the file, the sqlite3 shell included.
                      Index("ix_users_display_name_german_id", text("display_name COLLATE german"), "id",
                            info={"collated": True}).ddl_if(dialect="postgresql"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    personnel_number: Mapped[str | None] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(200))
    # None until the person sets a password through their invitation (reset) link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(5), default="de")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The month the person left (its first day, Europe/Berlin; the month only, all that is needed): set when the
    # account is deactivated or erased, cleared when it is reactivated. The participation reports count someone
    # who left in the size of their group up to that month, as in what they did (reports/rollup.py).
    left_month: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the last invitation (a link to set the first password) went out; None: never (created without one,
    # to be invited later). Kept here, not read from the audit log, whose entries the retention period deletes.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    # The server-side session this request runs in (set by the user loader, see accounts.auth).
    current_session_token = None
    # The role names read with the session (see accounts.auth.load_session_user), so that asking for roles
    # costs no statement; None on users loaded otherwise, whose roles come from role_rows.
    known_roles = None  # frozenset of role names, or None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        return self.current_session_token

    # UserMixin compares people by get_id(), which here is the session token: None for everyone not loaded
    # from a session, so all of them were "equal" (a second course owner was "already there"). A person is
    # one row, and the session's identity map holds one object per row: compare as objects, as mapped
    # classes do.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def roles(self) -> set[Role]:
        names = self.known_roles if self.known_roles is not None else (row.role for row in self.role_rows)
        return {Role(name) for name in names}

    @property
    def is_stand_in(self) -> bool:
        """The anonymous stand-in of an erased account: it keeps a place in figures, not an address."""
        return self.email.endswith(ERASED_DOMAIN)

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    def has_any_role(self, *roles: Role | str) -> bool:
        return any(self.has_role(role) for role in roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSession(db.Model):
    """A signed-in browser. Deleting the row ends the session, whatever copy of the cookie survives."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A failed login (or a reset mail asked for), kept briefly to throttle guessing (and mail floods) across all
    worker processes."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A hash of "account:<e-mail>", "ip:<address>", "device:<id>" or "reset:<e-mail>": enough to count, nothing
    # to read.
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # "login": a failed sign-in, kept for the throttle window; "reset": a reset mail let through for an address
    # typed on "Passwort vergessen", kept a day for the daily cap (auth.count_reset_request).
    kind: Mapped[str] = mapped_column(String(10), default="login", server_default="login")


class PendingImport(db.Model):
    """An uploaded CSV file of people between its preview and the confirmation (see csv_import.keep_upload): for
    its uploader only, under a key nobody guesses, and deleted after a while (csv_import.PENDING_LIFETIME)."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # random: part of the preview's address
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    deactivate_missing: Mapped[bool] = mapped_column(default=False)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # as uploaded: the preview reads it as the upload did
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    organisation: Mapped[Organisation] = relationship()

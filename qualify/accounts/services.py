"""Users, organisations, units and roles: the domain functions that views and CLI share."""

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import generate_password_hash

from qualify.accounts.models import ERASED_DOMAIN, Organisation, Unit, User, UserRole, UserSession
from qualify.accounts.roles import Role
from qualify.core import audit
from qualify.core.database import contains_text
from qualify.extensions import db

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for the user."""

    def __init__(self, message: str, *, field: str = "email"):
        super().__init__(message)
        self.field = field  # the form field the message belongs to


def normalise_email(email: str) -> str:
    """Compare e-mail addresses case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash a password with scrypt (salted, memory-hard; the cost is configurable)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str) -> str | None:
    """Return a problem with the password, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_PASSWORD_LENGTH)
    if password.strip() != password:
        return _("Das Passwort darf nicht mit Leerzeichen beginnen oder enden.")
    return None


def find_user_by_email(email: str) -> User | None:
    """Return the user with this e-mail address, or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_organisation(slug: str) -> Organisation | None:
    """Return the organisation with this slug, or None."""
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def create_organisation(slug: str, name: str, units: list[str] = ()) -> Organisation:
    """Create an organisation with its units."""
    organisation = Organisation(slug=slug, name=name, units=[Unit(name=unit) for unit in units])
    db.session.add(organisation)
    db.session.flush()
    return organisation


def slugify(text: str) -> str:
    """Make a URL-safe slug from a German name."""
    text = text.lower()
    for umlaut, replacement in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, replacement)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60]


def create_user(email: str, display_name: str, *, password: str | None = None,
                roles: set[Role] = frozenset({Role.LEARNER}), organisation: Organisation | None = None,
                unit: Unit | None = None, personnel_number: str | None = None, language: str = "de",
                actor: User | None = None) -> User:
    """Create an account; without a password the person sets one through the reset link."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise AccountError(_("Die E-Mail-Adresse %(email)s ist bereits vergeben.", email=email))
    _check_personnel_number(personnel_number, organisation, user=None)
    user = User(email=email, display_name=display_name.strip(), personnel_number=personnel_number or None,
                language=language, organisation=organisation, unit=unit,
                password_hash=hash_password(password) if password else None)
    user.role_rows = [UserRole(role=str(role)) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=user, roles=sorted(str(r) for r in roles))
    return user


def set_roles(user: User, roles: set[Role], *, actor: User | None = None) -> None:
    """Give the user exactly these roles."""
    old = user.roles
    if old == set(roles):
        return
    user.role_rows = [row for row in user.role_rows if Role(row.role) in roles]
    user.role_rows.extend(UserRole(role=str(role)) for role in sorted(set(roles) - old))
    user.known_roles = None  # read from role_rows from now on
    db.session.flush()
    audit.record("user.roles", actor=actor, target=user,
                 added=sorted(str(r) for r in set(roles) - old), removed=sorted(str(r) for r in old - set(roles)))


def update_user(user: User, *, email: str, display_name: str, personnel_number: str | None, language: str,
                organisation: Organisation | None, unit: Unit | None, roles: set[Role], actor: User) -> None:
    """Change a person's data, placement and roles, as an admin does it."""
    email = normalise_email(email)
    other = find_user_by_email(email)
    if other and other.id != user.id:
        raise AccountError(_("Die E-Mail-Adresse %(email)s ist bereits vergeben.", email=email))
    _check_personnel_number(personnel_number, organisation, user=user)
    if not roles:  # no access at all is what deactivating is for; a person without a role sees empty pages
        raise AccountError(_("Bitte wählen Sie mindestens eine Rolle."), field="roles")
    if Role.ADMIN in user.roles and Role.ADMIN not in roles and count_active_admins() <= 1:
        raise AccountError(_("Das ist das letzte Administrationskonto: Die Rolle bleibt."), field="roles")
    if email != user.email:
        end_all_sessions(user)  # and, as the address is part of reset tokens, voids links sent to the old one
    user.email, user.display_name = email, display_name.strip()
    user.personnel_number, user.language = personnel_number or None, language
    user.organisation, user.unit = organisation, unit
    set_roles(user, roles, actor=actor)
    audit.record("user.update", actor=actor, target=user)


def _check_personnel_number(number: str | None, organisation: Organisation | None, *, user: User | None) -> None:
    """A personnel number names one person within an organisation."""
    if not number or organisation is None:
        return
    holder = db.session.scalar(select(User).where(User.organisation_id == organisation.id,
                                                  User.personnel_number == number))
    if holder is not None and holder is not user:
        raise AccountError(_("Die Personalnummer %(number)s ist in %(organisation)s bereits vergeben.",
                             number=number, organisation=organisation.name), field="personnel_number")


def count_active_admins() -> int:
    """Count the active accounts holding the admin role."""
    stmt = (select(func.count()).select_from(User).join(UserRole)
            .where(UserRole.role == str(Role.ADMIN), User.active.is_(True)))
    return db.session.scalar(stmt)


def set_password(user: User, password: str) -> None:
    """Set a new password and end every session the user had."""
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere."""
    db.session.execute(UserSession.__table__.delete().where(UserSession.user_id == user.id))


def deactivate(user: User, *, actor: User | None = None) -> None:
    """Block the account from signing in and end its sessions; its data stays."""
    user.active = False
    end_all_sessions(user)
    audit.record("user.deactivate", actor=actor, target=user)


def reactivate(user: User, *, actor: User | None = None) -> None:
    """Allow the account to sign in again."""
    user.active = True
    audit.record("user.reactivate", actor=actor, target=user)


# The states the person list filters by: active accounts, deactivated ones, and those invited without a password.
USER_STATES = ("active", "deactivated", "invited")


def search_users(query: str = "", *, organisation_id: int | None = None, role: Role | None = None,
                 state: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """Return one page of users matching the query and filters (with organisation, unit and roles loaded: two
    statements more, however many), and the total count."""
    stmt = select(User)
    if query:
        stmt = stmt.where(or_(contains_text(User.email, query), contains_text(User.display_name, query),
                              User.personnel_number == query.strip()))
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if role is not None:
        stmt = stmt.where(select(UserRole.id).where(UserRole.user_id == User.id, UserRole.role == role).exists())
    if state == "active":
        stmt = stmt.where(User.active.is_(True))
    elif state == "deactivated":
        stmt = stmt.where(User.active.is_(False), ~User.email.endswith(ERASED_DOMAIN))
    elif state == "invited":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = db.session.scalars(stmt.options(joinedload(User.organisation), joinedload(User.unit),
                                           selectinload(User.role_rows))
                              .order_by(User.display_name, User.id).limit(limit).offset(offset)).all()
    return list(page), total


def all_organisations() -> list[Organisation]:
    """Return every organisation with its units, ordered by name."""
    stmt = select(Organisation).options(selectinload(Organisation.units)).order_by(Organisation.name)
    return list(db.session.scalars(stmt))


# Organisations and units, as the administration (and `qualify users add-organisation`) manages them. The
# changes are audited: a unit's name and the small-group threshold decide what works councils see in reports.

MAX_SMALL_GROUP_THRESHOLD = 999
MAX_NAME_LENGTH = 200  # of organisations and units, as their columns hold


def _plain_name(name: str, *, field: str) -> str:
    """A name on one line (see core.text.one_line), not empty and short enough for its column."""
    from qualify.core.text import one_line

    name = one_line(name or "")
    if not name:
        raise AccountError(_("Bitte geben Sie einen Namen ein."), field=field)
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(_("„%(name)s“ ist zu lang: höchstens %(max)d Zeichen.", name=name[:40] + "…",
                             max=MAX_NAME_LENGTH), field=field)
    return name


def check_small_group_threshold(value: int) -> None:
    """The smallest group reports show, as agreed with the works council: never below 3 (reports.suppression)."""
    from qualify.reports.suppression import MIN_THRESHOLD

    if not isinstance(value, int) or not MIN_THRESHOLD <= value <= MAX_SMALL_GROUP_THRESHOLD:
        raise AccountError(_("Die Mindestgruppengröße muss zwischen %(min)d und %(max)d liegen.",
                             min=MIN_THRESHOLD, max=MAX_SMALL_GROUP_THRESHOLD), field="small_group_threshold")


def _check_organisation_name(name: str, organisation: Organisation | None = None) -> None:
    """Two organisations of the same name could not be told apart in any list (compared in Python: SQLite's
    lower() leaves "Ü" as it is)."""
    others = select(Organisation.name)
    if organisation is not None:
        others = others.where(Organisation.id != organisation.id)
    if any(other.casefold() == name.casefold() for other in db.session.scalars(others)):
        raise AccountError(_("Eine Organisation „%(name)s“ gibt es schon.", name=name), field="name")


def _quoted(names: list[str]) -> str:
    return ", ".join(f"„{name}“" for name in names)


def _already_there(names: list[str], organisation: Organisation, *, field: str) -> AccountError:
    from flask_babel import ngettext

    return AccountError(ngettext("Die Einheit %(names)s gibt es bei %(organisation)s schon.",
                                 "Die Einheiten %(names)s gibt es bei %(organisation)s schon.", len(names),
                                 names=_quoted(names), organisation=organisation.name), field=field)


def _new_unit_names(names, organisation: Organisation | None) -> list[str]:
    """Check the names of units to add: each on one line, none twice, none the organisation has already.

    Names are compared regardless of case: the CSV import finds units that way, so "Montage" and "montage" in
    one organisation would be one unit to it.
    """
    from flask_babel import ngettext

    cleaned = [_plain_name(name, field="units") for name in names if (name or "").strip()]
    existing = {unit.name.casefold(): unit.name for unit in organisation.units} if organisation else {}
    taken = [name for name in cleaned if name.casefold() in existing]
    if taken:
        raise _already_there(taken, organisation, field="units")
    first: dict[str, str] = {}
    twice: list[str] = []
    for name in cleaned:
        if name.casefold() in first and first[name.casefold()] not in twice:
            twice.append(first[name.casefold()])
        first.setdefault(name.casefold(), name)
    if twice:
        raise AccountError(ngettext("%(names)s steht mehr als einmal in der Liste.",
                                    "%(names)s stehen mehr als einmal in der Liste.", len(twice),
                                    names=_quoted(twice)), field="units")
    return cleaned


def unit_names(text: str) -> list[str]:
    """Split what was typed into a text area, one unit per line, into names; blank lines do not count."""
    return [line for line in (text or "").splitlines() if line.strip()]


def add_organisation(name: str, *, slug: str | None = None, small_group_threshold: int | None = None,
                     units=(), actor: User | None = None) -> Organisation:
    """Create an organisation, with units if given; without a slug, one is made from the name."""
    from qualify.accounts.models import DEFAULT_SMALL_GROUP_THRESHOLD

    name = _plain_name(name, field="name")
    _check_organisation_name(name)
    slug = (slug or "").strip() or slugify(name)
    if not slug:
        raise AccountError(_("Aus diesem Namen lässt sich kein Kürzel bilden. Bitte geben Sie eines an."),
                           field="slug")
    if slug != slugify(slug):
        raise AccountError(_("Nur a–z, 0–9 und Bindestriche, ohne Umlaute und Leerzeichen."), field="slug")
    holder = get_organisation(slug)
    if holder is not None:
        raise AccountError(_("Das Kürzel „%(slug)s“ hat schon die Organisation „%(name)s“. Bitte wählen Sie ein "
                             "anderes Kürzel.", slug=slug, name=holder.name), field="slug")
    threshold = DEFAULT_SMALL_GROUP_THRESHOLD if small_group_threshold is None else small_group_threshold
    check_small_group_threshold(threshold)
    names = _new_unit_names(units, None)
    organisation = create_organisation(slug, name, names)
    organisation.small_group_threshold = threshold
    audit.record("organisation.create", actor=actor, target=organisation, name=name, slug=slug,
                 small_group_threshold=threshold, units=names)
    return organisation


def update_organisation(organisation: Organisation, *, name: str, small_group_threshold: int,
                        actor: User | None = None) -> None:
    """Rename the organisation and set its small-group threshold; each change is audited on its own."""
    name = _plain_name(name, field="name")
    if name != organisation.name:
        _check_organisation_name(name, organisation)
    check_small_group_threshold(small_group_threshold)
    if name != organisation.name:
        audit.record("organisation.rename", actor=actor, target=organisation, before=organisation.name, after=name)
        organisation.name = name
    if small_group_threshold != organisation.small_group_threshold:
        # With the organisation's number, as the works council's access log finds events (reports.access_log).
        audit.record("organisation.threshold", actor=actor, target=organisation, organisation_id=organisation.id,
                     before=organisation.small_group_threshold, after=small_group_threshold)
        organisation.small_group_threshold = small_group_threshold
    db.session.flush()


def add_units(organisation: Organisation, names, *, actor: User | None = None) -> list[Unit]:
    """Add units to the organisation; nothing is added when one of the names is refused."""
    names = _new_unit_names(names, organisation)
    if not names:
        raise AccountError(_("Bitte geben Sie mindestens eine Einheit ein."), field="units")
    units = [Unit(name=name) for name in names]
    organisation.units.extend(units)
    db.session.flush()
    audit.record("organisation.units_added", actor=actor, target=organisation, units=names)
    return units


def rename_unit(unit: Unit, name: str, *, actor: User | None = None) -> None:
    """Give the unit another name, which no other unit of its organisation has."""
    name = _plain_name(name, field="name")
    if name == unit.name:
        return
    # Compared in Python: SQLite's lower() leaves "Ü" as it is.
    other = next((u.name for u in unit.organisation.units if u is not unit and u.name.casefold() == name.casefold()),
                 None)
    if other is not None:
        raise _already_there([other], unit.organisation, field="name")
    audit.record("organisation.unit_renamed", actor=actor, target=unit.organisation, unit_id=unit.id,
                 before=unit.name, after=name)
    unit.name = name
    db.session.flush()


def unit_members(unit: Unit) -> int:
    """Count the accounts in the unit: active, deactivated and the stand-ins of erased ones."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.unit_id == unit.id))


def unit_removal_problem(unit: Unit, *, lock: bool = False) -> str | None:
    """Say why the unit cannot be removed now, or None when it can.

    People in it would lose their unit without anyone deciding where they belong, and the report figures of
    past months would lose the unit's rows (their foreign key cascades), changing numbers the works council saw.
    """
    from flask_babel import ngettext

    from qualify.reports.models import ParticipationRollup, UnitHeadcount

    if lock:  # on PostgreSQL, holds off anyone placing a person in the unit until this transaction ends
        db.session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
    people = unit_members(unit)
    if people:
        return ngettext("Der Einheit „%(unit)s“ gehört noch %(num)d Person an. Ordnen Sie sie zuerst einer "
                        "anderen Einheit zu.",
                        "Der Einheit „%(unit)s“ gehören noch %(num)d Personen an. Ordnen Sie sie zuerst einer "
                        "anderen Einheit zu.", people, unit=unit.name)
    figures = db.session.scalar(select(
        select(UnitHeadcount.id).where(UnitHeadcount.unit_id == unit.id).exists()
        | select(ParticipationRollup.id).where(ParticipationRollup.unit_id == unit.id).exists()))
    if figures:
        return _("Für die Einheit „%(unit)s“ gibt es Berichtszahlen früherer Monate. Damit diese Zahlen stimmen, "
                 "bleibt sie; Sie können sie umbenennen.", unit=unit.name)
    return None


def remove_unit(unit: Unit, *, actor: User | None = None) -> None:
    """Delete a unit nobody belongs to and no report counts."""
    problem = unit_removal_problem(unit, lock=True)
    if problem:
        raise AccountError(problem, field="name")
    audit.record("organisation.unit_removed", actor=actor, target=unit.organisation, unit_id=unit.id,
                 name=unit.name)
    db.session.delete(unit)
    db.session.flush()


def organisation_overview(organisation_id: int | None = None
                          ) -> list[tuple[Organisation, int, list[tuple[Unit, int]]]]:
    """Every organisation (or one) with its number of accounts, and its units with theirs, in two statements.

    Accounts are counted as unit_members counts them. Read the units from the result, not from
    organisation.units, which would load them once per organisation.
    """
    people = (select(func.count()).select_from(User).where(User.organisation_id == Organisation.id)
              .correlate(Organisation).scalar_subquery())
    stmt = select(Organisation, people).order_by(Organisation.name, Organisation.id)
    if organisation_id is not None:
        stmt = stmt.where(Organisation.id == organisation_id)
    organisations = db.session.execute(stmt).all()
    members = select(func.count()).select_from(User).where(User.unit_id == Unit.id).correlate(Unit).scalar_subquery()
    units_stmt = select(Unit, members).order_by(Unit.name, Unit.id)
    if organisation_id is not None:
        units_stmt = units_stmt.where(Unit.organisation_id == organisation_id)
    units: dict[int, list[tuple[Unit, int]]] = {}
    if organisations:
        for unit, count in db.session.execute(units_stmt):
            units.setdefault(unit.organisation_id, []).append((unit, count))
    return [(organisation, count, units.get(organisation.id, [])) for organisation, count in organisations]

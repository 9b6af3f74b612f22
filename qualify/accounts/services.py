"""Users, organisations, units and roles: the domain functions that views and CLI share."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import generate_password_hash

from qualify.accounts.council_log import council_concerned, record_council_move, record_role_change
from qualify.accounts.counters import move_reset_counters
from qualify.accounts.mails import send_address_changed, send_password_reset
from qualify.accounts.models import ERASED_DOMAIN, Organisation, Unit, User, UserRole, UserSession
from qualify.accounts.roles import Role, reach_of
from qualify.core import audit
from qualify.core.database import contains_folded, in_german_order, take_turns
from qualify.core.text import spelt_out
from qualify.core.time import to_local, utcnow
from qualify.extensions import db

# Said to an organisation's administration about an account it may see but not change (see roles.Reach).
# The works council named apart, though only the administration gives its role too: that its members' accounts
# are not for the employer's HR to change is what HR most needs to read here.
BEYOND_REACH = _l("Dieses Konto verwaltet die Administration: Die Person hat eine Rolle, die nur die "
                  "Administration vergibt, oder gehört dem Betriebsrat an.")


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for the user."""

    def __init__(self, message: str, *, field: str = "email"):
        super().__init__(message)
        self.field = field  # the form field the message belongs to


class AccountErrors(AccountError):
    """Several refusals of one request, each at its own field: a form shows them all after one submit."""

    def __init__(self, errors: list[AccountError]):
        super().__init__(" ".join(str(error) for error in errors), field=errors[0].field)
        self.errors = errors


def refuse_if_any(problems: list[AccountError]) -> None:
    """Raise the refusal, or all of them at once (AccountErrors), if there are any."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise AccountErrors(problems)


def normalise_email(email: str) -> str:
    """Compare e-mail addresses case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash a password with scrypt (salted, memory-hard; the cost is configurable)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


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
    text = spelt_out(text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60]


def create_user(email: str, display_name: str, *, password: str | None = None,
                roles: set[Role] = frozenset({Role.LEARNER}), organisation: Organisation | None = None,
                unit: Unit | None = None, personnel_number: str | None = None, language: str = "de",
                actor: User | None = None, invited: bool | None = None) -> User:
    """Create an account; without a password the person sets one through the reset link. `invited`: whether the
    invitation goes out with it, where someone chose (logged, so that the list can tell who has none yet)."""
    email = normalise_email(email)
    # The same form sent twice at once (a double click reaching the server twice): the second waits here for the
    # first, then finds its account, instead of failing at the unique address when both insert.
    take_turns(f"address:{email}")
    refuse_if_any(person_problems(email, personnel_number, organisation, roles=set(roles), actor=actor))
    user = User(email=email, display_name=display_name.strip(), personnel_number=personnel_number or None,
                language=language, organisation=organisation, unit=unit,
                password_hash=hash_password(password) if password else None)
    user.role_rows = [UserRole(role=str(role)) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=user, roles=sorted(str(r) for r in roles),
                 **({} if invited is None else {"invited": invited}))
    record_roles_given_at_creation(user, roles, actor=actor)
    return user


def record_roles_given_at_creation(user: User, roles, *, actor: User | None, **details) -> None:
    """Log the roles beyond learning a new account starts with as a change of roles too, so that the log's
    filter for role changes finds every grant of, say, administration – not only those made later."""
    if beyond := [role for role in roles if Role(role) != Role.LEARNER]:
        record_role_change(user, added=beyond, removed=[], actor=actor, **details)


def set_roles(user: User, roles: set[Role], *, actor: User | None = None,
              move: tuple[int | None, int | None] | None = None) -> None:
    """Give the user exactly these roles (`move`: see record_role_change)."""
    old = user.roles
    if old == set(roles):
        return
    user.role_rows = [row for row in user.role_rows if Role(row.role) in roles]
    user.role_rows.extend(UserRole(role=str(role)) for role in sorted(set(roles) - old))
    user.known_roles = None  # read from role_rows from now on
    db.session.flush()
    record_role_change(user, added=set(roles) - old, removed=old - set(roles), actor=actor, move=move)


def person_problems(email: str, personnel_number: str | None, organisation: Organisation | None, *,
                    user: User | None = None, roles: set[Role] | None = None,
                    actor: User | None = None) -> list[AccountError]:
    """Every reason create_user (user None) or update_user (with the roles wanted) would refuse these, each at its
    field: a form shows them all at once, beside what it refuses itself, not one per submit. The actor, where
    given, may do it only within their reach (an organisation's administration: see roles.Reach)."""
    problems = []
    if actor is not None:
        problems.extend(_reach_problems(user, organisation, roles, actor))
    other = find_user_by_email(email) if email else None
    if other is not None and other is not user:
        problems.append(AccountError(_("Die E-Mail-Adresse %(email)s ist bereits vergeben.",
                                       email=normalise_email(email))))
    try:
        _check_personnel_number(personnel_number, organisation, user=user)
    except AccountError as error:
        problems.append(error)
    if user is not None and (problem := _roles_problem(user, roles or set(), actor)):
        problems.append(problem)
    if roles and Role.ORG_ADMIN in roles and organisation is None:
        problems.append(AccountError(_("Die Verwaltung der Organisation kann nur erhalten, wer einer Organisation "
                                       "angehört. Bitte ordnen Sie die Person zuerst einer Organisation zu."),
                                     field="roles"))
    return problems


def _reach_problems(user: User | None, organisation: Organisation | None, roles: set[Role] | None,
                    actor: User) -> list[AccountError]:
    """What the actor may not do here: place someone outside their organisation, change someone beyond their
    reach, or give or take a role only the administration gives (the works council's among them)."""
    reach = reach_of(actor)
    if reach is not None and reach.whole_network:
        return []
    if reach is None or (user is not None and not reach.may_change(user, actor=actor)):
        return [AccountError(str(BEYOND_REACH), field="display_name")]
    problems = []
    if organisation is None or not reach.covers(organisation.id):
        problems.append(AccountError(_("Bitte wählen Sie eine Einheit Ihrer Organisation."), field="unit"))
    held = user.roles if user is not None else set()
    if changed := sorted((set(roles or ()) ^ held) - reach.roles):
        problems.append(AccountError(_("Diese Rollen vergibt nur die Administration: %(roles)s.",
                                       roles=", ".join(role.label for role in changed)), field="roles"))
    return problems


def _roles_problem(user: User, roles: set[Role], actor: User | None) -> AccountError | None:
    if not roles:  # no access at all is what deactivating is for; a person without a role sees empty pages
        return AccountError(_("Bitte wählen Sie mindestens eine Rolle."), field="roles")
    if Role.ADMIN in user.roles and Role.ADMIN not in roles and is_last_admin(user):
        return AccountError(_("Das ist das letzte Administrationskonto: Die Rolle bleibt."), field="roles")
    if Role.ADMIN in user.roles and Role.ADMIN not in roles and actor is not None and user.id == actor.id:
        # As one's own account cannot be deactivated: saved, the next page would already be out of reach.
        return AccountError(_("Die Administration können Sie sich nicht selbst nehmen. Bitten Sie eine andere "
                              "Person mit Administration darum."), field="roles")
    return None


def update_user(user: User, *, email: str, display_name: str, personnel_number: str | None, language: str,
                organisation: Organisation | None, unit: Unit | None, roles: set[Role], actor: User,
                now: datetime) -> str | None:
    """Change a person's data, placement and roles, as an admin does it; refused, with every reason at once
    (AccountErrors when there are several). A new address is told as change_address says; return what went."""
    email = normalise_email(email)
    if email != user.email:
        take_turns(f"address:{email}")  # as create_user: two claims of one address at once, one after the other
    refuse_if_any(person_problems(email, personnel_number, organisation, user=user, roles=roles, actor=actor))
    wanted = {"email": email, "display_name": display_name.strip(), "personnel_number": personnel_number or None,
              "language": language, "organisation": organisation, "unit": unit}
    # Which data changed, by name (not their values: the log outlives the data it would otherwise copy);
    # the roles say themselves what changed (set_roles). Saved unchanged, nothing is logged.
    changed = [field for field, value in wanted.items() if getattr(user, field) != value]
    moved = unit_move(user.unit_id, unit.id if unit else None)
    # A member of a works council moved to another organisation leaves the one and joins the other: both read it.
    move = (user.organisation_id, organisation.id if organisation else None) if "organisation" in changed else None
    stays_in_council = user.has_role(Role.WORKS_COUNCIL) and Role.WORKS_COUNCIL in roles
    for field in changed:
        if field != "email":
            setattr(user, field, wanted[field])
    set_roles(user, roles, actor=actor, move=move)
    if changed:
        audit.record("user.update", actor=actor, target=user, fields=changed, **moved)
    if move and stays_in_council:
        record_council_move(user, *move, actor=actor)
    return change_address(user, email, actor=actor, now=now) if "email" in changed else None


def change_address(user: User, email: str, *, actor: User | None, now: datetime, **details) -> str | None:
    """Give the person a new sign-in address, whoever changes it (the person page, the CSV import), and tell
    whom it concerns; return what went: "notices", "invitation" or None. details: for the log (source="import").

    The person is signed out everywhere, and links sent to the old address stop working (the address is part of
    them). Someone with a password hears of it at both addresses: the old one, should the change not be their
    wish, is the only place they still could. Someone still invited gets the invitation again at the new one,
    logged as sent again (the button "send it again" then waits as after its own); someone not invited yet stays
    so: the admin chose to invite them later. A deactivated account hears nothing.

    The reset mails counted today go along to the new address (counters.move_reset_counters)."""
    old_email, user.email = user.email, normalise_email(email)
    move_reset_counters(old_email, user.email)
    end_all_sessions(user)
    if not user.active:
        return None
    if user.password_hash:
        send_address_changed(user, old_email, now)
        return "notices"
    if user.invited_at is None:
        return None
    invite_again(user, actor=actor, now=now, **details)
    return "invitation"


def invite(user: User, *, now: datetime) -> None:
    """Send the invitation with a link to set the first password, and note when: the person list tells who has
    had none yet, long after the log's entries have gone."""
    send_password_reset(user, invitation=True)
    user.invited_at = now


def invite_again(user: User, *, actor: User | None, now: datetime, **details) -> None:
    """Send the invitation once more and log it as sent again, whatever sent it (the button, a corrected
    address): the button then waits a few minutes after either."""
    invite(user, now=now)
    audit.record("user.invitation", actor=actor, target=user, **details)


def unit_move(before: int | None, after: int | None) -> dict:
    """The details of a move between units for the log: the units by id, named by what they are called when the
    log is read (the structure of an organisation, not a person's data); {} if there was none."""
    return {} if before == after else {"unit_before": before, "unit_after": after}


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


def is_last_admin(user: User) -> bool:
    """Whether the person is the only active admin, counted in turn with every other change that may take an
    admin away: two admins demoting, deactivating or erasing each other at the same moment both passed the
    count otherwise, and nobody was left to administer the platform."""
    if not user.active or Role.ADMIN not in user.roles:
        return False
    take_turns("admins")
    return count_active_admins() <= 1


def set_password(user: User, password: str) -> None:
    """Set a new password and end every session the user had."""
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere."""
    db.session.execute(UserSession.__table__.delete().where(UserSession.user_id == user.id))


def deactivate(user: User, *, actor: User | None = None, **details) -> None:
    """Block the account from signing in and end its sessions; its data stays. Never the last active admin.
    Already deactivated (the same request sent twice): nothing more happens, and nothing more is logged.
    details go into the log entry (source="import" for the CSV import's)."""
    take_turns(f"account:{user.id}")
    db.session.refresh(user)
    if not user.active:
        return
    if is_last_admin(user):
        raise AccountError(_("Das ist das letzte aktive Administrationskonto; es bleibt aktiv."))
    user.active = False
    user.left_month = to_local(utcnow()).date().replace(day=1)  # for the size of their group in the reports
    end_all_sessions(user)
    audit.record("user.deactivate", actor=actor, target=user, **council_concerned(user), **details)


def person_or_none(user_id: int) -> User | None:
    """The account with this id as the administration may handle it: never an erased account's stand-in, which
    only keeps a place in figures (reactivated and given an address, it would write as the former member)."""
    user = db.session.get(User, user_id)
    return None if user is None or user.is_stand_in else user


def reactivate(user: User, *, actor: User | None = None) -> None:
    """Allow the account to sign in again (never a stand-in's)."""
    if user.is_stand_in:
        raise AccountError(_("Dieses Konto wurde gelöscht."))
    user.active = True
    user.left_month = None
    audit.record("user.reactivate", actor=actor, target=user, **council_concerned(user))


# The states the person list filters by: active accounts, deactivated ones, and those invited without a password.
USER_STATES = ("active", "deactivated", "invited")


def users_matching(query: str = "", *columns) -> Select:
    """Select the people (or only the given columns of them) whose name or address contains every word of the
    query, or whose personnel number it is; never the stand-ins of erased accounts.

    As HR lists write names: "Kowalski, Anna" finds Anna Kowalski; and as keyboards without umlauts do:
    "Oeztuerk", "Ozturk" and "Öztürk" find Öztürk, "Mueller" and "Müller" find both spellings.
    """
    stmt = select(*columns or [User]).where(~User.email.endswith(ERASED_DOMAIN))
    words = query.replace(",", " ").split()
    if words:
        every_word = and_(*(or_(*(contains_folded(column, variant) for variant in _spellings(word)
                                  for column in (User.display_name, User.email))) for word in words))
        stmt = stmt.where(or_(every_word, func.upper(User.personnel_number) == query.strip().upper()))
    return stmt


_SPELT_OUT = re.compile("ae|oe|ue", re.IGNORECASE)


def _spellings(word: str) -> set[str]:
    """The word, with its umlauts spelt out, and with spelt-out ones read as umlauts ("Mueller" → "Müller")."""
    umlauts = {"ae": "ä", "oe": "ö", "ue": "ü"}
    return {word, spelt_out(word), _SPELT_OUT.sub(lambda match: umlauts[match.group(0).lower()], word)}


def search_users(query: str = "", *, organisation_id: int | None = None, unit_id: int | None = None,
                 role: Role | None = None, state: str | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[User], int]:
    """Return one page of users matching the query and filters (with organisation, unit and roles loaded: two
    statements more, however many), and the total count."""
    stmt = users_matching(query)
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    if role is not None:
        stmt = stmt.where(select(UserRole.id).where(UserRole.user_id == User.id, UserRole.role == role).exists())
    if state == "active":
        stmt = stmt.where(User.active.is_(True))
    elif state == "deactivated":
        stmt = stmt.where(User.active.is_(False))
    elif state == "invited":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = db.session.scalars(stmt.options(joinedload(User.organisation), joinedload(User.unit),
                                           selectinload(User.role_rows))
                              .order_by(in_german_order(User.display_name), User.id).limit(limit).offset(offset)).all()
    return list(page), total


def names_of(user_ids: set[int]) -> dict[int, str]:
    """The names of these people by id, leaving out the stand-ins of erased accounts (the audit log names
    those by what it kept: see audit.who_did)."""
    if not user_ids:
        return {}
    stmt = select(User.id, User.display_name).where(User.id.in_(user_ids), ~User.email.endswith(ERASED_DOMAIN))
    return dict(db.session.execute(stmt).all())


def count_active_members(unit_id: int) -> int:
    """How many active accounts belong to the unit."""
    return db.session.scalar(select(func.count(User.id)).where(User.unit_id == unit_id, User.active.is_(True)))


@dataclass(frozen=True)
class UnitChoice:
    """A unit and its organisation, as a list's filter offers it."""

    organisation_id: int
    organisation_name: str
    id: int | None  # None: an organisation without units
    name: str | None


def organisations_and_units(organisation_id: int | None = None) -> list[UnitChoice]:
    """Every organisation (or the one given) with each of its units, in German order of names: one statement."""
    stmt = (select(Organisation.id, Organisation.name, Unit.id, Unit.name)
            .outerjoin(Unit, Unit.organisation_id == Organisation.id)
            .order_by(in_german_order(Organisation.name), Organisation.id, in_german_order(Unit.name)))
    if organisation_id is not None:
        stmt = stmt.where(Organisation.id == organisation_id)
    return [UnitChoice(*row) for row in db.session.execute(stmt)]


def all_organisations() -> list[Organisation]:
    """Return every organisation with its units, ordered by name."""
    stmt = select(Organisation).options(selectinload(Organisation.units)).order_by(in_german_order(Organisation.name))
    return list(db.session.scalars(stmt))

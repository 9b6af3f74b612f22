"""Import the people of one organisation from a CSV file: check every row first, then change all or nothing.

The file is keyed by e-mail address or personnel number within the organisation. Existing people are updated;
cells left empty (or columns left out) keep what is stored, and the roles a row names are *added*: an import
never takes a role away (that stays a deliberate act on the person's page). New people get no password and an
invitation to set one. On request, the organisation's active people whom the file lacks are deactivated (see
csv_leavers).
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from qualify.accounts.addresses import local_part_problem
from qualify.accounts.council_log import record_role_change
from qualify.accounts.csv_file import (
    Header,
    ImportFileError,
    Problem,
    decode,
    filled_width,
    fit_to_header,
    read_header,
    records,
)
from qualify.accounts.csv_leavers import (
    Missing,
    deactivate_leavers,
    find_missing,
    out_of_reach,
    partial_file_problem,
)
from qualify.accounts.models import Organisation, PendingImport, Unit, User, UserRole
from qualify.accounts.roles import Role, parse_role
from qualify.accounts.services import (
    BEYOND_REACH,
    change_address,
    invite,
    normalise_email,
    record_roles_given_at_creation,
    unit_move,
)
from qualify.core import audit
from qualify.core.text import german_sort_key, one_line
from qualify.core.time import utcnow
from qualify.extensions import db

MAX_ROWS = 10_000
PENDING_LIFETIME = timedelta(hours=1)  # from the upload to the confirmation: the preview is looked at, not kept
QUERY_CHUNK = 1_000  # addresses per IN (...) query: far below SQLite's and PostgreSQL's parameter limits
LANGUAGES = {"de": "de", "deutsch": "de", "german": "de", "en": "en", "englisch": "en", "english": "en"}
FIELD_LABELS = {
    "email": _l("E-Mail-Adresse"), "display_name": _l("Name"), "personnel_number": _l("Personalnummer"),
    "unit": _l("Einheit"), "roles": _l("Rollen"), "language": _l("Sprache"),
}
MAX_LENGTHS = {"email": 320, "display_name": 200, "personnel_number": 40}


@dataclass
class Row:
    """One person as the file describes them, and the stored person it matches (None: new)."""

    line: int
    email: str
    display_name: str
    personnel_number: str | None = None
    unit: Unit | None = None
    roles: frozenset[Role] = frozenset()
    language: str | None = None
    user: User | None = None
    changes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        if self.user is None:
            return "new"
        return "changed" if self.changes else "unchanged"

    @property
    def change_details(self) -> list[tuple[str, str, str]]:
        """Each changed field with what is stored and what the file says, as the preview shows them (roles apart:
        see granted_roles)."""
        user = self.user
        stored = {"email": user.email, "display_name": user.display_name, "personnel_number": user.personnel_number,
                  "unit": user.unit.name if user.unit else None, "language": user.language}
        typed = {"email": self.email, "display_name": self.display_name, "personnel_number": self.personnel_number,
                 "unit": self.unit.name if self.unit else None, "language": self.language}
        return [(str(FIELD_LABELS[name]), stored[name] or "–", typed[name] or "–")
                for name in self.changes if name != "roles"]

    @property
    def granted_roles(self) -> list[Role]:
        """The roles importing the row gives: all of a new person's, the added ones of a stored person."""
        granted = (self.roles or {Role.LEARNER}) if self.user is None else self.roles - self.user.roles
        return [role for role in Role if role in granted]

    @property
    def grants_admin(self) -> bool:
        """Whether the row gives administration rights: the network's or an organisation's."""
        return Role.ADMIN in self.granted_roles or Role.ORG_ADMIN in self.granted_roles

    @property
    def inactive(self) -> bool:
        """The row updates a deactivated account (which stays deactivated)."""
        return self.user is not None and not self.user.active


@dataclass
class ImportPlan:
    """What importing a file would do; nothing has been written yet."""

    organisation: Organisation
    text: str = ""
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines_read: int = 0  # the records below the header, those with the wrong number of cells included
    header_line: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    deactivate_missing: bool = False
    missing: Missing | None = None  # who the file lacks, worked out when deactivate_missing and the file is clean

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def lines_with_problems(self) -> int:
        return len({problem.line for problem in self.problems if problem.line is not None})

    @property
    def hints(self) -> list[str]:
        """What would be possible, said once for all the problems that need it."""
        return list(dict.fromkeys(problem.hint for problem in self.problems if problem.hint))

    @property
    def admin_grants(self) -> int:
        return sum(1 for row in self.rows if row.grants_admin)

    @property
    def leavers(self) -> list[User]:
        return self.missing.leavers if self.missing else []

    @property
    def nothing_to_do(self) -> bool:
        return not self.count("new") and not self.count("changed") and not self.leavers

    @property
    def inactive_changes(self) -> int:
        return sum(1 for row in self.rows if row.status == "changed" and row.inactive)

    def changes_to_preview(self, limit: int) -> tuple[list[Row], int]:
        """The new and changed rows to show (the first limit, and every later one granting administration)
        and how many are left out."""
        changed = [row for row in self.rows if row.status != "unchanged"]
        shown = changed[:limit] + [row for row in changed[limit:] if row.grants_admin]
        return shown, len(changed) - len(shown)

    @property
    def fingerprint(self) -> str:
        """Identify the outcome, so a confirmation can tell whether anything changed since the preview."""
        outcome = "\n".join(f"{row.line}:{row.status}:{row.user and row.user.id}:{','.join(row.changes)}:"
                            f"{','.join(row.granted_roles)}:{row.inactive}" for row in self.rows)
        if self.deactivate_missing:  # someone added, deactivated or made an admin meanwhile changes it
            outcome += f"\nmissing:{self.missing.fingerprint if self.missing else ''}"
        return hashlib.sha256(f"{self.organisation.id}\n{outcome}".encode()).hexdigest()


# -- checking each row ---------------------------------------------------------------------------------------

def _unit_lookup(organisation: Organisation) -> dict[str, Unit]:
    units = db.session.scalars(select(Unit).where(Unit.organisation_id == organisation.id)).all()
    lookup = {unit.name.casefold(): unit for unit in units}
    lookup.update({unit.name: unit for unit in units})  # an exact spelling wins over a case-insensitive one
    return lookup


def _email(value: str, line: int, problems: list[Problem]) -> str:
    email = normalise_email(value)
    label = str(FIELD_LABELS["email"])
    if not email:
        problems.append(Problem(line, _("Die E-Mail-Adresse fehlt."), label))
        return email
    if problem := local_part_problem(email):
        problems.append(Problem(line, problem, label))
        return email
    from email_validator import EmailNotValidError, validate_email  # on first use: imports are rare

    try:
        validate_email(email, check_deliverability=False, test_environment=True)  # .test: see email_address
    except EmailNotValidError:
        problems.append(Problem(line, _("„%(value)s“ ist keine gültige E-Mail-Adresse.", value=value.strip()),
                                label))
    return email


def _roles(value: str, line: int, problems: list[Problem]) -> frozenset[Role]:
    roles = set()
    for name in value.replace("|", ",").split(","):
        if not name.strip():
            continue
        role = parse_role(name)
        if role is None:
            problems.append(Problem(line, _("Unbekannte Rolle „%(role)s“.", role=name.strip()),
                                    str(FIELD_LABELS["roles"]),
                                    _("Mögliche Rollen: %(roles)s.", roles=", ".join(role.label for role in Role))))
        else:
            roles.add(role)
    return frozenset(roles)


def _units_hint(units: dict[str, Unit], organisation: Organisation) -> str:
    names = sorted({unit.name for unit in units.values()}, key=german_sort_key)
    if not names:
        return _("%(organisation)s hat keine Einheiten; bitte lassen Sie die Spalte „Einheit“ leer.",
                 organisation=organisation.name)
    return _("Einheiten von %(organisation)s: %(units)s.", organisation=organisation.name, units=", ".join(names))


def parse_row(line: int, cells: list[str], columns: dict[str, int], units: dict[str, Unit],
              organisation: Organisation, problems: list[Problem]) -> Row:
    """Read one record into a Row, adding what is wrong with it to problems."""
    cell = {name: cells[index].strip() for name, index in columns.items()}
    if "display_name" not in cell:  # "Vorname" and "Nachname" columns instead of one with the whole name
        cell["display_name"] = " ".join(part for part in (cell["first_name"], cell["last_name"]) if part)
    row = Row(line=line, email=_email(cell["email"], line, problems), display_name=cell["display_name"],
              personnel_number=one_line(cell.get("personnel_number")) or None)
    if not row.display_name:
        problems.append(Problem(line, _("Der Name fehlt."), str(FIELD_LABELS["display_name"])))
    for name, limit in MAX_LENGTHS.items():
        if len(cell.get(name) or "") > limit:
            problems.append(Problem(line, _("Höchstens %(n)d Zeichen.", n=limit), str(FIELD_LABELS[name])))
    if "\n" in row.display_name or "\r" in row.display_name:
        problems.append(Problem(line, _("Der Name enthält einen Zeilenumbruch."),
                                str(FIELD_LABELS["display_name"])))
    row.display_name = one_line(row.display_name)  # other separators and direction controls: quietly out
    if unit_name := cell.get("unit"):
        row.unit = units.get(unit_name) or units.get(unit_name.casefold())
        if row.unit is None:
            problems.append(Problem(line, _("Die Einheit „%(unit)s“ gibt es bei %(organisation)s nicht.",
                                            unit=unit_name, organisation=organisation.name),
                                    str(FIELD_LABELS["unit"]), _units_hint(units, organisation)))
    row.roles = _roles(cell.get("roles", ""), line, problems)
    if language := cell.get("language"):
        row.language = LANGUAGES.get(language.lower())
        if row.language is None:
            problems.append(Problem(line, _("Unbekannte Sprache „%(value)s“.", value=language),
                                    str(FIELD_LABELS["language"]), _("Mögliche Sprachen: de, en.")))
    return row


def _flag_duplicates(rows: list[Row], problems: list[Problem]) -> None:
    seen_email: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    for row in rows:
        if row.email and row.email in seen_email:
            problems.append(Problem(row.line, _("Die E-Mail-Adresse steht schon in Zeile %(line)d.",
                                                line=seen_email[row.email]), str(FIELD_LABELS["email"])))
        seen_email.setdefault(row.email, row.line)
        if row.personnel_number and row.personnel_number in seen_number:
            problems.append(Problem(row.line, _("Die Personalnummer steht schon in Zeile %(line)d.",
                                                line=seen_number[row.personnel_number]),
                                    str(FIELD_LABELS["personnel_number"])))
        seen_number.setdefault(row.personnel_number, row.line)


# -- matching stored people ----------------------------------------------------------------------------------

@dataclass
class _People:
    by_email: dict[str, User]
    by_number: dict[str, User]
    elsewhere: set[str]  # e-mail addresses of people outside the organisation


def _load_people(organisation: Organisation, emails: set[str]) -> _People:
    """Load the organisation's people and which other addresses are taken, in a few queries for any size."""
    members = db.session.scalars(select(User).where(User.organisation_id == organisation.id)).all()
    by_email = {user.email: user for user in members}
    others = sorted(emails - by_email.keys())
    elsewhere: set[str] = set()
    for start in range(0, len(others), QUERY_CHUNK):
        chunk = others[start:start + QUERY_CHUNK]
        elsewhere.update(db.session.scalars(select(User.email).where(User.email.in_(chunk))))
    return _People(by_email, {u.personnel_number: u for u in members if u.personnel_number}, elsewhere)


def _changes(row: Row, user: User) -> tuple[str, ...]:
    changed = {
        "email": user.email != row.email,
        "display_name": user.display_name != row.display_name,
        "personnel_number": bool(row.personnel_number) and user.personnel_number != row.personnel_number,
        "unit": row.unit is not None and user.unit_id != row.unit.id,
        "language": bool(row.language) and user.language != row.language,
        "roles": bool(row.roles - user.roles),
    }
    return tuple(name for name, differs in changed.items() if differs)


def _match(rows: list[Row], people: _People, problems: list[Problem]) -> None:
    claimed: dict[int, Row] = {}  # user id -> the first row that addresses the person
    for row in rows:
        by_email = people.by_email.get(row.email)
        by_number = people.by_number.get(row.personnel_number) if row.personnel_number else None
        if row.email in people.elsewhere:
            problems.append(Problem(row.line, _("Die E-Mail-Adresse gehört einer Person außerhalb dieser "
                                                "Organisation."), str(FIELD_LABELS["email"])))
        elif by_email and by_number and by_email is not by_number:
            problems.append(Problem(row.line, _("Die Personalnummer %(number)s gehört einer anderen Person "
                                                "als die E-Mail-Adresse.", number=row.personnel_number),
                                    str(FIELD_LABELS["personnel_number"])))
        elif user := by_email or by_number:
            first = claimed.setdefault(user.id, row)
            if first is not row and first.email != row.email:  # the same address is reported as a duplicate
                problems.append(Problem(row.line, _("Zeile %(line)d betrifft schon dieselbe Person.",
                                                    line=first.line)))
            row.user, row.changes = user, _changes(row, user)


def _beyond_reach(rows: list[Row], grantable: frozenset[Role], problems: list[Problem]) -> None:
    """Refuse the rows an importer who may give only some roles (an organisation's administration) may not
    import: those giving another role (the works council's among them), and changes to someone who holds one
    (whose address, changed, could take over an administrator's or a works council member's account;
    csv_leavers.out_of_reach)."""
    for row in rows:
        if refused := [role for role in row.granted_roles if role not in grantable]:
            problems.append(Problem(row.line, _("Diese Rollen vergibt nur die Administration: %(roles)s.",
                                                roles=", ".join(role.label for role in refused)),
                                    str(FIELD_LABELS["roles"])))
        elif row.status == "changed" and out_of_reach(row.user.roles, grantable):
            problems.append(Problem(row.line, str(BEYOND_REACH)))


def plan_import(data: bytes | str, organisation: Organisation, *, deactivate_missing: bool = False,
                grantable: frozenset[Role] = frozenset(Role)) -> ImportPlan:
    """Check a file against the organisation and work out what importing it would do; write nothing.
    deactivate_missing: the file is a full export, and the active people it lacks are to be deactivated.
    grantable: the roles the importer may give (roles.Reach); rows beyond them are refused."""
    plan = ImportPlan(organisation, deactivate_missing=deactivate_missing)
    try:
        plan.text = data if isinstance(data, str) else decode(data)
        found = list(records(plan.text))
    except ImportFileError as error:
        plan.problems.append(Problem(error.line, str(error)))
        return plan
    if not found:
        plan.problems.append(Problem(None, _("Die Datei ist leer.")))
        return plan
    header: Header = read_header(*found[0])
    body = found[1:]
    plan.header_line, plan.ignored_columns, plan.problems = header.line, header.ignored, header.problems
    if plan.problems:
        return plan
    if not body:
        plan.problems.append(Problem(header.line, _("Die Datei enthält nur die Überschriften.")))
    if len(body) > MAX_ROWS:
        plan.problems.append(Problem(None, _("Die Datei hat mehr als %(n)d Zeilen; bitte teilen Sie sie auf.",
                                             n=MAX_ROWS)))
        return plan
    plan.lines_read = len(body)
    units = _unit_lookup(organisation)
    for line, cells in body:
        fitted = fit_to_header(cells, header.width)
        if fitted is None:
            plan.problems.append(Problem(line, _("Die Zeile hat %(found)d statt %(expected)d Spalten.",
                                                 found=filled_width(cells), expected=header.width)))
        else:
            plan.rows.append(parse_row(line, fitted, header.columns, units, organisation, plan.problems))
    _flag_duplicates(plan.rows, plan.problems)
    people = _load_people(organisation, {row.email for row in plan.rows})
    _match(plan.rows, people, plan.problems)
    _beyond_reach(plan.rows, grantable, plan.problems)
    # Only for an otherwise clean file: the figures the guard names must count the rows as they will be imported.
    if deactivate_missing and not plan.problems:
        plan.missing = find_missing(people.by_email.values(), {row.user.id for row in plan.rows if row.user},
                                    grantable=grantable)
        if problem := partial_file_problem(plan.missing, organisation):
            plan.problems.append(problem)
    plan.problems.sort(key=lambda problem: problem.line or 0)
    return plan


# -- writing -------------------------------------------------------------------------------------------------

def _update(row: Row, *, actor: User | None, now: datetime) -> None:
    """Apply a changed row. A new address is told as after a change by hand (services.change_address)."""
    user = row.user
    user.display_name = row.display_name
    user.personnel_number = row.personnel_number or user.personnel_number
    user.unit_id = row.unit.id if row.unit else user.unit_id
    user.language = row.language or user.language
    user.role_rows.extend(UserRole(role=str(role)) for role in row.granted_roles)
    user.known_roles = None
    if user.email != row.email:
        change_address(user, row.email, actor=actor, now=now, source="import")


def apply_import(plan: ImportPlan, *, actor: User | None = None,
                 release_seats: Callable[[User], int] | None = None) -> dict[str, int]:
    """Create and update the people of a clean plan, invite the new ones and deactivate those it found missing;
    the caller commits. The counts include "deactivated" and "released" (seats) when the plan deactivates.

    release_seats(user): gives up a deactivated person's seats in sessions yet to begin (the workshops' own
    function, which the accounts cannot import). Sending invitations builds external links, so this needs a
    request context (the CLI makes one).
    """
    if not plan.ok:
        raise ValueError("a plan with problems cannot be imported")
    if plan.deactivate_missing and release_seats is None:
        raise ValueError("deactivating people needs release_seats")
    organisation = plan.organisation
    created = []
    now = utcnow()
    for row in plan.rows:
        if row.status == "new":
            # Built here rather than with services.create_user, which looks up and flushes once per person.
            user = User(email=row.email, display_name=row.display_name, personnel_number=row.personnel_number,
                        language=row.language or "de", organisation_id=organisation.id,
                        unit_id=row.unit.id if row.unit else None, password_hash=None)
            user.role_rows = [UserRole(role=str(role)) for role in row.granted_roles]
            db.session.add(user)
            created.append(user)
        elif row.status == "changed":
            # As a change on the person's page is logged: the data by name, the roles as a change of roles
            # (which the log's filter for them finds); both marked as the import's.
            if fields := [name for name in row.changes if name != "roles"]:
                moved = unit_move(row.user.unit_id, row.unit.id) if row.unit else {}
                audit.record("user.update", actor=actor, target=row.user, source="import", fields=fields, **moved)
            if row.granted_roles:
                record_role_change(row.user, added=row.granted_roles, removed=[], actor=actor, source="import")
            _update(row, actor=actor, now=now)
    db.session.flush()
    for user in created:
        roles = sorted(role_row.role for role_row in user.role_rows)
        audit.record("user.create", actor=actor, target=user, source="import", roles=roles)
        record_roles_given_at_creation(user, roles, actor=actor, source="import")
        invite(user, now=now)
    counts = {"created": len(created), "updated": plan.count("changed"), "unchanged": plan.count("unchanged")}
    if plan.deactivate_missing:
        counts["released"] = deactivate_leavers(plan.leavers, actor=actor, release_seats=release_seats)
        counts["deactivated"] = len(plan.leavers)
    audit.record("users.import", actor=actor, target=organisation, organisation=organisation.slug, **counts)
    return counts


# -- keeping an uploaded file from the preview to the confirmation ----------------------------------------

def keep_upload(data: bytes, organisation: Organisation, *, deactivate_missing: bool, uploaded_by: User,
                now: datetime) -> PendingImport:
    """Keep an uploaded file for its preview and confirmation, which read it again (the page after an upload is
    one of its own, so that the browser's back button never sends the file again): under a random key, for the
    uploader only, for PENDING_LIFETIME. Deletes the kept files that have expired meanwhile."""
    purge_pending_imports(now)
    pending = PendingImport(key=secrets.token_urlsafe(32), uploaded_by_id=uploaded_by.id,
                            organisation_id=organisation.id, deactivate_missing=deactivate_missing, content=data,
                            created_at=now)
    db.session.add(pending)
    db.session.flush()
    return pending


def pending_import(key: str, *, uploaded_by: User, now: datetime) -> PendingImport | None:
    """The file kept under this key, if this person uploaded it and it has not expired; None for any other key
    alike – someone else's, a guessed one or an expired one."""
    return db.session.scalar(select(PendingImport).where(
        PendingImport.key == key, PendingImport.uploaded_by_id == uploaded_by.id,
        PendingImport.created_at >= now - PENDING_LIFETIME))


def purge_pending_imports(now: datetime) -> int:
    """Delete the kept files that have expired (with every upload, and nightly); return how many."""
    return db.session.execute(delete(PendingImport).where(
        PendingImport.created_at < now - PENDING_LIFETIME)).rowcount


def drop_uploads_naming(person: User, *, now: datetime) -> int:
    """Delete the kept files that name the person – their address in any upload, their personnel number in an
    upload for their organisation (the only one where it is theirs) – as their account is erased: the preview of
    someone else's upload must not show them again, nor its confirmation create their account anew. A file that
    cannot be read goes too: it might name them. Return how many files went (the expired ones not counted)."""
    purge_pending_imports(now)
    kept = db.session.execute(select(PendingImport.id, PendingImport.organisation_id, PendingImport.content)).all()
    email = normalise_email(person.email)
    naming = [row.id for row in kept if _names(row.content, email, person.personnel_number
                                                if row.organisation_id == person.organisation_id else None)]
    if naming:
        db.session.execute(delete(PendingImport).where(PendingImport.id.in_(naming)))
    return len(naming)


def _names(content: bytes, email: str, personnel_number: str | None) -> bool:
    """Whether a cell of the file holds the address (compared as the import compares) or the personnel number."""
    try:
        for _line, cells in records(decode(content)):
            for cell in cells:
                if normalise_email(cell) == email or (personnel_number and one_line(cell) == personnel_number):
                    return True
    except ImportFileError:
        return True
    return False

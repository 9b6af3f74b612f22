"""Organisations and their units, as the administration (and `qualify users add-organisation`) manages them.

The changes are audited: a unit's name and the small-group threshold decide what works councils see in reports.
"""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from qualify.accounts.models import DEFAULT_SMALL_GROUP_THRESHOLD, ERASED_DOMAIN, Organisation, Unit, User
from qualify.accounts.services import AccountError, AccountErrors, create_organisation, get_organisation, slugify
from qualify.accounts.small_groups import MIN_THRESHOLD
from qualify.core import audit
from qualify.core.database import in_german_order
from qualify.core.i18n import quoted
from qualify.core.text import one_line
from qualify.extensions import db
from qualify.reports.models import ParticipationRollup, UnitHeadcount

MAX_SMALL_GROUP_THRESHOLD = 999
MAX_NAME_LENGTH = 200  # of organisations and units, as their columns hold


def _plain_name(name: str, *, field: str) -> str:
    """A name on one line (see core.text.one_line), not empty and short enough for its column."""
    name = one_line(name or "")
    if not name:
        raise AccountError(_("Bitte geben Sie einen Namen ein."), field=field)
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(_("„%(name)s“ ist zu lang: höchstens %(max)d Zeichen.", name=name[:40] + "…",
                             max=MAX_NAME_LENGTH), field=field)
    return name


def check_small_group_threshold(value: int) -> None:
    """The smallest group reports show, as agreed with the works council: never below 3 (accounts.small_groups)."""
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


def _already_there(names: list[str], organisation: Organisation, *, field: str) -> AccountError:
    return AccountError(ngettext("Die Einheit %(names)s gibt es bei %(organisation)s schon.",
                                 "Die Einheiten %(names)s gibt es bei %(organisation)s schon.", len(names),
                                 names=quoted(*names), organisation=organisation.name), field=field)


def _new_unit_names(names, organisation: Organisation | None) -> list[str]:
    """Check the names of units to add: each on one line, none twice, none the organisation has already.

    Names are compared regardless of case: the CSV import finds units that way, so "Montage" and "montage" in
    one organisation would be one unit to it.
    """
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
                                    names=quoted(*twice)), field="units")
    return cleaned


def unit_names(text: str) -> list[str]:
    """Split what was typed into a text area, one unit per line, into names; blank lines do not count."""
    return [line for line in (text or "").splitlines() if line.strip()]


def _new_slug(slug: str | None, name: str | None) -> str | None:
    """The slug typed, or else one made from the name, once checked; None without either to check."""
    slug = (slug or "").strip()
    if not slug:
        if name is None:  # the name was refused: that is said at the name
            return None
        slug = slugify(name)
        if not slug:
            raise AccountError(_("Aus diesem Namen lässt sich kein Kürzel bilden. Bitte geben Sie eines an."),
                               field="slug")
    if slug != slugify(slug):
        raise AccountError(_("Nur a–z, 0–9 und Bindestriche, ohne Umlaute und Leerzeichen."), field="slug")
    holder = get_organisation(slug)
    if holder is not None:
        raise AccountError(_("Das Kürzel „%(slug)s“ hat schon die Organisation „%(name)s“. Bitte wählen Sie ein "
                             "anderes Kürzel.", slug=slug, name=holder.name), field="slug")
    return slug


class _Problems(list):
    """The refusals of one request, collected field by field rather than stopping at the first."""

    def checked(self, check, *args, **kwargs):
        """Return what the check returns, or None when it refuses (the refusal is kept)."""
        try:
            return check(*args, **kwargs)
        except AccountError as error:
            self.append(error)
            return None

    def refuses(self, check, *args, **kwargs) -> bool:
        """Whether the check refuses (the refusal is kept)."""
        before = len(self)
        self.checked(check, *args, **kwargs)
        return len(self) > before

    def raise_any(self) -> None:
        if len(self) == 1:
            raise self[0]
        if self:
            raise AccountErrors(list(self))


def _checked_new_organisation(name: str, slug: str | None, small_group_threshold: int | None, units
                              ) -> tuple[tuple[str, str, int, list[str]], _Problems]:
    problems = _Problems()
    name = problems.checked(_plain_name, name, field="name")
    if name is not None and problems.refuses(_check_organisation_name, name):
        name = None  # taken: a slug made from it would only say so again, at the slug
    slug = problems.checked(_new_slug, slug, name)
    threshold = DEFAULT_SMALL_GROUP_THRESHOLD if small_group_threshold is None else small_group_threshold
    problems.refuses(check_small_group_threshold, threshold)
    names = problems.checked(_new_unit_names, units, None)
    return (name, slug, threshold, names), problems


def new_organisation_problems(name: str, *, slug: str | None = None, small_group_threshold: int | None = None,
                              units=()) -> list[AccountError]:
    """Every reason add_organisation would refuse these, each at its field, to show them all at once."""
    return list(_checked_new_organisation(name, slug, small_group_threshold, units)[1])


def add_organisation(name: str, *, slug: str | None = None, small_group_threshold: int | None = None,
                     units=(), actor: User | None = None) -> Organisation:
    """Create an organisation, with units if given; without a slug, one is made from the name.

    Refused, it says every reason at once (AccountErrors when there are several).
    """
    (name, slug, threshold, names), problems = _checked_new_organisation(name, slug, small_group_threshold, units)
    problems.raise_any()
    organisation = create_organisation(slug, name, names)
    organisation.small_group_threshold = threshold
    audit.record("organisation.create", actor=actor, target=organisation, name=name, slug=slug,
                 small_group_threshold=threshold, units=names)
    return organisation


def _checked_settings(organisation: Organisation, name: str, small_group_threshold: int | None
                      ) -> tuple[str | None, _Problems]:
    problems = _Problems()
    name = problems.checked(_plain_name, name, field="name")
    if name is not None and name != organisation.name:
        problems.refuses(_check_organisation_name, name, organisation)
    problems.refuses(check_small_group_threshold, small_group_threshold)
    return name, problems


def organisation_settings_problems(organisation: Organisation, *, name: str,
                                   small_group_threshold: int | None) -> list[AccountError]:
    """Every reason update_organisation would refuse these, each at its field, to show them all at once."""
    return list(_checked_settings(organisation, name, small_group_threshold)[1])


def update_organisation(organisation: Organisation, *, name: str, small_group_threshold: int,
                        actor: User | None = None) -> None:
    """Rename the organisation and set its small-group threshold; each change is audited on its own."""
    name, problems = _checked_settings(organisation, name, small_group_threshold)
    problems.raise_any()
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


# The accounts an administrator counts: active and deactivated ones, never the stand-ins of erased accounts. A
# stand-in keeps the unit its person had, for the report figures of the months they took part in, but it is
# nobody the administration can see, open or move (services.person_or_none).
MEMBER = ~User.email.endswith(ERASED_DOMAIN)


def unit_members(unit: Unit) -> int:
    """Count the people in the unit: active and deactivated accounts, not the stand-ins of erased ones."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.unit_id == unit.id, MEMBER))


def unit_removal_problem(unit: Unit, *, lock: bool = False) -> str | None:
    """Say why the unit cannot be removed now, or None when it can.

    People in it would lose their unit without anyone deciding where they belong, and the report figures of
    past months would lose the unit's rows (their foreign key cascades), changing numbers the works council saw.
    """
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
    # Stand-ins of erased accounts may be left in it (unit_members does not count them): they stay in the
    # organisation, without a unit. No counted month has figures of the unit, or it would stay; months counted
    # later count them under the organisation, as they do everyone of it without a unit.
    db.session.execute(update(User).where(User.unit_id == unit.id).values(unit_id=None)
                       .execution_options(synchronize_session=False))
    db.session.delete(unit)
    db.session.flush()


def organisation_overview(organisation_id: int | None = None
                          ) -> list[tuple[Organisation, int, list[tuple[Unit, int]]]]:
    """Every organisation (or one) with its number of accounts, and its units with theirs, in two statements.

    Accounts are counted as unit_members counts them. Read the units from the result, not from
    organisation.units, which would load them once per organisation.
    """
    people = (select(func.count()).select_from(User).where(User.organisation_id == Organisation.id, MEMBER)
              .correlate(Organisation).scalar_subquery())
    stmt = select(Organisation, people).order_by(in_german_order(Organisation.name), Organisation.id)
    if organisation_id is not None:
        stmt = stmt.where(Organisation.id == organisation_id)
    organisations = db.session.execute(stmt).all()
    members = (select(func.count()).select_from(User).where(User.unit_id == Unit.id, MEMBER)
               .correlate(Unit).scalar_subquery())
    units_stmt = select(Unit, members).order_by(in_german_order(Unit.name), Unit.id)
    if organisation_id is not None:
        units_stmt = units_stmt.where(Unit.organisation_id == organisation_id)
    units: dict[int, list[tuple[Unit, int]]] = {}
    if organisations:
        for unit, count in db.session.execute(units_stmt):
            units.setdefault(unit.organisation_id, []).append((unit, count))
    return [(organisation, count, units.get(organisation.id, [])) for organisation, count in organisations]

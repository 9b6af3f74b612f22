"""People missing from a full HR export: whom importing it deactivates, who stays, and the guard against a file
that holds only part of the organisation.

Administrators are never deactivated by an import, only listed: the admin importing would lock themselves out,
the last active admin must stay, and an administrator missing from an HR export is as often an account of the
network office as someone who left. Deactivating one stays a deliberate act on the person's page. Nor does an
importer who may give only some roles (an organisation's administration) deactivate someone holding another (the
network's coordination, the works council): each is listed with the roles that keep them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from qualify.accounts.csv_file import Problem
from qualify.accounts.models import Organisation, User
from qualify.accounts.roles import Role
from qualify.accounts.services import deactivate
from qualify.core.text import german_sort_key


@dataclass(frozen=True)
class Kept:
    """Someone missing from the file who stays active, and the roles that keep them (as the preview names them)."""

    user: User
    roles: tuple[Role, ...]

    @property
    def role_labels(self) -> str:
        return ", ".join(role.label for role in self.roles)


@dataclass
class Missing:
    """The organisation's active people whom no row of the file matches (by e-mail or personnel number)."""

    leavers: list[User]  # deactivated by the import
    kept: list[Kept]  # administrators and others beyond the importer's reach: they stay active
    active: int  # the organisation's active people, those missing included

    @property
    def fingerprint(self) -> str:
        return (f"{','.join(str(user.id) for user in self.leavers)}:"
                f"{','.join(str(each.user.id) for each in self.kept)}:{self.active}")


ADMINISTRATION = frozenset({Role.ADMIN, Role.ORG_ADMIN})


def out_of_reach(roles: frozenset[Role], grantable: frozenset[Role]) -> tuple[Role, ...]:
    """The roles for which an importer who may give `grantable` leaves the account alone: those it may not give
    (for an organisation's administration the works council's among them), as on the person's page
    (roles.Reach.may_change)."""
    return tuple(role for role in Role if role in roles and role not in grantable)


def keeping_roles(user: User, grantable: frozenset[Role]) -> tuple[Role, ...]:
    """The roles for which an import leaves the person active: the administration's (the network's and an
    organisation's) and those out of the importer's reach; none for anybody else."""
    beyond = out_of_reach(user.roles, grantable)
    return tuple(role for role in Role if role in user.roles and (role in ADMINISTRATION or role in beyond))


def find_missing(members: Iterable[User], matched: set[int], *,
                 grantable: frozenset[Role] = frozenset(Role)) -> Missing:
    """Sort the organisation's active members that no row matched into leavers and administrators who stay: the
    network's and the organisation's, and, for an importer who may give only some roles (an organisation's
    administration), whoever holds another.

    members: all of the organisation's people, their roles loaded (no statement here, whatever their number).
    """
    active = [user for user in members if user.active]
    missing = sorted((user for user in active if user.id not in matched),
                     key=lambda user: (german_sort_key(user.display_name), user.id))

    kept = {user.id: roles for user in missing if (roles := keeping_roles(user, grantable))}
    return Missing([user for user in missing if user.id not in kept],
                   [Kept(user, kept[user.id]) for user in missing if user.id in kept], len(active))


def partial_file_problem(missing: Missing, organisation: Organisation) -> Problem | None:
    """Refuse a file that would deactivate more than half of the organisation's active people: far more often a
    partial export (one site, one department) than that many leavers. Refused rather than confirmed once more: an
    extra click is given out of habit, and a seat released cannot be given back. The rare real case is done by
    hand."""
    if len(missing.leavers) * 2 <= missing.active:
        return None
    return Problem(None, _("Die Datei würde %(num)d von %(total)d aktiven Personen von %(organisation)s "
                           "deaktivieren – mehr als die Hälfte. Meist ist das ein unvollständiger Export (etwa nur "
                           "ein Standort oder eine Abteilung); deshalb wird niemand deaktiviert.",
                           num=len(missing.leavers), total=missing.active, organisation=organisation.name),
        hint=_("Bitte prüfen Sie, ob die Datei alle Beschäftigten enthält. Sind wirklich so viele Personen "
               "ausgeschieden, importieren Sie die Datei, ohne Fehlende deaktivieren zu lassen, und deaktivieren "
               "Sie die Ausgeschiedenen auf ihren Seiten in der Personenverwaltung."))


def deactivate_leavers(leavers: list[User], *, actor: User | None,
                       release_seats: Callable[[User], int]) -> int:
    """Deactivate each person as an admin does by hand (signed out everywhere, logged as the import's) and give
    up their seats in sessions yet to begin; return how many seats were released.

    release_seats comes from the caller: the workshops sit above the accounts and are not imported here.
    """
    released = 0
    for user in leavers:
        deactivate(user, actor=actor, source="import")
        released += release_seats(user)
    return released

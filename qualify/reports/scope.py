"""Who may see which participation figures: the scope of a person and the filters read from the URL."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, select

from qualify.accounts.models import Organisation, Unit
from qualify.accounts.roles import Role
from qualify.accounts.small_groups import threshold
from qualify.core.database import in_german_order, run
from qualify.courses.models import KINDS
from qualify.extensions import db
from qualify.reports import rollup

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class OutOfScope(Exception):
    """The filter names something (a unit, an organisation) outside what this person may see."""


@dataclass(frozen=True)
class Scope:
    """What a person may see: one organisation by unit, or (organisation_id None) the network by organisation.

    Plain values, not ORM objects: they outlive the commit of the access log without reloading.
    """

    organisation_id: int | None
    organisation_name: str | None
    k: int
    groups: tuple[
        tuple[int, str], ...
    ] = ()  # the organisations of the network, or the units of the organisation

    @property
    def network(self) -> bool:
        return self.organisation_id is None


@dataclass(frozen=True)
class Filters:
    first: date | None = None
    last: date | None = None
    organisation_id: int | None = None
    unit_id: int | None = None
    course_id: int | None = None
    kind: str | None = None
    metric: str = "active"

    def as_args(self) -> dict[str, str]:
        """Return the filters as the query arguments that reproduce them."""
        args = {
            "von": self.first and self.first.strftime("%Y-%m"),
            "bis": self.last and self.last.strftime("%Y-%m"),
            "organisation": self.organisation_id,
            "bereich": self.unit_id,
            "kurs": self.course_id,
            "art": self.kind,
            "kennzahl": self.metric,
        }
        return {name: str(value) for name, value in args.items() if value is not None}


@cache
def _organisation_statement():
    # The organisation with each of its units, one row per unit (a single row without units).
    return (select(Organisation.id, Organisation.name, Organisation.small_group_threshold,
                   Unit.id.label("unit_id"), Unit.name.label("unit_name"))
            .outerjoin(Unit, Unit.organisation_id == Organisation.id)
            .where(Organisation.id == bindparam("organisation_id")).order_by(in_german_order(Unit.name)))


def scope_for(user) -> Scope:
    """Return what the person may see: coordinators the network, works councils their own organisation."""
    if user.has_role(Role.COORDINATOR):
        organisations = list(db.session.scalars(select(Organisation).order_by(in_german_order(Organisation.name))))
        k = threshold(max((o.small_group_threshold for o in organisations), default=None))
        return Scope(None, None, k, tuple((o.id, o.name) for o in organisations))
    rows = []
    if user.has_role(Role.WORKS_COUNCIL) and user.organisation_id is not None:
        rows = run(_organisation_statement(), organisation_id=user.organisation_id).all()
    if not rows:
        raise OutOfScope("no organisation to report on")
    organisation = rows[0]
    return Scope(
        organisation.id,
        organisation.name,
        threshold(organisation.small_group_threshold),
        tuple((row.unit_id, row.unit_name) for row in rows if row.unit_id is not None),
    )


def parse_filters(args: Mapping[str, str], scope: Scope) -> Filters:
    """Read the filters from query arguments; whole months and whole units only, nothing outside the scope."""
    unit_id = _integer(args.get("bereich"))
    organisation_id = _integer(args.get("organisation")) if scope.network else None
    ids = {key for key, _name in scope.groups}
    if unit_id is not None and (scope.network or unit_id not in ids):
        raise OutOfScope("unit")
    if organisation_id is not None and organisation_id not in ids:
        raise OutOfScope("organisation")
    kind = args.get("art") or None
    metric = args.get("kennzahl") or "active"
    return Filters(
        first=_month(args.get("von")),
        last=_month(args.get("bis")),
        organisation_id=organisation_id,
        unit_id=unit_id,
        course_id=_integer(args.get("kurs")),
        kind=kind if kind in KINDS else None,
        metric=metric if metric in rollup.METRICS else "active",
    )


def _integer(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdecimal() and len(text) < 10 else None


def _month(text: str | None) -> date | None:
    match = MONTH_PATTERN.match(text or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        return None
    return date(int(match[1]), int(match[2]), 1)


def units_of(scope: Scope) -> list[tuple[int, str]]:
    """Return (id, name) of the units a works council may filter by."""
    return [] if scope.network else list(scope.groups)

"""Figures withheld once stay withheld: the memory of what the protected tables withheld after earlier counts.

Protection is decided over all counted months together (services). A new month changes the lines that run
through the months, and without this memory the complement chosen in an older, frozen month could move: a
figure withheld yesterday would be published today, and yesterday's saved CSV (its total) with today's (the
former complement) would give away the cell yesterday's protection hid. So every withheld cell is written
down when its family of tables is protected, and every later protection starts from them as already withheld
(withholding more later is fine; publishing what was withheld is not).

Cells counting fewer than MIN_THRESHOLD people are not written down: they are withheld under every K by their
own count, which a frozen month keeps. What is kept are coordinates of aggregate cells, no person.
"""

from collections import defaultdict
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, select

from qualify.accounts.small_groups import MIN_THRESHOLD
from qualify.core.database import insert_on_conflict, run
from qualify.extensions import db
from qualify.reports.models import WithheldCell
from qualify.reports.scope import Scope

NONE = "-"  # a coordinate that is None: people without a unit, all courses, all kinds

# A cell of a family, as services keys it: (group, month, metric, course_id, kind)
Cell = tuple[int | None, date, str, int | None, str | None]


def table_key(scope: Scope, family: str) -> str:
    """Name a family of protected tables of a scope, the same in every worker and after every count."""
    owner = "network" if scope.network else f"organisation {scope.organisation_id}"
    return f"{owner}/{family}"


def _coordinates(cell: Cell) -> str:
    group, _month, metric, course_id, kind = cell
    return "|".join(NONE if part is None else str(part) for part in (group, metric, course_id, kind))


def _cell(month: date, coordinates: str) -> Cell | None:
    try:
        group, metric, course_id, kind = coordinates.split("|")
        return (None if group == NONE else int(group), month, metric,
                None if course_id == NONE else int(course_id), None if kind == NONE else kind)
    except ValueError:
        return None  # written by another version: ignored, as are cells no longer in the tables


@cache
def _load_statement():
    return (select(WithheldCell.table_key, WithheldCell.month, WithheldCell.cell)
            .where(WithheldCell.table_key.in_(bindparam("keys", expanding=True))))


def load(scope: Scope, families: list[str]) -> dict[str, set[Cell]]:
    """Return the cells withheld after earlier counts, per family, in one statement."""
    families_of = {table_key(scope, family): family for family in families}
    withheld: dict[str, set[Cell]] = defaultdict(set)
    for key, month, coordinates in run(_load_statement(), keys=list(families_of)):
        if (cell := _cell(month, coordinates)) is not None:
            withheld[families_of[key]].add(cell)
    return withheld


def store(scope: Scope, hidden: dict[str, dict[Cell, int]], earlier: dict[str, set[Cell]],
          counted_at: datetime) -> int:
    """Write down the newly withheld cells of the families (family: {cell: count}) in one INSERT; return how many.

    Insert only, and a cell another worker wrote meanwhile is left as it is: protection is deterministic, so both
    withheld the same. Sorted, so that two transactions writing the same cells take their locks in one order.
    """
    rows = sorted(
        (table_key(scope, family), cell[1], _coordinates(cell))
        for family, cells in hidden.items()
        for cell, value in cells.items()
        if value >= MIN_THRESHOLD and cell not in earlier.get(family, ())
    )
    if rows:
        db.session.execute(
            insert_on_conflict(WithheldCell.__table__).on_conflict_do_nothing(),
            [{"table_key": key, "month": month, "cell": cell, "counted_at": counted_at} for key, month, cell in rows],
        )
    return len(rows)

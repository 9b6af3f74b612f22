"""Participation figures for the dashboard: read from the rollups only, protected before anyone sees them.

Suppression is decided on the whole table of the scope (every group, every counted month) and only then cut
down to the unit and period asked for: changing those filters shows a different part of one protected table,
never a differently protected one (see docs/reporting.md). What was withheld after one count stays withheld
after the next (reports/withheld.py).
"""

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qualify.core.database import in_german_order, run
from qualify.courses.catalogue import catalogue_stamp
from qualify.courses.models import Course
from qualify.extensions import db
from qualify.reports import rollup, withheld
from qualify.reports.models import ParticipationRollup, RollupMonth, UnitHeadcount
from qualify.reports.scope import Filters, Scope
from qualify.reports.suppression import complementary_suppression, primary_suppression, published_total, share

METRIC_LABELS = {
    "enrolled": _l("Neu eingeschrieben"),
    "active": _l("Aktiv"),
    "modules_completed": _l("Module abgeschlossen"),
    "courses_completed": _l("Kurse abgeschlossen"),
    "workshop_booked": _l("Workshop gebucht"),
    "workshop_attended": _l("Workshop teilgenommen"),
    "exchange_posted": _l("Im Austausch geschrieben"),
}
DEFAULT_MONTHS = 6


@dataclass
class Figure:
    count: int | None  # None: withheld ("< K")
    share: float | None = None


@dataclass
class Row:
    label: str
    headcount: Figure
    cells: list[Figure]


@dataclass
class Table:
    columns: list[str]
    rows: list[Row]
    total: Row | None


@dataclass
class Report:
    scope: Scope
    filters: Filters
    months: list[date] = field(default_factory=list)  # every counted month, for the period choice
    period: list[date] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    groups: list[tuple[int | None, str]] = field(default_factory=list)
    overview: Table | None = None
    trend: Table | None = None
    counted_at: datetime | None = None
    course_titles: tuple[tuple[int, str], ...] = ()  # (id, title) of every course, for the course filter
    course_languages: dict[int, str] = field(default_factory=dict)  # the language each title is written in
    key: tuple = ()  # the same for every report built from the same rollups, courses, scope and filters

    @property
    def k(self) -> int:
        return self.scope.k


@cache
def _counted_months_statement():
    # Each counted month with the rollups' highest id: every count inserts new rows, so the id also tells
    # a count in the same instant apart. (Counting the rows scanned the table on every page.) The courses'
    # stamp (catalogue_stamp) rides along, so that the titles for the course filter are kept until one changes.
    highest = select(func.max(ParticipationRollup.id)).scalar_subquery()
    courses = select(func.count(Course.id)).scalar_subquery()
    changed = select(func.max(Course.updated_at)).scalar_subquery()
    return (select(RollupMonth.month, RollupMonth.counted_at, highest.label("highest"), courses.label("courses"),
                   changed.label("courses_changed"))
            .order_by(RollupMonth.month))


@cache
def _course_titles_statement():
    # Drafts are not offered: their titles are the authors' work in progress, and nobody has taken part yet.
    return (select(Course.id, Course.title, Course.language).where(Course.status == "published")
            .order_by(in_german_order(Course.title)))


def metrics_for(kind: str | None) -> list[str]:
    """Return the metrics that can be shown for a module kind (or for all kinds)."""
    return list(rollup.KIND_METRICS if kind else rollup.METRICS)


def participation_report(scope: Scope, filters: Filters) -> Report:
    """Build the protected tables for the filters from the rollups; kept until a count or a course changes."""
    rows = run(_counted_months_statement()).all()
    counted = tuple((row.month, row.counted_at) for row in rows)
    fingerprint = (rows[0].highest if rows else None,)
    courses = (rows[0].courses, rows[0].courses_changed) if rows else catalogue_stamp()
    key = (scope, filters, counted, fingerprint, courses)
    if key in _REPORTS:
        return _REPORTS[key]
    report = _build_report(scope, filters, counted, fingerprint)
    rows = list(run(_course_titles_statement()))  # for the course filter
    report.course_titles = tuple((row.id, row.title) for row in rows)
    report.course_languages = {row.id: row.language for row in rows}
    report.key = key
    if len(_REPORTS) >= PROTECTED_TABLES_KEPT:
        _REPORTS.clear()
    _REPORTS[key] = report
    return report


def _build_report(scope: Scope, filters: Filters, counted: tuple, fingerprint: tuple) -> Report:
    months = [month for month, _at in counted]
    metrics = metrics_for(filters.kind)
    metric = filters.metric if filters.metric in metrics else "active"
    if not months:
        return Report(scope=scope, filters=filters, metrics=metrics)
    first, last = _period(months, filters)
    filters = Filters(
        first, last, filters.organisation_id, filters.unit_id, filters.course_id, filters.kind, metric
    )
    counted_at = max(at for _month, at in counted)
    groups, values, hidden, group_sizes = _protected_table(scope, filters, tuple(months), tuple(metrics), counted_at,
                                                           fingerprint)
    shown = [(key, label) for key, label in groups if _wanted(key, scope, filters)]
    period = [m for m in months if first <= m <= last]
    view = _View(values, hidden, group_sizes, scope.k)
    return Report(
        scope=scope,
        filters=filters,
        months=months,
        period=period,
        metrics=metrics,
        groups=shown,
        overview=view.table(shown, [(last, m) for m in metrics], headcount_at=(last, metric)),
        trend=view.table(shown, [(m, metric) for m in period], headcount_at=(last, metric)),
        counted_at=counted_at,
    )


def _protected_table(scope: Scope, filters: Filters, months: tuple, metrics: tuple, counted_at, fingerprint) -> tuple:
    """Return (groups, values, hidden cells, group sizes) for a scope, course and kind.

    The protection depends only on the rollups, which change only when they are counted again, so the result is
    kept per worker until the next count (counted_at is part of the key). Period and unit filters only cut it down.
    """
    table = (filters.course_id, filters.kind)
    key = (scope, table, months, counted_at, fingerprint)
    if key in _PROTECTED:
        _PROTECTED.move_to_end(key)
        return _PROTECTED[key]
    groups, tables, group_sizes = _protected_family(scope, _family_of(table), months, counted_at, fingerprint)
    if table in tables:
        values, hidden = tables[table]
    else:  # nobody of the scope took part in this course (or kind): every figure is 0, and withheld
        values = dict.fromkeys(((key, month, metric) for key, _label in groups for month in months
                                for metric in metrics), 0)
        hidden = set(values)
    _PROTECTED[key] = (groups, values, hidden, group_sizes)
    while len(_PROTECTED) > PROTECTED_TABLES_KEPT:
        _PROTECTED.popitem(last=False)
    return _PROTECTED[key]


# The tables are protected in families, each together with its siblings: "all courses, all kinds" alone; every
# course (all kinds); every kind (all courses); every course with every kind. A course's figures are protected
# with the other courses' in view – all courses minus the published ones must not describe a handful of people
# (docs/reporting.md) – and against their whole, the family above, which they never change.
TOP, COURSES, KINDS, BOTH = "top", "courses", "kinds", "both"
WIDER = {TOP: (), COURSES: (TOP,), KINDS: (TOP,), BOTH: (TOP, COURSES, KINDS)}


def _family_of(table: tuple) -> str:
    course_id, kind = table
    if course_id is None:
        return TOP if kind is None else KINDS
    return COURSES if kind is None else BOTH


def _protected_family(scope: Scope, family: str, months: tuple, counted_at, fingerprint) -> tuple:
    """Return (groups, {(course_id, kind): (values, hidden)}, group sizes) for a family of tables, protected
    together; kept per worker until the next count.

    The wider families it is a part of are protected first, those not kept yet along with it. A cell withheld
    after an earlier count stays withheld (reports/withheld.py): what was withheld is read for all of these
    families in one statement and what is newly withheld written in one, before any of them is kept.
    """
    keys = {each: (scope, each, months, counted_at, fingerprint) for each in (*WIDER[family], family)}
    if keys[family] in _FAMILIES:
        _FAMILIES.move_to_end(keys[family])
        return _FAMILIES[keys[family]]
    for key in keys.values():
        if key in _FAMILIES:
            _FAMILIES.move_to_end(key)
    missing = [each for each, key in keys.items() if key not in _FAMILIES]  # the widest first
    earlier = withheld.load(scope, missing)
    protected = {}
    for each in missing:
        wholes = {}  # the wider tables, protected before: the family's tables are parts of them
        for wider in WIDER[each]:
            wholes.update((protected[wider] if wider in protected else _FAMILIES[keys[wider]])[1])
        protected[each] = _protect_family(scope, each, months, wholes, earlier.get(each, set()))
    withheld.store(scope, {each: _withheld_cells(protected[each][1]) for each in missing}, earlier, counted_at)
    for each in missing:
        _FAMILIES[keys[each]] = protected[each]
    while len(_FAMILIES) > FAMILIES_KEPT:
        _FAMILIES.popitem(last=False)
    return protected[family]


def _protect_family(scope: Scope, family: str, months: tuple, wholes: dict, earlier: set) -> tuple:
    """Protect one family of tables against its wholes, every cell in `earlier` withheld from the start."""
    sizes = _headcounts(scope)
    groups = _groups(scope, sizes)
    metrics = metrics_for(None if family in (TOP, COURSES) else "kind")
    cells = _rollups(scope, courses=family in (COURSES, BOTH), kinds=family in (KINDS, BOTH))
    tables, group_sizes = {}, {}
    for table, table_cells in cells.items():
        values, group_sizes = _cube(table_cells, sizes, groups, list(months), list(metrics), scope.k)
        tables[table] = values
    if family == TOP:
        tables.setdefault((None, None), _cube({}, sizes, groups, list(months), list(metrics), scope.k)[0])
    if not group_sizes:
        group_sizes = _cube({}, sizes, groups, list(months), list(metrics), scope.k)[1]
    protected = _protect_together(tables, wholes, group_sizes, scope.k, earlier)
    return groups, protected, group_sizes


def _withheld_cells(tables: dict) -> dict:
    """The withheld cells of a protected family with their counts, keyed as _protect_together keys them."""
    return {(*cell, *table): values[cell] for table, (values, hidden) in tables.items() for cell in hidden}


def _protect_together(tables: dict, wholes: dict, group_sizes: dict, k: int, earlier: set = frozenset()) -> dict:
    """Protect tables of one family as one: cells keyed (group, month, metric, course_id, kind).

    The cells in `earlier`, withheld after an earlier count, are withheld from the start, as primary ones are: the
    lines through them get their complements too.

    Each table is compared with every wider one it could be subtracted from (primary suppression: the kind over
    all courses, the course over all kinds, and, with both chosen, everything); along the courses and the kinds
    the published parts are checked against their whole (bounded axes, see suppression).
    """
    values, primary = {}, set()
    for (course_id, kind), table in tables.items():
        parents = [(None, kind), (course_id, None), (None, None)]
        references = [wholes[parent][0] for parent in dict.fromkeys(parents)
                      if parent != (course_id, kind) and parent in wholes]
        primary |= {(*cell, course_id, kind) for cell in primary_suppression(
            table, k, group_sizes=group_sizes, references=references)}
        values.update({(*cell, course_id, kind): value for cell, value in table.items()})
    primary |= earlier & values.keys()  # a cell no longer in the tables (a unit gone) has nothing to keep hidden
    # Along the courses (axis 3) the whole of (course, kind) is (None, kind); along the kinds (axis 4) it is
    # (course, None). A line is keyed by its cell's other coordinates: (group, month, metric, kind) along the
    # courses, (group, month, metric, course) along the kinds.
    bounded: dict[int, dict] = {3: {}, 4: {}}
    for course_id, kind in tables:
        for axis, whole_table in ((3, (None, kind)), (4, (course_id, None))):
            if whole_table == (course_id, kind) or whole_table not in wholes:
                continue
            whole, whole_hidden = wholes[whole_table]
            other = kind if axis == 3 else course_id
            for cell, value in whole.items():
                bounded[axis].setdefault((*cell, other), None if cell in whole_hidden else value)
    hidden = complementary_suppression(
        values, primary, k, additive_axes=(0,), other_axes=(1,),
        twin_axes=(2,),  # the metrics: with a kind chosen, "active" can be exactly another metric's people
        covering={2: "active"},  # …and it counts everyone any other metric counts (see rollup)
        bounded={axis: lines for axis, lines in bounded.items() if lines},
    )
    protected = {table: ({}, set()) for table in tables}
    for cell, value in values.items():
        table_values, table_hidden = protected[cell[3:]]
        table_values[cell[:3]] = value
        if cell in hidden:
            table_hidden.add(cell[:3])
    return protected


PROTECTED_TABLES_KEPT = 64
_PROTECTED: OrderedDict = OrderedDict()  # protected tables, by scope, course, kind and count
# Protected families: a family holds a table per course (and kind) with someone in it – a few are enough to
# keep, the tables asked for are kept above.
FAMILIES_KEPT = 6
_FAMILIES: OrderedDict = OrderedDict()
_REPORTS: dict[tuple, Report] = {}  # whole reports, kept like the tables they are cut from


def chosen_filters(report: Report) -> int:
    """Count the filters of a report chosen away from what it shows unasked: another period than the last six
    counted months, an organisation or unit, a course, a module kind, a metric other than "Aktiv"."""
    filters = report.filters
    if not report.months:
        return 0
    period = (filters.first, filters.last) != _period(report.months, Filters())
    narrowed = [filters.organisation_id, filters.unit_id, filters.course_id, filters.kind]
    return sum(value is not None for value in narrowed) + period + (filters.metric != "active")


def _period(months: list[date], filters: Filters) -> tuple[date, date]:
    last = filters.last if filters.last in months else months[-1]
    first = (
        filters.first if filters.first in months else months[max(months.index(last) - DEFAULT_MONTHS + 1, 0)]
    )
    return (first, last) if first <= last else (last, first)


def _wanted(group, scope: Scope, filters: Filters) -> bool:
    if scope.network:
        return filters.organisation_id is None or group == filters.organisation_id
    return filters.unit_id is None or group == filters.unit_id


def _headcounts(scope: Scope) -> dict[tuple, int]:
    group = UnitHeadcount.organisation_id if scope.network else UnitHeadcount.unit_id
    stmt = select(group, UnitHeadcount.month, func.sum(UnitHeadcount.people)).group_by(
        group, UnitHeadcount.month
    )
    if not scope.network:
        stmt = stmt.where(UnitHeadcount.organisation_id == scope.organisation_id)
    return {(key, month): int(people) for key, month, people in db.session.execute(stmt)}


def _groups(scope: Scope, sizes: dict[tuple, int]) -> list[tuple[int | None, str]]:
    """Name the groups: organisations for the network, else the units (and people without one)."""
    groups = list(scope.groups)
    if not scope.network and any(key is None for key, _month in sizes):
        groups.append((None, _l("Ohne Einheit")))  # lazy: the table is kept for readers of every language
    return groups


def _rollups(scope: Scope, *, courses: bool, kinds: bool) -> dict[tuple, dict[tuple, int]]:
    """Read the cells of every course (or "all courses" only) with every kind (or "all kinds" only), in one query,
    by (course_id, kind). Only tables with someone in them come back."""
    rollup_ = ParticipationRollup
    group = rollup_.organisation_id if scope.network else rollup_.unit_id
    stmt = (
        select(
            group,
            rollup_.course_id,
            rollup_.module_kind,
            rollup_.month,
            rollup_.metric,
            func.sum(rollup_.people),
        )
        .where(rollup_.course_id.is_not(None) if courses else rollup_.course_id.is_(None),
               rollup_.module_kind.is_not(None) if kinds else rollup_.module_kind.is_(None))
        .group_by(group, rollup_.course_id, rollup_.module_kind, rollup_.month, rollup_.metric)
    )
    if not scope.network:
        stmt = stmt.where(rollup_.organisation_id == scope.organisation_id)
    cubes: dict[tuple, dict[tuple, int]] = defaultdict(dict)
    for key, course_id, kind, month, metric, people in db.session.execute(stmt):
        cubes[(course_id, kind)][(key, month, metric)] = int(people)
    return cubes


def _cube(cells, sizes, groups, months, metrics, k):
    """Make the table dense (absent means zero) and give each cell the size of the group it describes."""
    values, group_sizes = {}, {}
    for key, _label in groups:
        too_small = sizes.get((key, months[-1]), 0) < k  # a unit below K now is withheld in every month
        for month in months:
            for metric in metrics:
                values[(key, month, metric)] = cells.get((key, month, metric), 0)
                group_sizes[(key, month, metric)] = 0 if too_small else sizes.get((key, month), 0)
    return values, group_sizes


@dataclass
class _View:
    values: dict
    hidden: set
    group_sizes: dict
    k: int

    def figure(self, key) -> Figure:
        if key in self.hidden:
            return Figure(None)
        return Figure(self.values[key], share(self.values[key], self.group_sizes[key]))

    def table(self, groups, columns: list[tuple[date, str]], *, headcount_at: tuple[date, str]) -> Table:
        """Rows are groups, columns (month, metric) pairs; the total adds up published cells only."""
        rows = []
        for key, label in groups:
            size = self.group_sizes[(key, *headcount_at)]
            headcount = Figure(size if size >= self.k else None)
            rows.append(
                Row(label, headcount, [self.figure((key, month, metric)) for month, metric in columns])
            )
        total = None
        if len(rows) > 1:
            cells = []
            for index, (month, metric) in enumerate(columns):
                published = [
                    (row.cells[index].count, self.group_sizes[(key, month, metric)])
                    for row, (key, _label) in zip(rows, groups, strict=True)
                    if row.cells[index].count is not None
                ]
                count = published_total((c for c, _size in published), self.k)
                # A share only where every group is published: beside the headcount of all groups, a share of
                # the published ones alone reads as a share of everybody.
                whole = len(published) == len(rows)
                cells.append(Figure(count, share(count, sum(size for _c, size in published)) if whole else None))
            heads = published_total((row.headcount.count for row in rows), self.k)
            total = Row(_l("Summe der ausgewiesenen Gruppen"), Figure(heads), cells)
        return Table(columns=[f"{month:%Y-%m}/{metric}" for month, metric in columns], rows=rows, total=total)


def month_label(month: date, fmt: str = "MMM yyyy") -> str:
    """Name a month in the reader's language, e.g. "März 2025"."""
    return format_date(month, fmt)


def counted_months() -> list[RollupMonth]:
    """Return the counted months, newest first, with when each was counted."""
    return list(db.session.scalars(select(RollupMonth).order_by(RollupMonth.month.desc())))

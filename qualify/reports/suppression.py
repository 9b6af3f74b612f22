"""Small-group protection: which figures may be shown. Pure functions, no database, no Flask.

A table is a dict from a key (a tuple such as (group, month, metric)) to a count of distinct people.
`protect` returns the keys that must be shown as "< K":

1. primary: the count is below K, or the group it describes has fewer than K people, or the count differs
   from a wider filter's count (all courses, all kinds) by 1 to K-1 people, so that "wider minus narrower"
   would describe fewer than K people;
2. complementary: in every line of the table (all cells sharing every coordinate but one) a suppressed cell
   never stands alone: the next-smallest published cell is suppressed too. Along additive axes (groups, which
   partition people, so a total is their sum) suppression goes on until the suppressed cells together count
   at least K people, so that "total minus published cells" never describes fewer than K. Along twin axes
   (the metrics of one group and month, some of which can count the very same people) a suppressed cell's
   value is never published in another cell of its line: were they equal by definition, it could be read off.
   And where one cell of a twin line counts everybody the others count (`covering`: "active" holds everyone who
   enrolled, completed or booked that month), a published cell 1 to K-1 below it is withheld: "active minus
   enrolled" would describe fewer than K people.
   Along bounded axes (the courses under "all courses", the module kinds under "all kinds": parts of a whole
   that is counted on its own and published, where one person can be in two parts) the whole minus the
   published parts is a lower bound of the people in the withheld parts alone, exact when nobody is in two: it
   must say nothing – at most 0 – or, with two or more parts withheld, at least K.
   Repeated until nothing changes.

Totals are computed from published cells only (`published_total`).
"""

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence

Key = tuple[Hashable, ...]


def primary_suppression(
    values: Mapping[Key, int],
    k: int,
    *,
    group_sizes: Mapping[Key, int],
    references: Sequence[Mapping[Key, int]] = (),
) -> set[Key]:
    """Return the cells that describe fewer than k people, directly or as the difference to a wider filter."""
    suppressed = set()
    for key, value in values.items():
        if value < k or group_sizes.get(key, 0) < k:
            suppressed.add(key)
        elif any(0 < reference.get(key, 0) - value < k for reference in references):
            suppressed.add(key)
    return suppressed


def lines(keys: Iterable[Key], axis: int) -> list[list[Key]]:
    """Group the keys into lines along one axis: cells equal in every other coordinate."""
    grouped: dict[Key, list[Key]] = defaultdict(list)
    for key in keys:
        grouped[key[:axis] + key[axis + 1 :]].append(key)
    return list(grouped.values())


def complementary_suppression(
    values: Mapping[Key, int],
    suppressed: set[Key],
    k: int,
    *,
    additive_axes: Sequence[int] = (0,),
    other_axes: Sequence[int] = (),
    twin_axes: Sequence[int] = (),
    covering: Mapping[int, Hashable] | None = None,
    bounded: Mapping[int, Mapping[Key, int | None]] | None = None,
) -> set[Key]:
    """Suppress more cells until no suppressed cell can be recovered from its line; return them all.

    covering: per twin axis, the coordinate of the cell whose people include those of every other cell of its
    line.
    bounded: per bounded axis, the published whole of each line, keyed by the line's other coordinates (None
    where the whole is withheld itself).
    """
    suppressed = set(suppressed)
    covering = covering or {}

    def smallest(shown: list[Key]) -> list[Key]:
        return [min(shown, key=lambda key: (values[key], repr(key)))]

    def twins_of(line: list[Key], axis: int) -> list[Key]:
        """The published cells of a twin line that would give a withheld one away."""
        withheld = {values[key] for key in line if key in suppressed}
        twins = [key for key in line if key not in suppressed and values[key] in withheld]
        cover = next((key for key in line if axis in covering and key[axis] == covering[axis]), None)
        if cover is not None and cover not in suppressed:
            twins += [key for key in line if key != cover and key not in suppressed
                      and 0 < values[cover] - values[key] < k]
        return twins

    def complement_of(line: list[Key], additive: bool) -> list[Key]:
        """A published cell to withhold beside a withheld one standing alone (or, adding up, too few)."""
        hidden = [key for key in line if key in suppressed]
        shown = [key for key in line if key not in suppressed]
        if not hidden or not shown:
            return []
        too_few = len(hidden) < 2 or (additive and sum(values[key] for key in hidden) < k)
        return smallest(shown) if too_few else []

    def rest_of(line: list[Key], whole: int | None) -> list[Key]:
        """A part to withhold where the whole minus the published parts would tell something."""
        if whole is None:
            return []  # the whole is withheld: nothing to subtract from
        hidden = [key for key in line if key in suppressed]
        shown = [key for key in line if key not in suppressed]
        if not hidden or not shown:
            return []
        rest = whole - sum(values[key] for key in shown)  # at least this many are in the withheld parts alone
        return smallest(shown) if rest > 0 and (len(hidden) < 2 or rest < k) else []

    checks = [(twins_of, line, axis) for axis in twin_axes for line in lines(values, axis)]
    checks += [(complement_of, line, True) for axis in additive_axes for line in lines(values, axis)]
    checks += [(complement_of, line, False) for axis in other_axes for line in lines(values, axis)]
    checks += [(rest_of, line, wholes.get(line[0][:axis] + line[0][axis + 1:]))
               for axis, wholes in (bounded or {}).items() for line in lines(values, axis)]
    # A worklist: every line is checked once, and again whenever one of its cells is withheld – until none
    # finds anything more to withhold.
    lines_of: dict[Key, list[int]] = defaultdict(list)
    for index, (_check, line, _extra) in enumerate(checks):
        for key in line:
            lines_of[key].append(index)
    queue, waiting = deque(range(len(checks))), [True] * len(checks)
    while queue:
        index = queue.popleft()
        waiting[index] = False
        check, line, extra = checks[index]
        for key in check(line, extra):
            suppressed.add(key)
            for other in lines_of[key]:
                if not waiting[other]:
                    waiting[other] = True
                    queue.append(other)
    return suppressed


def protect(
    values: Mapping[Key, int],
    k: int,
    *,
    group_sizes: Mapping[Key, int],
    references: Sequence[Mapping[Key, int]] = (),
    additive_axes: Sequence[int] = (0,),
    other_axes: Sequence[int] = (),
    twin_axes: Sequence[int] = (),
    covering: Mapping[int, Hashable] | None = None,
    bounded: Mapping[int, Mapping[Key, int | None]] | None = None,
) -> set[Key]:
    """Return every cell to show as "< k": primary, then complementary suppression until stable."""
    primary = primary_suppression(values, k, group_sizes=group_sizes, references=references)
    return complementary_suppression(values, primary, k, additive_axes=additive_axes, other_axes=other_axes,
                                     twin_axes=twin_axes, covering=covering, bounded=bounded)


def published_total(values: Iterable[int | None], k: int) -> int | None:
    """Sum the published cells (None: suppressed); None if that sum would itself describe fewer than k."""
    total = sum(value for value in values if value is not None)
    return total if total >= k else None


def share(count: int | None, of: int | None) -> float | None:
    """Return count/of, or None when either figure is withheld or the base is empty."""
    if count is None or not of:
        return None
    return count / of

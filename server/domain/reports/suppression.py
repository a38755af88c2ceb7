"""Small-count suppression for donor-facing figures: no count of 1 to 4 people is shown, and
none can be worked out as a total minus the cells beside it, nor (rule 3) from any combination
of the totals.

A table is a mapping from keys (tuples, one member per dimension) to counts, and the groups
that add up: a total and its parts. ``groups_along`` makes them from each dimension's
hierarchy; ``suppress`` returns the keys to hide.

    values = {("all", "A"): 3, ("all", "B"): 9, ("all", "total"): 12}
    groups = groups_along(values, 1, [("total", ["A", "B"])])
    suppress(values, groups)     # {("all", "A"), ("all", "B")}: 12 - 9 would give A away

The rules:

1. Primary: every count from 1 to 4 is hidden (or the cells the caller names as primary).
2. Complementary: in every group whose total is shown, the hidden parts must be none, or at
   least two that add up to 5 or more; otherwise the next smallest shown non-zero part is
   hidden too (cells marked ``free`` first: they are never printed, so hiding them costs
   nothing), and when no part is left, the total itself. Every group holding a newly hidden
   cell is checked again, since it can leave another group short.
3. Audit: in tables of several dimensions, rule 2 is not enough (the demo's six months by
   month gave 8 exploitation counts away through chains of totals): while at most
   ``audit_limit`` cells are hidden, every cell of rule 1 is checked against all the equations
   together (``derivable``), and the nearest shown cell is hidden until none follows. Above
   the limit the result says so (``Hidden.audited`` is false).

Zeros are shown: "nobody" points to no one. Rule 2 never hides a zero to make up a pair either,
since a reader who knows a cell must be zero would take it away again; rule 3 does, as a last
resort.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

#: The smallest count of people shown.
THRESHOLD = 5
#: Up to this many hidden cells, every combination of equations is checked (rule 3); the
#: check grows faster than the hidden cells (about a second for 2,000; for 11,000, a national
#: network's year by month, minutes).
AUDIT_LIMIT = 3000

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Group:
    """Cells that add up: ``values[total] == sum(values[part] for part in parts)``."""

    total: Key
    parts: tuple[Key, ...]


def is_small(value: int) -> bool:
    """A count of people too small to show: 1 to 4."""
    return 0 < value < THRESHOLD


def groups_along(
    keys: Iterable[Key], axis: int, hierarchy: Sequence[tuple[Hashable, Sequence[Hashable]]]
) -> list[Group]:
    """For each key whose member on ``axis`` is a parent in ``hierarchy``, the group of that
    key and the keys of its children (the other members alike). A parent may head several
    groups (several breakdowns of one total). Children missing from ``keys`` are left out.

    >>> groups_along([("A",), ("B",), ("all",)], 0, [("all", ["A", "B"])])
    [Group(total=('all',), parts=(('A',), ('B',)))]
    """
    ordered = list(dict.fromkeys(keys))  # in the caller's order, so the result repeats
    present = set(ordered)
    groups = []
    for key in ordered:
        for parent, children in hierarchy:
            if key[axis] != parent:
                continue
            parts = tuple(
                part
                for child in children
                if (part := (*key[:axis], child, *key[axis + 1 :])) in present
            )
            if parts:
                groups.append(Group(key, parts))
    return groups


def _short(group: Group, weights: Mapping[Key, int], hidden: set[Key]) -> bool:
    """True when the hidden parts of a group with a shown total could be worked out."""
    if group.total in hidden:
        return False
    parts = [part for part in group.parts if part in hidden]
    if not parts:
        return False
    return len(parts) < 2 or sum(weights[part] for part in parts) < THRESHOLD


class Hidden(frozenset[Key]):
    """The keys to hide; ``audited`` when rule 3 found no combination giving one away."""

    audited: bool = False


def suppress(
    values: Mapping[Key, int],
    groups: Sequence[Group],
    *,
    primary: Iterable[Key] | None = None,
    weights: Mapping[Key, int] | None = None,
    free: Collection[Key] = (),
    audit_limit: int = AUDIT_LIMIT,
) -> Hidden:
    """The keys to hide so that no small count is shown or can be worked out by subtraction.

    ``primary`` replaces rule 1 and ``weights`` the counts of people that rule 2 adds up,
    for figures that are not counts of people (bed-nights: hidden where 1 to 4 people slept,
    weighed by the people behind them). ``free`` names cells that are never printed (derived
    ones, such as "admitted without this exploitation type"), preferred when another cell
    must be hidden.

    Rule 3, while at most ``audit_limit`` cells are hidden: no cell hidden by rule 1 may follow
    from combining several groups' equations either (``derivable``); for each that does, the
    smallest shown cell sharing a group with it is hidden too (a zero only when nothing else
    is left), and rule 2 runs again.
    """
    hidden = {key for key, value in values.items() if is_small(value)}
    if primary is not None:
        hidden = set(primary)
    protected = frozenset(hidden)
    weights = values if weights is None else weights
    member_of: dict[Key, list[int]] = {}
    for number, group in enumerate(groups):
        for cell in (group.total, *group.parts):
            member_of.setdefault(cell, []).append(number)
    _complement(values, groups, weights, free, hidden, member_of, range(len(groups)))
    audited = False
    while len(hidden) <= audit_limit:
        exposed = [cell for cell in derivable(groups, hidden) if cell in protected]
        if not exposed:
            audited = True
            break
        touched: list[int] = []
        for cell in exposed:
            extra = _nearest_shown(cell, values, groups, hidden, member_of, free)
            if extra is not None and extra not in hidden:
                hidden.add(extra)
                touched += member_of[extra]
        if not touched:
            break  # nothing shown is left beside them: every group is hidden whole
        _complement(values, groups, weights, free, hidden, member_of, touched)
    result = Hidden(hidden)
    result.audited = audited
    return result


def _nearest_shown(
    cell: Key,
    values: Mapping[Key, int],
    groups: Sequence[Group],
    hidden: set[Key],
    member_of: Mapping[Key, list[int]],
    free: Collection[Key],
) -> Key | None:
    """The smallest shown cell in the groups nearest ``cell`` through hidden cells (a zero only
    when nothing else is at that distance): hiding it puts one more unknown into the
    equations that gave ``cell`` away."""
    seen_cells = {cell}
    seen_groups: set[int] = set()
    frontier = [cell]
    while frontier:
        shown: list[Key] = []
        following: list[Key] = []
        for current in frontier:
            for number in member_of.get(current, []):
                if number in seen_groups:
                    continue
                seen_groups.add(number)
                for other in (groups[number].total, *groups[number].parts):
                    if other not in hidden:
                        shown.append(other)
                    elif other not in seen_cells:
                        seen_cells.add(other)
                        following.append(other)
        if shown:
            return min(shown, key=lambda p: (values[p] == 0, p not in free, values[p], repr(p)))
        frontier = following
    return None


def _complement(
    values: Mapping[Key, int],
    groups: Sequence[Group],
    weights: Mapping[Key, int],
    free: Collection[Key],
    hidden: set[Key],
    member_of: Mapping[Key, list[int]],
    start: Iterable[int],
) -> None:
    """Rule 2 until no group is short: each group is checked again whenever one of its cells
    is hidden."""
    queue = deque(dict.fromkeys(start))
    queued = set(queue)
    while queue:
        number = queue.popleft()
        queued.discard(number)
        group = groups[number]
        if not _short(group, weights, hidden):
            continue
        candidates = [p for p in group.parts if p not in hidden and values[p] > 0]
        if candidates:
            cell = min(candidates, key=lambda p: (p not in free, values[p], repr(p)))
        else:
            cell = group.total
        hidden.add(cell)
        for other in member_of[cell]:
            if other not in queued:
                queue.append(other)
                queued.add(other)


def recoverable(
    values: Mapping[Key, int],
    groups: Sequence[Group],
    hidden: Collection[Key],
    *,
    weights: Mapping[Key, int] | None = None,
) -> list[Key]:
    """Hidden cells that a shown total minus its shown parts gives away, or hidden parts
    adding up to fewer than 5 people; empty after ``suppress``. For tests and audits."""
    weights = values if weights is None else weights
    found = []
    for group in groups:
        if group.total in hidden:
            continue
        parts = [part for part in group.parts if part in hidden]
        rest = sum(values[part] for part in group.parts if part not in hidden)
        left = values[group.total] - rest
        if len(parts) == 1 and left == values[parts[0]]:
            found.extend(parts)
        elif parts and sum(weights[part] for part in parts) < THRESHOLD:
            found.extend(parts)
    return found


#: A prime near 2**61: elimination modulo it gives the rank over the rationals unless it
#: divides a minor, which for tables of small integer coefficients it does not in practice.
_PRIME = 2**61 - 1


def derivable(groups: Sequence[Group], hidden: Collection[Key]) -> list[Key]:
    """Hidden cells whose value follows from the shown ones by combining any of the groups'
    equations (not only one total minus its parts): elimination over the hidden cells.

    A cell is derivable when its unit vector lies in the row space of the equations
    restricted to hidden cells; the reduced rows are kept fully reduced, so that is a row with
    a single entry.
    """
    unknown = sorted(set(hidden), key=repr)
    column = {key: n for n, key in enumerate(unknown)}
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> its row, fully reduced
    for group in groups:
        row: dict[int, int] = {}
        for cell, sign in ((group.total, 1), *((part, -1) for part in group.parts)):
            if cell in column:
                row[column[cell]] = (row.get(column[cell], 0) + sign) % _PRIME
        row = {c: v for c, v in row.items() if v}
        for col in [c for c in row if c in pivots]:
            factor = row.get(col, 0)
            if factor:
                for c, v in pivots[col].items():
                    row[c] = (row.get(c, 0) - factor * v) % _PRIME
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], _PRIME - 2, _PRIME)
        row = {c: v * inverse % _PRIME for c, v in row.items()}
        for other in pivots.values():
            factor = other.get(col, 0)
            if factor:
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % _PRIME
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[col] = row
    return [unknown[col] for col, row in pivots.items() if len(row) == 1]

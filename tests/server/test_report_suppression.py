"""Small-count suppression: examples worked by hand, then random tables in three dimensions
(periods, areas in a region hierarchy, categories) where no shown cell is 1 to 4 and no hidden
cell is a shown total minus the shown cells beside it, nor follows from any combination of
totals. Last, the local dates the report statements compute on SQLite, zone changes included."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.reports.sql import EPOCH, Sql
from server.domain.reports.suppression import (
    Group,
    Key,
    derivable,
    groups_along,
    is_small,
    recoverable,
    suppress,
)


def one_group(parts: list[int]) -> tuple[dict[Key, int], list[Group]]:
    values: dict[Key, int] = {(f"p{n}",): value for n, value in enumerate(parts)}
    values[("total",)] = sum(parts)
    return values, groups_along(values, 0, [("total", [f"p{n}" for n in range(len(parts))])])


def hidden_parts(parts: list[int]) -> list[int]:
    values, groups = one_group(parts)
    hidden = suppress(values, groups)
    return [n for n in range(len(parts)) if (f"p{n}",) in hidden] + (
        ["total"] if ("total",) in hidden else []  # type: ignore[list-item]
    )


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    # 12 - 9 would give 3 away
    assert hidden_parts([3, 9]) == [0, 1]
    # 3 + 4 are two cells adding up to 7: enough
    assert hidden_parts([3, 4, 10]) == [0, 1]
    # 1 + 2 = 3 is still small: the next smallest, 6, goes too
    assert hidden_parts([1, 2, 6, 30]) == [0, 1, 2]


def test_zeros_are_shown_and_never_used_to_make_up_a_pair() -> None:
    assert hidden_parts([1, 0, 0, 20]) == [0, 3]
    assert hidden_parts([0, 0, 7]) == []


def test_a_small_total_is_hidden_with_its_parts() -> None:
    assert hidden_parts([2, 1]) == [0, 1, "total"]


def test_a_group_of_one_hides_its_total() -> None:
    # a region with one shelter: the region's figure is the shelter's
    values: dict[Key, int] = {("A",): 7, ("R",): 7, ("S",): 3, ("net",): 10}
    groups = groups_along(values, 0, [("R", ["A"]), ("net", ["R", "S"])])

    hidden = suppress(values, groups, primary=[("A",)])

    assert hidden == {("A",), ("R",), ("S",)}


def test_free_cells_are_hidden_first() -> None:
    # "admitted without type k" is never printed: hiding it costs nothing
    values: dict[Key, int] = {("k",): 2, ("not k",): 9, ("other",): 6, ("total",): 11}
    groups = [Group(("total",), (("k",), ("not k",)))]

    assert suppress(values, groups, free={("not k",)}) == {("k",), ("not k",)}


def test_weights_decide_how_many_people_the_hidden_cells_hold() -> None:
    # bed-nights of 2 and 2 people: 60 bed-nights, but only 4 people between them
    values: dict[Key, int] = {("A",): 40, ("B",): 20, ("C",): 300, ("all",): 360}
    people: dict[Key, int] = {("A",): 2, ("B",): 2, ("C",): 30, ("all",): 34}
    groups = groups_along(values, 0, [("all", ["A", "B", "C"])])

    hidden = suppress(values, groups, primary=[("A",), ("B",)], weights=people)

    assert hidden == {("A",), ("B",), ("C",)}


# --- random tables -------------------------------------------------------------------------------

COUNTS = st.one_of(st.integers(0, 6), st.integers(0, 40))


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[Key, int], list[Group]]:
    """Periods × shelters × categories, summed to WHOLE, regions, the network and a total."""
    periods = draw(st.integers(1, 3))
    regions = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3)))]
    categories = draw(st.integers(1, 4))
    shelters = [(r, s) for r, count in enumerate(regions) for s in range(count)]
    values: dict[Key, int] = {}
    for p in range(periods):
        for shelter in shelters:
            for c in range(categories):
                values[(p, ("shelter", shelter), c)] = draw(COUNTS)

    def area_sum(p: int, area: Hashable, c: Hashable) -> int:
        kind, place = area  # type: ignore[misc]
        if kind == "shelter":
            return values[(p, area, c)]
        members = [s for s in shelters if kind == "network" or s[0] == place]
        return sum(values[(p, ("shelter", s), c)] for s in members)

    areas: list[Hashable] = [("network", 0)]
    areas += [("region", r) for r in range(len(regions))]
    areas += [("shelter", s) for s in shelters]
    cats: list[Hashable] = [*range(categories), "total"]
    for p in range(periods):
        for area in areas:
            for c in range(categories):
                values[(p, area, c)] = area_sum(p, area, c)
            values[(p, area, "total")] = sum(values[(p, area, c)] for c in range(categories))
    for area in areas:
        for c in cats:
            values[("whole", area, c)] = sum(values[(p, area, c)] for p in range(periods))
    hierarchy: list[tuple[Hashable, Sequence[Hashable]]] = [
        (("network", 0), [("region", r) for r in range(len(regions))])
    ]
    hierarchy += [
        (("region", r), [("shelter", (r, s)) for s in range(count)])
        for r, count in enumerate(regions)
    ]
    groups = groups_along(values, 0, [("whole", list(range(periods)))])
    groups += groups_along(values, 1, hierarchy)
    groups += groups_along(values, 2, [("total", list(range(categories)))])
    return values, groups


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_small_count_is_shown_or_recoverable(table: tuple[dict[Key, int], list[Group]]) -> None:
    values, groups = table

    hidden = suppress(values, groups)

    assert not [key for key, value in values.items() if key not in hidden and is_small(value)]
    for group in groups:
        assert values[group.total] == sum(values[part] for part in group.parts)
        if group.total in hidden:
            continue
        rest = values[group.total] - sum(values[p] for p in group.parts if p not in hidden)
        concealed = [part for part in group.parts if part in hidden]
        # the shown total minus the shown parts is never one hidden cell, nor a small sum
        assert not (len(concealed) == 1 and rest == values[concealed[0]]), (group, hidden)
        assert not concealed or rest >= 5, (group, rest)
    assert recoverable(values, groups, hidden) == []
    # nor does any combination of the equations give a small count away
    small = {key for key, value in values.items() if is_small(value)}
    assert not small & set(derivable(groups, hidden))
    # and nothing is hidden that need not be: every hidden cell is small or in a group
    assert all(
        is_small(values[key]) or any(key in g.parts or key == g.total for g in groups)
        for key in hidden
    )


@pytest.mark.parametrize(
    "zone", ["Asia/Almaty", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
)
def test_sqlite_knows_local_dates_across_zone_changes(zone: str) -> None:
    """SQLite has no time zones: ``Sql.local_day`` spells each zone's offsets since 1970."""
    sql = Sql(postgres=False, zone=ZoneInfo(zone))
    expression = sql.local_day("t")
    database = sqlite3.connect(":memory:")
    rng = random.Random(zone)
    for _ in range(2000):
        at = datetime(1990, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(40 * 365 * 86400))
        (day,) = database.execute(
            f"SELECT {expression} FROM (SELECT ? AS t)", (at.isoformat(" "),)
        ).fetchone()
        assert day == (at.astimezone(ZoneInfo(zone)).date() - EPOCH).days, at

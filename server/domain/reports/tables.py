"""A report's published tables: the exact figures summed up to regions, the network and the
whole report, then hidden where they could point to a person (``suppression``).

Suppression is always worked out over the whole network and every period, then rows are
filtered (``Report.only``): a cell is shown or hidden alike whichever part is asked for, so
two filtered reports cannot be set against each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from server.domain.reports.figures import TRANSFER, WHOLE, Figures
from server.domain.reports.suppression import (
    THRESHOLD,
    Group,
    Hidden,
    Key,
    groups_along,
    is_small,
    suppress,
)
from server.models import ExitDestination, ExploitationType, ReferralSource

NETWORK = "network"
REGION = "region"
SHELTER = "shelter"

#: Admission breakdowns; the total is category "" of breakdown "total".
TOTAL = "total"
NATIONALITY = "nationality"
EXPLOITATION = "exploitation"
REFERRAL = "referral"
#: Stays ended: all of them, those that went on in another stay, and exits by destination.
ENDED = "ended"
EXITED = "exited"
DESTINATIONS = tuple(destination.value for destination in ExitDestination)


#: An area as a suppression key member: (level, id); the network is (NETWORK, 0).
AreaKey = tuple[str, int]


@dataclass(frozen=True)
class Area:
    level: str
    id: int
    name: str
    region_id: int | None = None

    @property
    def key(self) -> AreaKey:
        return (self.level, self.id)


@dataclass(frozen=True)
class Span:
    """A period of the report (``index`` from 0), or the whole report (``index`` WHOLE)."""

    index: int
    start: date
    end: date

    @property
    def whole(self) -> bool:
        return self.index == WHOLE


@dataclass(frozen=True)
class OccupancyRow:
    span: Span
    area: Area
    #: Occupied bed-nights; None where hidden (with utilisation).
    bed_nights: int | None
    #: In-service bed-nights: not a count of people, always shown.
    capacity: int
    #: bed_nights / capacity in percent, one decimal; None where hidden or without capacity.
    utilisation: float | None

    @property
    def suppressed(self) -> bool:
        return self.bed_nights is None


@dataclass(frozen=True)
class CountRow:
    span: Span
    area: Area
    breakdown: str
    category: str
    #: None where hidden.
    count: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class StayLengthRow:
    span: Span
    area: Area
    #: Stays ended in the period; None where hidden, and then so are the nights.
    stays: int | None
    mean_nights: float | None
    median_nights: float | None

    @property
    def suppressed(self) -> bool:
        return self.stays is None


@dataclass(frozen=True)
class Report:
    spans: list[Span]
    areas: list[Area]
    occupancy: list[OccupancyRow]
    admissions: list[CountRow]
    exits: list[CountRow]
    length_of_stay: list[StayLengthRow]
    #: Services completed: breakdown ``total``, ``kind`` or ``pillar``.
    services: list[CountRow]
    #: Every table was checked against every combination of its totals (suppression rule 3),
    #: not only each total minus its parts: false for reports too fine to check in time.
    audited: bool = True

    def only(self, *, region_id: int | None = None, shelter_id: int | None = None) -> Report:
        """The rows of one region (and its shelters) and/or one shelter."""

        def keep(area: Area) -> bool:
            if shelter_id is not None and not (area.level == SHELTER and area.id == shelter_id):
                return False
            if region_id is not None:
                return (
                    area.level == REGION and area.id == region_id
                ) or area.region_id == region_id
            return True

        return replace(
            self,
            areas=[area for area in self.areas if keep(area)],
            occupancy=[row for row in self.occupancy if keep(row.area)],
            admissions=[row for row in self.admissions if keep(row.area)],
            exits=[row for row in self.exits if keep(row.area)],
            length_of_stay=[row for row in self.length_of_stay if keep(row.area)],
            services=[row for row in self.services if keep(row.area)],
        )


@dataclass
class Network:
    """The areas of a report: the network, its regions by name, their shelters by name."""

    areas: list[Area]

    def shelters_of(self, region: Area) -> list[Area]:
        return [a for a in self.areas if a.level == SHELTER and a.region_id == region.id]

    @property
    def regions(self) -> list[Area]:
        return [area for area in self.areas if area.level == REGION]

    def hierarchy(self) -> list[tuple[Hashable, Sequence[Hashable]]]:
        levels: list[tuple[Hashable, Sequence[Hashable]]] = [
            ((NETWORK, 0), [region.key for region in self.regions])
        ]
        levels += [(r.key, [s.key for s in self.shelters_of(r)]) for r in self.regions]
        return levels

    def __post_init__(self) -> None:
        regions = {a.id: a.region_id or 0 for a in self.areas if a.level == SHELTER}
        self._above: dict[int, list[AreaKey]] = {
            shelter: [(SHELTER, shelter), (REGION, region), (NETWORK, 0)]
            for shelter, region in regions.items()
        }

    def areas_of(self, shelter_id: int) -> list[AreaKey]:
        """The shelter, its region and the network: every area a shelter's figure adds to."""
        return self._above[shelter_id]

    def add_up(self, values: Mapping[tuple[int, int], int]) -> Counter[tuple[int, AreaKey]]:
        """Per (period index, shelter id) to per (period index, area key), over regions, the
        network and the WHOLE report."""
        out: Counter[tuple[int, AreaKey]] = Counter()
        for (period, shelter), value in values.items():
            for area in self.areas_of(shelter):
                out[(period, area)] += value
                out[(WHOLE, area)] += value
        return out


def cells_for(
    figures: Mapping[tuple[int, int, str], int],
    network: Network,
    periods: int,
    categories: Iterable[str],
) -> dict[Key, int]:
    """(period, area key, category) for every period, WHOLE, area and category, zeros too."""
    cells: dict[Key, int] = {
        (period, area.key, category): 0
        for period in [WHOLE, *range(periods)]
        for area in network.areas
        for category in categories
    }
    for (period, shelter, category), value in figures.items():
        for area in network.areas_of(shelter):
            for when in (period, WHOLE):
                cells[(when, area, category)] += value
    return cells


def groups_for(
    cells: Mapping[Key, int],
    network: Network,
    periods: int,
    categories: Sequence[tuple[Hashable, Sequence[Hashable]]] = (),
) -> list[Group]:
    """Cells add up over periods (to WHOLE), over areas (to regions and the network) and,
    with a third member, over categories."""
    groups = groups_along(cells, 0, [(WHOLE, list(range(periods)))])
    groups += groups_along(cells, 1, network.hierarchy())
    if categories:
        groups += groups_along(cells, 2, categories)
    return groups


def admissions_table(
    figures: Figures, network: Network, spans: dict[int, Span], *, audit_limit: int
) -> tuple[list[CountRow], bool]:
    periods = len(spans) - 1
    nationalities = sorted({k[3] for k in figures.admissions if k[2] == NATIONALITY})
    breakdowns: dict[str, list[str]] = {
        NATIONALITY: nationalities,
        EXPLOITATION: [kind.value for kind in ExploitationType],
        REFERRAL: [source.value for source in ReferralSource],
    }
    shown = [(TOTAL, "")] + [(b, c) for b, options in breakdowns.items() for c in options]
    raw: Counter[tuple[int, int, str]] = Counter()
    for (period, shelter, breakdown, category), value in figures.admissions.items():
        raw[(period, shelter, f"{breakdown}:{category}")] += value
    # "Admitted without this exploitation type": never printed, but a reader can subtract.
    for (period, shelter, breakdown, _), value in figures.admissions.items():
        if breakdown == TOTAL:
            for kind in breakdowns[EXPLOITATION]:
                raw[(period, shelter, f"not-{EXPLOITATION}:{kind}")] += value
    for (period, shelter, breakdown, category), value in figures.admissions.items():
        if breakdown == EXPLOITATION:
            raw[(period, shelter, f"not-{EXPLOITATION}:{category}")] -= value
    names = [f"{b}:{c}" for b, c in shown]
    free = [f"not-{EXPLOITATION}:{kind}" for kind in breakdowns[EXPLOITATION]]
    cells = cells_for(raw, network, periods, names + free)
    hierarchy: list[tuple[Hashable, Sequence[Hashable]]] = [
        (f"{TOTAL}:", [f"{NATIONALITY}:{c}" for c in nationalities]),
        (f"{TOTAL}:", [f"{REFERRAL}:{c}" for c in breakdowns[REFERRAL]]),
    ]
    hierarchy += [
        (f"{TOTAL}:", [f"{EXPLOITATION}:{kind}", f"not-{EXPLOITATION}:{kind}"])
        for kind in breakdowns[EXPLOITATION]
    ]
    groups = groups_for(cells, network, periods, hierarchy)
    free_cells = {key for key in cells if key[2] in free}
    hidden = suppress(cells, groups, free=free_cells, audit_limit=audit_limit)
    rows = []
    for span in spans.values():
        for area in network.areas:
            for breakdown, category in shown:
                key = (span.index, area.key, f"{breakdown}:{category}")
                count = None if key in hidden else cells[key]
                rows.append(CountRow(span, area, breakdown, category, count))
    return rows, hidden.audited


def exits_table(
    figures: Figures, network: Network, spans: dict[int, Span], *, audit_limit: int
) -> tuple[list[CountRow], Hidden]:
    """Stays ended: those that went on in a linked stay (TRANSFER), and exits by destination.
    Returns the rows and the hidden cells, which the length of stay follows."""
    periods = len(spans) - 1
    raw: Counter[tuple[int, int, str]] = Counter()
    for (period, shelter, outcome), value in figures.ended.items():
        raw[(period, shelter, ENDED)] += value
        raw[(period, shelter, outcome)] += value
        if outcome != TRANSFER:
            raw[(period, shelter, EXITED)] += value
    names = [ENDED, TRANSFER, EXITED, *DESTINATIONS]
    cells = cells_for(raw, network, periods, names)
    hierarchy: list[tuple[Hashable, Sequence[Hashable]]] = [
        (ENDED, [TRANSFER, EXITED]),
        (EXITED, list(DESTINATIONS)),
    ]
    groups = groups_for(cells, network, periods, hierarchy)
    hidden = suppress(cells, groups, audit_limit=audit_limit)
    rows = []
    for span in spans.values():
        for area in network.areas:
            for name in names:
                key = (span.index, area.key, name)
                count = None if key in hidden else cells[key]
                breakdown = EXITED if name in DESTINATIONS else name
                rows.append(CountRow(span, area, breakdown, name, count))
    return rows, hidden


def length_of_stay_table(
    figures: Figures,
    network: Network,
    spans: dict[int, Span],
    hidden: frozenset[Key],
) -> list[StayLengthRow]:
    """Mean and median nights of the stays ended, shown with their count only."""
    nights: dict[tuple[int, AreaKey], Counter[int]] = {}
    for (period, shelter, length), count in figures.nights.items():
        for key in network.areas_of(shelter):
            for when in (period, WHOLE):
                nights.setdefault((when, key), Counter())[length] += count
    rows = []
    for span in spans.values():
        for area in network.areas:
            lengths = nights.get((span.index, area.key), Counter())
            stays = lengths.total()
            if (span.index, area.key, ENDED) in hidden or stays < THRESHOLD:
                rows.append(StayLengthRow(span, area, None if stays else 0, None, None))
                continue
            mean = sum(length * n for length, n in lengths.items()) / stays
            rows.append(StayLengthRow(span, area, stays, round(mean, 1), _median(lengths)))
    return rows


def _median(lengths: Counter[int]) -> float:
    """The median of a histogram {nights: how many stays}.

    >>> _median(Counter({1: 2, 5: 1, 9: 1}))     # 1 1 5 9
    3.0
    """
    ordered = sorted(lengths.items())
    total = lengths.total()

    def at(position: int) -> int:
        seen = 0
        for length, count in ordered:
            seen += count
            if position < seen:
                return length
        raise IndexError(position)

    return (at((total - 1) // 2) + at(total // 2)) / 2


def occupancy_table(
    figures: Figures, network: Network, spans: dict[int, Span], *, audit_limit: int
) -> tuple[list[OccupancyRow], bool]:
    """Bed-nights are not counts of people, but where 1 to 4 people slept they tell how few:
    hidden there (with utilisation), and complemented like counts, weighed by people."""
    occupied = network.add_up(figures.occupied)
    in_service = network.add_up(figures.capacity - figures.out_of_service)
    cells: dict[Key, int] = {}
    people: dict[Key, int] = {}
    for span in spans.values():
        for area in network.areas:
            cells[(span.index, area.key)] = occupied[(span.index, area.key)]
            people[(span.index, area.key)] = figures.people[(span.index, area.level, area.id)]
    primary = [key for key in cells if is_small(people[key]) or is_small(cells[key])]
    groups = groups_for(cells, network, len(spans) - 1)
    hidden = suppress(cells, groups, primary=primary, weights=people, audit_limit=audit_limit)
    rows = []
    for span in spans.values():
        for area in network.areas:
            key = (span.index, area.key)
            capacity = in_service[(span.index, area.key)]
            if key in hidden:
                rows.append(OccupancyRow(span, area, None, capacity, None))
                continue
            used = cells[key]
            share = round(100 * used / capacity, 1) if capacity else None
            rows.append(OccupancyRow(span, area, used, capacity, share))
    return rows, hidden.audited

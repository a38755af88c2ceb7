"""Synthetic national-scale data for the benchmarks, loaded in bulk.

    python -m bench.generate --database-url sqlite:///tmp/national.sqlite3
    python -m bench.generate --database-url postgres://postgres@127.0.0.1:5432/big --residents 5000
    summary = await generate(residents=300, stays=450, now=datetime(2026, 3, 1, 12, tzinfo=UTC))

Into an empty, migrated database (Tortoise initialised) :func:`generate` writes regions, shelters,
rooms, beds, bed outages, residents, stays and bed assignments over ``years`` of history, then a
coordinator (:data:`COORDINATOR`) and one shelter-staff account per shelter
(:func:`staff_username`), all with ``password``. Same seed and ``now``, same rows and ids.

The history is an event simulation over the whole network: arrivals (growing over the years) go
to a random free bed of a shelter weighted by its beds, or of another shelter when it is full,
and some move bed on the way (transfers). Stays still running at ``now`` are open; a few are then
closed or the latest ended ones reopened so that ``occupancy`` of the beds are taken today.
Outages go into beds' free gaps. Stays are then chained into people, in check-in order: a stay
is a new person's first or a return of someone whose last stay ended at least a day before and
whom the shelter's kind takes in, so nobody is in two places at once.

Then stock (:mod:`bench.generate_stock`): a catalogue, each shelter's level of each item and
``stock_movements`` ledger rows consistent with the ledger's invariants, and
``service_records`` services logged during stays (:mod:`bench.generate_services`, loaded in
chunks). With ``appointment_days``,
one medical volunteer per shelter (:func:`bench.generate_care.medic_username`) and each
shelter's appointments for that many days from ``now`` (:mod:`bench.generate_care`).
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import math
import random
import sys
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from tortoise.transactions import in_transaction

from bench.generate_care import CARE_COLUMNS, CARE_TEMPORAL, create_medics, plan_appointments
from bench.generate_services import SERVICE_COLUMNS, SERVICE_TEMPORAL, plan_services
from bench.generate_stock import STOCK_COLUMNS, STOCK_TEMPORAL, plan_stock
from fixtures.accounts import DEMO_PASSWORD
from fixtures.demo import (
    CRIB_SHARE,
    DOCUMENTS_CITIZEN,
    DOCUMENTS_FOREIGN,
    EXITS_FINAL,
    EXITS_RETURNED,
    EXPLOITATION,
    NATIONALITY_WEIGHTS,
    OUTAGE_REASONS,
    REFERRALS,
    RELATIVES,
    THREATS,
)
from fixtures.names import NATIONALITIES, Nationality
from server.domain.access import Viewer
from server.domain.accounts import create_user
from server.models import Region, Resident, Role, ShelterKind

#: Signs in for network-wide reads. Shelter staff are :func:`staff_username`.
COORDINATOR = "coordinator"
DAY = 24 * 60
#: How much busier the last day is than the first (arrivals grow linearly).
GROWTH = 0.3
#: Share of beds added during the history rather than before it.
LATE_BEDS = 0.08
SHORT_STAYS = 0.2
TRANSFERS = 0.08
#: A person comes back at the earliest this long after leaving.
RETURN_GAP = DAY
#: A returning person prefers the shelter they last left.
SAME_SHELTER = 0.5
#: Nobody comes back after this many stays.
MOST_STAYS = 8
HIDDEN = 0.04
#: Chance that a free gap of three days or more in a bed's history holds an outage.
CLOSED_OUTAGE = 0.06
#: Chance that a bed free today is out of service.
OPEN_OUTAGE = 0.05
BATCH = 10_000

#: Region code, name, towns (real places, used as names only; the first is the capital).
REGIONS = (
    ("ALA", "Almaty", ("Almaty", "Talgar", "Kaskelen", "Esik"), 3.0),
    ("AST", "Astana", ("Astana", "Kosshy"), 2.5),
    ("SHY", "Shymkent", ("Shymkent",), 2.0),
    ("TUR", "Turkestan Region", ("Turkestan", "Kentau", "Saryagash"), 1.5),
    ("KAR", "Karaganda Region", ("Karaganda", "Temirtau", "Balkhash"), 1.2),
    ("AKT", "Aktobe Region", ("Aktobe", "Kandyagash"), 1.0),
    ("EKZ", "East Kazakhstan Region", ("Oskemen", "Ridder", "Altai"), 1.0),
    ("MAN", "Mangystau Region", ("Aktau", "Zhanaozen"), 1.0),
)
STREETS = (
    "Orchard Street",
    "Poplar Lane",
    "Riverside Passage",
    "Builders' Row",
    "Cotton Mill Street",
    "Apricot Lane",
    "Caravan Street",
    "Well Street",
    "Miners' Avenue",
    "Steppe Wind Street",
    "Cedar Lane",
    "Seashell Street",
    "Garden Row",
    "Station Road",
    "Willow Passage",
    "School Street",
)
#: Every tenth shelter, in this order: women's shelters most, children's homes fewest.
KINDS = (
    ShelterKind.WOMEN,
    ShelterKind.MEN,
    ShelterKind.FAMILIES,
    ShelterKind.MIXED,
    ShelterKind.WOMEN,
    ShelterKind.CHILDREN,
    ShelterKind.MEN,
    ShelterKind.WOMEN,
    ShelterKind.FAMILIES,
    ShelterKind.MIXED,
)
KIND_NAMES = {
    ShelterKind.WOMEN: "Women's Shelter",
    ShelterKind.MEN: "Men's Shelter",
    ShelterKind.FAMILIES: "Family House",
    ShelterKind.CHILDREN: "Children's Home",
    ShelterKind.MIXED: "Shelter",
}
#: Who a shelter of each kind takes in, weighted: female, male, undisclosed adults; children.
TAKES_IN = {
    ShelterKind.WOMEN: {"female": 1},
    ShelterKind.MEN: {"male": 1},
    ShelterKind.FAMILIES: {"female": 70, "male": 30},
    ShelterKind.MIXED: {"female": 47, "male": 48, "other": 5},
    ShelterKind.CHILDREN: {"child": 1},
}

#: Table, columns, in loading order (parents first).
COLUMNS = {
    table: tuple(columns.split())
    for table, columns in (
        ("region", "id code name"),
        ("shelter", "id region_id name kind address created_at"),
        ("room", "id shelter_id name floor"),
        ("bed", "id room_id label accessible crib lower_bunk created_at"),
        (
            "resident",
            "id code given_name family_name birth_date sex nationality languages "
            "preferred_language phone trusted_contact exploitation_types referral_source "
            "document_status consent_data_processing consent_share_police "
            "consent_share_consulate consent_share_partner_ngo consent_recorded_at "
            "do_not_disclose_presence known_threats created_at intake_shelter_id",
        ),
        ("stay", "id resident_id shelter_id checked_in_at checked_out_at exit_destination"),
        ("bed_assignment", "id stay_id bed_id started_at ended_at"),
        ("bed_outage", "id bed_id reason started_at ended_at"),
    )
}
#: Columns SQLite stores as ISO text, written exactly as Tortoise writes them.
TEMPORAL = set(
    "created_at birth_date consent_recorded_at checked_in_at checked_out_at "
    "started_at ended_at".split()
)

Row = tuple[Any, ...]


@dataclass(frozen=True)
class GeneratedSummary:
    """Rows written per table, how today looks, what was skipped, seconds per phase."""

    regions: int
    shelters: int
    rooms: int
    beds: int
    bed_outages: int
    residents: int
    stays: int
    bed_assignments: int
    accounts: int
    #: Stays not checked out at ``now``; ``occupancy`` is their share of the beds.
    open_stays: int
    occupancy: float
    #: Stays that moved bed at least once.
    transfers: int
    hidden_residents: int
    skipped: tuple[str, ...] = ()
    items: int = 0
    stock_levels: int = 0
    stock_movements: int = 0
    appointments: int = 0
    service_records: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def staff_username(shelter_id: int) -> str:
    """The shelter-staff account of a generated shelter: ``staff.007`` works in shelter 7."""
    return f"staff.{shelter_id:03d}"


@dataclass(slots=True)
class _Shelter:
    region: int
    kind: ShelterKind
    name: str
    address: str
    opened: int
    beds: int = 0


@dataclass(slots=True)
class _Segment:
    """A bed assignment: ``end`` None while open."""

    bed: int
    start: int
    end: int | None
    stay: int


@dataclass(slots=True)
class _Bed:
    shelter: int
    room: int
    label: str
    accessible: bool
    crib: bool
    lower_bunk: bool
    created: int
    segments: list[_Segment] = field(default_factory=list)


@dataclass(slots=True)
class _Stay:
    shelter: int
    check_in: int
    check_out: int | None
    segments: list[_Segment] = field(default_factory=list)
    resident: int = -1
    exit: str | None = None


@dataclass(slots=True)
class _Person:
    category: str
    nationality: Nationality
    shelter: int
    registered: int
    last_stay: int
    stays: int = 1


class _Weighted:
    """``pick(rng)`` from a {value: weight} table, without rebuilding it each time."""

    def __init__(self, weights: dict[str, int] | dict[str, float]) -> None:
        self.values = list(weights)
        total, self.cumulative = 0.0, []
        for weight in weights.values():
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


def _rng(seed: int, phase: str) -> random.Random:
    """One stream per phase, so changing how one phase draws leaves the others alone."""
    return random.Random(f"{seed}:{phase}")


def _working(rng: random.Random) -> int:
    """A minute of the shelters' working day (08:00–20:55 in Almaty, in UTC)."""
    return rng.randrange(3 * 60, 16 * 60, 5)


def _share(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """``total`` split by ``weights``, each part at least ``minimum`` (largest remainders)."""
    rest = total - minimum * len(weights)
    quotas = [rest * weight / sum(weights) for weight in weights]
    parts = [minimum + int(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (int(quotas[i]) - quotas[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _room_sizes(rng: random.Random, beds: int) -> list[int]:
    """A shelter's beds in rooms of 2–6."""
    count = max(-(-beds // 6), min(beds // 2, round(beds / rng.uniform(3.5, 4.5))))
    sizes = [2] * count
    for _ in range(beds - 2 * count):
        sizes[rng.choice([i for i, size in enumerate(sizes) if size < 6])] += 1
    return sizes


def _plan_network(
    seed: int, regions: int, shelters: int, beds: int, now_min: int
) -> tuple[list[Row], list[_Shelter], list[Row], list[_Bed]]:
    """Regions, shelters (opened before the history), rooms and beds (a few added during it)."""
    rng = _rng(seed, "network")
    specs = [
        REGIONS[i]
        if i < len(REGIONS)
        else (f"R{i + 1:02d}", f"Region {i + 1}", (f"Town {i + 1}",), 1)
        for i in range(regions)
    ]
    region_rows = [(i + 1, code, name) for i, (code, name, _, _) in enumerate(specs)]
    planned: list[_Shelter] = []
    names: dict[str, int] = {}
    for region, count in enumerate(_share(shelters, [spec[3] for spec in specs], 1)):
        towns = specs[region][2]
        for number in range(count):
            kind = KINDS[len(planned) % len(KINDS)]
            town = towns[0] if number < 2 else rng.choice(towns)
            name = f"{town} {KIND_NAMES[kind]}"
            names[name] = names.get(name, 0) + 1
            name += f" {names[name]}" if names[name] > 1 else ""
            address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {town}"
            opened = -rng.randint(30, 700) * DAY + _working(rng)
            planned.append(_Shelter(region, kind, name, address, opened))
    room_rows: list[Row] = []
    planned_beds: list[_Bed] = []
    late = (round(0.05 * now_min / DAY), round(0.9 * now_min / DAY))
    for index, (shelter, size) in enumerate(
        zip(planned, _share(beds, [rng.uniform(0.5, 1.6) for _ in planned], 2), strict=True)
    ):
        shelter.beds = size
        for room_index, room_size in enumerate(_room_sizes(rng, size)):
            floor = room_index // 6
            room_rows.append(
                (len(room_rows) + 1, index + 1, f"{floor + 1}.{room_index % 6 + 1:02d}", floor)
            )
            for label in range(1, room_size + 1):
                crib = rng.random() < CRIB_SHARE.get(shelter.kind, 0.0)
                if rng.random() < LATE_BEDS:
                    created = rng.randint(*late) * DAY + _working(rng)
                else:
                    created = shelter.opened + rng.randint(0, 20) * DAY
                planned_beds.append(
                    _Bed(
                        shelter=index,
                        room=len(room_rows),
                        label=str(label),
                        accessible=floor == 0 and label == 1 and rng.random() < 0.4,
                        crib=crib,
                        lower_bunk=not crib and rng.random() < 0.5,
                        created=created,
                    )
                )
    return region_rows, planned, room_rows, planned_beds


def _arrival(rng: random.Random, now_min: int) -> int:
    """A check-in minute, more of them lately (density rising linearly by :data:`GROWTH`)."""
    share = (math.sqrt(1 + GROWTH * (2 + GROWTH) * rng.random()) - 1) / GROWTH
    at = int(share * now_min / DAY) * DAY + _working(rng)
    return at if at < now_min else max(0, now_min - 5 * rng.randint(1, 120))


def _simulate(
    seed: int, shelters: list[_Shelter], beds: list[_Bed], count: int, now_min: int, target: float
) -> list[_Stay]:
    """``count`` stays placed in time order in free beds; a stay still running at ``now_min``
    is open. Durations are set so that about ``target`` of the beds are taken at the end.
    Only if the whole network stayed full from an arrival until ``now_min`` would that stay
    be left out (never at sizes near the defaults)."""
    rng = _rng(seed, "stays")
    rate_at_end = count / (now_min / DAY) * (1 + GROWTH) / (1 + GROWTH / 2)
    mean_days = (target + 0.03) * len(beds) / rate_at_end
    long_mean = max(2.0, (mean_days - SHORT_STAYS * 5.15) / (1 - SHORT_STAYS))
    arrivals = sorted(_arrival(rng, now_min) for _ in range(count))
    preferred = rng.choices(range(len(shelters)), weights=[s.beds for s in shelters], k=count)
    durations: list[int] = []
    cuts: list[list[int]] = []
    for _ in range(count):
        short = rng.random() < SHORT_STAYS
        days = rng.uniform(0.3, 10) if short else rng.gammavariate(1.4, long_mean / 1.4)
        durations.append(max(60, 5 * round(days * DAY / 5)))
        moves = 0
        if days >= 2 and rng.random() < TRANSFERS:
            moves = 2 if rng.random() < 0.1 else 1
        offsets = {5 * round(rng.uniform(0.05, 0.95) * durations[-1] / 5) for _ in range(moves)}
        cuts.append(sorted(offsets))

    # Free beds per shelter, and a heap of (free again at, bed, token) for the taken ones; an
    # entry whose token is stale was replaced (a transfer that found no bed stayed put).
    free: list[list[int]] = [[] for _ in shelters]
    busy: list[list[tuple[int, int, int]]] = [[] for _ in shelters]
    tokens = [0] * len(beds)
    for index, planned in enumerate(beds):
        if planned.created <= 0:
            free[planned.shelter].append(index)
        else:
            busy[planned.shelter].append((planned.created, index, 0))
    for heap in busy:
        heapq.heapify(heap)
    in_region: dict[int, list[int]] = {}
    for index, place in enumerate(shelters):
        in_region.setdefault(place.region, []).append(index)

    def release(shelter: int, at: int) -> None:
        heap = busy[shelter]
        while heap and heap[0][0] <= at:
            _, bed, token = heapq.heappop(heap)
            if token == tokens[bed]:
                free[shelter].append(bed)

    def take(shelter: int) -> int:
        beds_free = free[shelter]
        if not beds_free:
            return -1
        i = rng.randrange(len(beds_free))
        bed = beds_free[i]
        beds_free[i] = beds_free[-1]
        beds_free.pop()
        return bed

    def occupy(bed: int, start: int, end: int, stay: int) -> _Segment:
        segment = _Segment(bed, start, end, stay)
        beds[bed].segments.append(segment)
        heapq.heappush(busy[beds[bed].shelter], (end, bed, tokens[bed]))
        return segment

    stays: list[_Stay] = []
    ends_to_come: dict[int, list[int]] = {}
    # (minute, 0 = transfer / 1 = arrival, stay or arrival number): transfers go first, so a
    # bed left at a minute is not taken by an arrival before the transfer that left it.
    events = [(at, 1, i) for i, at in enumerate(arrivals)]
    heapq.heapify(events)
    while events:
        at, kind, i = heapq.heappop(events)
        if kind == 1:
            shelter = preferred[i]
            release(shelter, at)
            bed = take(shelter)
            if bed < 0:  # full: a shelter of the region, else any, takes the person in
                for candidate in (*in_region[shelters[shelter].region], *range(len(shelters))):
                    release(candidate, at)
                    bed = take(candidate)
                    if bed >= 0:
                        break
            if bed < 0:  # the whole network is full: come back when a bed frees
                soonest = min(heap[0][0] for heap in busy if heap)
                later = max(soonest, at) + rng.randrange(30, 360, 5)
                if later < now_min:
                    heapq.heappush(events, (later, 1, i))
                continue
            ends = [at + offset for offset in cuts[i] if at + offset < now_min]
            ends.append(at + durations[i])
            stay = _Stay(beds[bed].shelter, at, ends[-1])
            stay.segments.append(occupy(bed, at, ends[0], len(stays)))
            if len(ends) > 1:
                ends_to_come[len(stays)] = ends[1:]
                heapq.heappush(events, (ends[0], 0, len(stays)))
            stays.append(stay)
        else:
            stay = stays[i]
            current = stay.segments[-1]
            end = ends_to_come[i].pop(0)
            release(stay.shelter, at - 1)  # beds left at this very minute are not free yet
            bed = take(stay.shelter)
            if bed >= 0:
                stay.segments.append(occupy(bed, at, end, i))
            else:  # no other bed: stays put
                tokens[current.bed] += 1
                current.end = end
                heapq.heappush(busy[stay.shelter], (end, current.bed, tokens[current.bed]))
            if ends_to_come[i]:
                heapq.heappush(events, (end, 0, i))
            else:
                del ends_to_come[i]
    for stay in stays:
        assert stay.check_out is not None
        if stay.check_out > now_min:
            stay.check_out = None
            stay.segments[-1].end = None
    return stays


def _settle_today(
    seed: int, stays: list[_Stay], beds: list[_Bed], now_min: int, occupancy: float
) -> None:
    """Close some open stays (in the last month) or reopen the latest ended ones, until
    ``occupancy`` of the beds are taken now."""
    rng = _rng(seed, "today")
    open_stays = [stay for stay in stays if stay.check_out is None]
    target = round(occupancy * len(beds))
    if len(open_stays) > target:
        settled = [stay for stay in open_stays if stay.segments[-1].start <= now_min - 120]
        for stay in rng.sample(settled, min(len(open_stays) - target, len(settled))):
            last = stay.segments[-1]
            earliest = max(last.start + 60, now_min - 30 * DAY)
            stay.check_out = last.end = earliest + 5 * rng.randrange((now_min - earliest) // 5)
    elif len(open_stays) < target:
        ended = [
            bed.segments[-1]
            for bed in beds
            if bed.segments
            and bed.segments[-1].end is not None
            and stays[bed.segments[-1].stay].segments[-1] is bed.segments[-1]
        ]
        ended.sort(key=lambda segment: (-(segment.end or 0), segment.bed))
        for segment in ended[: target - len(open_stays)]:
            segment.end = None
            stays[segment.stay].check_out = None


def _in_check_in_order(stays: list[_Stay]) -> list[_Stay]:
    ordered = sorted(stays, key=lambda stay: stay.check_in)
    for index, stay in enumerate(ordered):
        for segment in stay.segments:
            segment.stay = index
    return ordered


def _plan_outages(seed: int, beds: list[_Bed], now_min: int) -> list[tuple[int, int, int | None]]:
    """(bed, start, end) outages in free gaps of the beds' histories; some still open today."""
    rng = _rng(seed, "outages")
    outages: list[tuple[int, int, int | None]] = []

    def closed(bed: int, start: int, end: int) -> None:
        length = end - start
        if length >= 3 * DAY and rng.random() < CLOSED_OUTAGE:
            duration = 5 * round(rng.uniform(DAY, min(14 * DAY, length / 2)) / 5)
            begin = start + 5 * rng.randrange((length - duration) // 5)
            outages.append((bed, begin, begin + duration))

    for index, bed in enumerate(beds):
        previous: int | None = max(bed.created, 0)
        for segment in bed.segments:
            assert previous is not None
            closed(index, previous, segment.start)
            previous = segment.end
        if previous is None or previous >= now_min - 180:
            continue
        if rng.random() < OPEN_OUTAGE:
            earliest = max(previous + 60, now_min - 30 * DAY)
            outages.append(
                (index, earliest + 5 * rng.randrange((now_min - 60 - earliest) // 5), None)
            )
        else:
            closed(index, previous, now_min - 60)
    outages.sort(key=lambda outage: (outage[1], outage[0]))
    return outages


def _take(
    rng: random.Random,
    pool: list[int],
    available: list[bool],
    last_shelter: list[int],
    shelter: int,
) -> int:
    """Someone from ``pool`` (released lately, more likely), or -1. Entries go stale when the
    person is taken (or, with ``shelter`` >= 0, left another shelter since); they are skipped
    and now and then swept out."""
    misses = 0
    while pool:
        n = len(pool)
        i = n - 1 - min(int(rng.expovariate(1.0) * (0.25 * n + 1)), n - 1)
        person = pool[i]
        if available[person] and (shelter < 0 or last_shelter[person] == shelter):
            available[person] = False
            return person
        misses += 1
        if misses == 4:
            pool[:] = [
                p for p in pool if available[p] and (shelter < 0 or last_shelter[p] == shelter)
            ]
            misses = 0
    return -1


def _chain_people(
    seed: int, stays: list[_Stay], shelters: list[_Shelter], residents: int
) -> list[_Person]:
    """Each stay, in check-in order, to a new person or to someone back after a stay of their
    own that ended a day or more before, in a shelter that takes them in: exactly ``residents``
    people unless some kind of shelter runs out of returning people (then a few more)."""
    rng = _rng(seed, "people")
    takes_in = {kind: _Weighted(weights) for kind, weights in TAKES_IN.items()}
    nationalities = _Weighted(NATIONALITY_WEIGHTS)
    returned, final = _Weighted(EXITS_RETURNED), _Weighted(EXITS_FINAL)
    people: list[_Person] = []
    available: list[bool] = []
    last_shelter: list[int] = []
    back: list[tuple[int, int]] = []
    by_category: dict[str, list[int]] = {c: [] for c in ("female", "male", "other", "child")}
    by_shelter: list[dict[str, list[int]]] = [{c: [] for c in by_category} for _ in shelters]
    new_to_come = residents
    for position, stay in enumerate(stays):
        while back and back[0][0] <= stay.check_in:
            _, person = heapq.heappop(back)
            available[person] = True
            category = people[person].category
            by_category[category].append(person)
            by_shelter[last_shelter[person]][category].append(person)
        kind = shelters[stay.shelter].kind
        left = len(stays) - position
        person = -1
        if new_to_come < left and (new_to_come <= 0 or rng.random() >= new_to_come / left):
            wanted = takes_in[kind].pick(rng)
            for category in (wanted, *(c for c in TAKES_IN[kind] if c != wanted)):
                if rng.random() < SAME_SHELTER:
                    pool = by_shelter[stay.shelter][category]
                    person = _take(rng, pool, available, last_shelter, stay.shelter)
                if person < 0:
                    person = _take(rng, by_category[category], available, last_shelter, -1)
                if person >= 0:
                    break
        if person < 0:
            category = takes_in[kind].pick(rng)
            nationality = NATIONALITIES[nationalities.pick(rng)]
            people.append(_Person(category, nationality, stay.shelter, stay.check_in, position))
            available.append(False)
            last_shelter.append(stay.shelter)
            person = len(people) - 1
            new_to_come -= 1
        else:
            previous = stays[people[person].last_stay]
            assert previous.check_out is not None
            moved = stay.shelter != previous.shelter
            soon = stay.check_in - previous.check_out <= 2 * DAY
            previous.exit = "other_shelter" if moved and soon else returned.pick(rng)
            people[person].last_stay = position
            people[person].stays += 1
            last_shelter[person] = stay.shelter
        stay.resident = person
        if stay.check_out is not None and people[person].stays < MOST_STAYS:
            heapq.heappush(back, (stay.check_out + RETURN_GAP, person))
    for someone in people:
        last = stays[someone.last_stay]
        if last.check_out is not None:
            last.exit = final.pick(rng)
            if last.exit == "repatriated" and someone.nationality.code == "KZ":
                last.exit = "returned_home"
    return people


def _resident_rows(
    seed: int, people: list[_Person], when: Any, compact: Any
) -> tuple[list[Row], int]:
    """Identity, case data, consents and safety flags of each person, coded in order of
    registration; returns the rows and how many are do-not-disclose."""
    rng = _rng(seed, "identities")
    exploitation = {group: _Weighted(weights) for group, weights in EXPLOITATION.items()}
    referrals = _Weighted(REFERRALS)
    documents = {True: _Weighted(DOCUMENTS_CITIZEN), False: _Weighted(DOCUMENTS_FOREIGN)}
    rows: list[Row] = []
    hidden_count = 0
    for number, person in enumerate(people, start=1):
        nationality = person.nationality
        registered: datetime = when(person.registered)
        child = person.category == "child"
        if child:
            female = rng.random() < 0.55
            birth = registered.date() - timedelta(days=rng.randint(10 * 365 + 3, 17 * 365))
        else:
            female = person.category == "female" or (
                person.category == "other" and rng.random() < 0.5
            )
            birth = registered.date() - timedelta(days=rng.randint(18 * 366, 55 * 365))
        sex = {"female": "female", "male": "male", "other": "undisclosed"}.get(
            person.category, "female" if female else "male"
        )
        given = rng.choice(nationality.female_given if female else nationality.male_given)
        family = rng.choice(nationality.family_names)[1 if female else 0]
        languages = [nationality.language]
        if nationality.language != "ru" and rng.random() < nationality.speaks_russian:
            languages.append("ru")
        preferred = "ru" if "ru" in languages and rng.random() < 0.25 else languages[0]
        group = "child" if child else {"female": "female", "male": "male"}.get(sex, "other")
        kinds = [exploitation[group].pick(rng)]
        if rng.random() < 0.25 and (second := exploitation[group].pick(rng)) not in kinds:
            kinds.append(second)
        citizen = nationality.code == "KZ"
        referral = referrals.pick(rng)
        while citizen and referral == "embassy":
            referral = referrals.pick(rng)
        hidden = rng.random() < HIDDEN
        hidden_count += hidden
        phone = f"+7 700 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        contact = f"{rng.choice(RELATIVES)}, {rng.choice(nationality.female_given)}"
        rows.append(
            (
                number,
                f"HV-{registered.year}-{number:06d}",
                given,
                family,
                birth,
                sex,
                nationality.code,
                compact(languages),
                preferred,
                phone if rng.random() < 0.7 else "",
                contact if rng.random() < 0.15 else "",
                compact(kinds),
                referral,
                documents[citizen].pick(rng),
                True,
                rng.random() < 0.45,
                not citizen and rng.random() < 0.4,
                rng.random() < 0.55,
                registered,
                hidden,
                rng.choice(THREATS) if hidden else "",
                registered,
                person.shelter + 1,
            )
        )
    return rows, hidden_count


@dataclass
class _World:
    tables: dict[str, list[Row]]
    open_stays: int
    transfers: int
    hidden: int


def plan_world(
    *,
    regions: int,
    shelters: int,
    beds: int,
    residents: int,
    stays: int,
    years: float,
    seed: int,
    now: datetime,
    occupancy: float,
) -> _World:
    """Every row of every table, in memory; no database involved."""
    history = round(years * 365)
    base = datetime.combine(now.astimezone(UTC).date() - timedelta(days=history), time(0), UTC)
    now_min = int((now - base).total_seconds() // 60)

    def when(minute: int | None) -> datetime | None:
        return None if minute is None else base + timedelta(minutes=minute)

    def compact(values: list[str]) -> str:
        return json.dumps(values, separators=(",", ":"))

    region_rows, planned, room_rows, planned_beds = _plan_network(
        seed, regions, shelters, beds, now_min
    )
    planned_stays = _simulate(seed, planned, planned_beds, stays, now_min, occupancy)
    _settle_today(seed, planned_stays, planned_beds, now_min, occupancy)
    planned_stays = _in_check_in_order(planned_stays)
    outages = _plan_outages(seed, planned_beds, now_min)
    people = _chain_people(seed, planned_stays, planned, min(residents, len(planned_stays)))
    resident_rows, hidden = _resident_rows(seed, people, when, compact)
    reasons = _rng(seed, "reasons")
    tables: dict[str, list[Row]] = {
        "region": region_rows,
        "shelter": [
            (i + 1, s.region + 1, s.name, s.kind.value, s.address, when(s.opened))
            for i, s in enumerate(planned)
        ],
        "room": room_rows,
        "bed": [
            (i + 1, b.room, b.label, b.accessible, b.crib, b.lower_bunk, when(b.created))
            for i, b in enumerate(planned_beds)
        ],
        "resident": resident_rows,
        "stay": [
            (i + 1, s.resident + 1, s.shelter + 1, when(s.check_in), when(s.check_out), s.exit)
            for i, s in enumerate(planned_stays)
        ],
        "bed_assignment": [
            (n, segment.stay + 1, segment.bed + 1, when(segment.start), when(segment.end))
            for n, segment in enumerate(
                (segment for stay in planned_stays for segment in stay.segments), start=1
            )
        ],
        "bed_outage": [
            (n, bed + 1, reasons.choice(OUTAGE_REASONS), when(start), when(end))
            for n, (bed, start, end) in enumerate(outages, start=1)
        ],
    }
    return _World(
        tables=tables,
        open_stays=sum(1 for stay in planned_stays if stay.check_out is None),
        transfers=sum(1 for stay in planned_stays if len(stay.segments) > 1),
        hidden=hidden,
    )


def _sqlite_rows(
    table: str, rows: list[Row], columns: dict[str, tuple[str, ...]] = COLUMNS
) -> list[Row]:
    """Datetimes and dates as the ISO text Tortoise writes on SQLite (compared as text there)."""
    temporal = [
        i
        for i, column in enumerate(columns[table])
        if column in TEMPORAL | STOCK_TEMPORAL | CARE_TEMPORAL | SERVICE_TEMPORAL
    ]
    if not temporal:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i in temporal:
            value = values[i]
            if isinstance(value, datetime):
                values[i] = value.isoformat(" ")
            elif isinstance(value, date):
                values[i] = value.isoformat()
        converted.append(tuple(values))
    return converted


async def _load(
    tables: dict[str, list[Row]],
    progress: Progress | None,
    seconds: dict[str, float],
    all_columns: dict[str, tuple[str, ...]] = COLUMNS,
) -> bool:
    """Every table in one transaction: COPY on PostgreSQL (asyncpg), executemany on SQLite.
    Returns whether the database is PostgreSQL."""
    async with in_transaction() as connection:
        async with connection.acquire_connection() as raw:
            postgres = hasattr(raw, "copy_records_to_table")
            if not postgres and connection.capabilities.dialect != "sqlite":
                raise NotImplementedError(f"no bulk load for {connection.capabilities.dialect}")
            for table, columns in all_columns.items():
                started = clock.perf_counter()
                rows = tables[table]
                task = progress.add_task(table, total=len(rows)) if progress else None
                insert = (
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' for _ in columns)})"
                )
                for start in range(0, len(rows), BATCH):
                    batch = rows[start : start + BATCH]
                    if postgres:
                        await raw.copy_records_to_table(table, records=batch, columns=columns)
                    else:
                        await raw.executemany(insert, _sqlite_rows(table, batch, all_columns))
                    if progress and task is not None:
                        progress.advance(task, len(batch))
                seconds[table] = round(clock.perf_counter() - started, 2)
    return postgres


async def _create_accounts(
    shelter_ids: list[int], password: str, seed: int, progress: Progress | None
) -> int:
    """The coordinator and one shelter-staff account per shelter, through the domain (Argon2
    hashes and audit rows as for any account)."""
    rng = _rng(seed, "accounts")
    operator = Viewer.operator("bench")
    task = progress.add_task("accounts", total=len(shelter_ids) + 1) if progress else None
    accounts: list[tuple[str, str, Role, list[int]]] = [
        (COORDINATOR, "Bench Coordinator", Role.COORDINATOR, [])
    ]
    for shelter_id in shelter_ids:
        female = rng.random() < 0.7
        names = NATIONALITIES["KZ"]
        given = rng.choice(names.female_given if female else names.male_given)
        family = rng.choice(names.family_names)[1 if female else 0]
        accounts.append(
            (staff_username(shelter_id), f"{given} {family}", Role.SHELTER_STAFF, [shelter_id])
        )
    for username, full_name, role, shelters in accounts:
        await create_user(operator, username, full_name, role, password, shelters)
        if progress and task is not None:
            progress.advance(task)
    return len(accounts)


async def _load_services(
    seed: int,
    world: dict[str, list[Row]],
    count: int,
    now: datetime,
    progress: Progress | None,
    seconds: dict[str, float],
) -> None:
    """Service records in chunks of :data:`bench.generate_services.CHUNK`, each its own
    transaction (a million rows are never all in memory)."""
    started = clock.perf_counter()
    task = progress.add_task("service_record", total=count) if progress else None
    for records, changes in plan_services(seed=seed, world=world, count=count, now=now):
        chunk: dict[str, float] = {}
        await _load(
            {"service_record": records, "service_change": changes}, None, chunk, SERVICE_COLUMNS
        )
        if progress and task is not None:
            progress.advance(task, len(records))
    seconds["service_record"] = round(clock.perf_counter() - started, 2)


async def generate(
    *,
    regions: int = 8,
    shelters: int = 60,
    beds: int = 3000,
    residents: int = 50_000,
    stays: int = 80_000,
    years: float = 5,
    seed: int = 7,
    now: datetime | None = None,
    progress: Progress | None = None,
    occupancy: float = 0.65,
    password: str = DEMO_PASSWORD,
    service_records: int = 1_000_000,
    stock_movements: int = 500_000,
    appointment_days: int = 14,
) -> GeneratedSummary:
    """Fill an empty, migrated database (Tortoise initialised); see the module docstring."""
    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not (1 <= regions <= shelters and beds >= 2 * shelters and 1 <= residents <= stays):
        raise ValueError("need 1 <= regions <= shelters, beds >= 2 * shelters, residents <= stays")
    if years <= 0 or not 0 < occupancy < 1:
        raise ValueError("years must be positive and occupancy between 0 and 1")
    if await Region.exists() or await Resident.exists():
        raise RuntimeError("generate() fills an empty database; this one has data")
    if min(stock_movements, service_records, appointment_days) < 0:
        raise ValueError("stock_movements, service_records, appointment_days: not negative")
    skipped: tuple[str, ...] = ()
    seconds: dict[str, float] = {}
    started = clock.perf_counter()
    planning = progress.add_task("planning (in memory)", total=1) if progress else None
    world = plan_world(
        regions=regions,
        shelters=shelters,
        beds=beds,
        residents=residents,
        stays=stays,
        years=years,
        seed=seed,
        now=now,
        occupancy=occupancy,
    )
    if progress and planning is not None:
        progress.advance(planning)
    seconds["plan"] = round(clock.perf_counter() - started, 2)
    stock_started = clock.perf_counter()
    stock = plan_stock(seed=seed, world=world.tables, movements=stock_movements, now=now)
    seconds["plan_stock"] = round(clock.perf_counter() - stock_started, 2)
    postgres = await _load(world.tables, progress, seconds)
    await _load(stock.tables, progress, seconds, STOCK_COLUMNS)
    await _load_services(seed, world.tables, service_records, now, progress, seconds)

    finishing = clock.perf_counter()
    if postgres:  # ids were given: the sequences go on after them; fresh statistics
        async with in_transaction() as connection:
            for table in [*COLUMNS, *STOCK_COLUMNS, *SERVICE_COLUMNS]:
                await connection.execute_script(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
        async with in_transaction() as connection:
            analysed = [*COLUMNS, *STOCK_COLUMNS, *SERVICE_COLUMNS]
            await connection.execute_script(f"ANALYZE {', '.join(analysed)}")
    seconds["sequences_analyze"] = round(clock.perf_counter() - finishing, 2)

    accounts_started = clock.perf_counter()
    shelter_ids = [row[0] for row in world.tables["shelter"]]
    accounts = await _create_accounts(shelter_ids, password, seed, progress)
    care: dict[str, list[Row]] = {table: [] for table in CARE_COLUMNS}
    if appointment_days > 0:
        medics = await create_medics(shelter_ids, password)
        accounts += len(medics)
        care = plan_appointments(
            seed=seed, world=world.tables, medics=medics, now=now, days=appointment_days
        )
        await _load(care, progress, seconds, CARE_COLUMNS)
        if postgres:
            async with in_transaction() as connection:
                for table in CARE_COLUMNS:
                    await connection.execute_script(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
                await connection.execute_script(f"ANALYZE {', '.join(CARE_COLUMNS)}")
    seconds["accounts"] = round(clock.perf_counter() - accounts_started, 2)
    seconds["total"] = round(clock.perf_counter() - started, 2)
    count = {table: len(rows) for table, rows in world.tables.items()}
    return GeneratedSummary(
        regions=count["region"],
        shelters=count["shelter"],
        rooms=count["room"],
        beds=count["bed"],
        bed_outages=count["bed_outage"],
        residents=count["resident"],
        stays=count["stay"],
        bed_assignments=count["bed_assignment"],
        accounts=accounts,
        open_stays=world.open_stays,
        occupancy=round(world.open_stays / count["bed"], 4),
        transfers=world.transfers,
        hidden_residents=world.hidden,
        skipped=skipped,
        items=len(stock.tables["item"]),
        stock_levels=len(stock.tables["stock_level"]),
        stock_movements=len(stock.tables["stock_movement"]),
        appointments=len(care["medical_appointment"]),
        service_records=service_records,
        seconds=seconds,
    )


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Migrate a database and fill it with a synthetic national network.",
    )
    parser.add_argument("--database-url", required=True, help="sqlite://… or postgres://…")
    for name, default in (
        ("regions", 8),
        ("shelters", 60),
        ("beds", 3000),
        ("residents", 50_000),
        ("stays", 80_000),
        ("seed", 7),
        ("service-records", 1_000_000),
        ("stock-movements", 500_000),
        ("appointment-days", 14),
    ):
        parser.add_argument(f"--{name}", type=int, default=default, help="default %(default)s")
    parser.add_argument("--years", type=float, default=5, help="default %(default)s")
    parser.add_argument("--occupancy", type=float, default=0.65, help="default %(default)s")
    parser.add_argument(
        "--now", type=datetime.fromisoformat, help="ISO instant the history ends (default now, UTC)"
    )
    parser.add_argument("--password", default=DEMO_PASSWORD, help="of every account made")
    return parser.parse_args(argv)


def _summary_table(summary: GeneratedSummary) -> Table:
    table = Table(title="Generated")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    for name, rows in (
        ("region", summary.regions),
        ("shelter", summary.shelters),
        ("room", summary.rooms),
        ("bed", summary.beds),
        ("resident", summary.residents),
        ("stay", summary.stays),
        ("bed_assignment", summary.bed_assignments),
        ("bed_outage", summary.bed_outages),
        ("item", summary.items),
        ("stock_level", summary.stock_levels),
        ("stock_movement", summary.stock_movements),
        ("medical_appointment", summary.appointments),
        ("service_record", summary.service_records),
        ("accounts", summary.accounts),
    ):
        table.add_row(name, f"{rows:,}", f"{summary.seconds.get(name, 0):.2f}")
    for phase in ("plan", "plan_stock", "sequences_analyze", "total"):
        table.add_row(f"[dim]{phase}[/dim]", "", f"{summary.seconds[phase]:.2f}")
    return table


async def _run(options: argparse.Namespace, console: Console) -> GeneratedSummary:
    from cryptography.fernet import Fernet

    from server.database import migrate_database, open_database
    from server.settings import Settings

    now = options.now
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    # A throwaway data key: nothing encrypted is written, and no key file is left behind.
    settings = Settings(database_url=options.database_url, data_key=Fernet.generate_key().decode())
    console.print("Migrating…")
    await migrate_database(settings)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    async with open_database(settings):
        with Progress(*columns, console=console) as progress:
            return await generate(
                regions=options.regions,
                shelters=options.shelters,
                beds=options.beds,
                residents=options.residents,
                stays=options.stays,
                years=options.years,
                seed=options.seed,
                now=now,
                progress=progress,
                occupancy=options.occupancy,
                password=options.password,
                service_records=options.service_records,
                stock_movements=options.stock_movements,
                appointment_days=options.appointment_days,
            )


def main(argv: list[str] | None = None) -> int:
    options = _options(sys.argv[1:] if argv is None else argv)
    console = Console()
    summary = asyncio.run(_run(options, console))
    console.print(_summary_table(summary))
    console.print(
        f"Today: {summary.open_stays:,} open stays in {summary.beds:,} beds "
        f"({summary.occupancy:.1%}); {summary.transfers:,} stays moved bed; "
        f"{summary.hidden_residents:,} residents do-not-disclose. Accounts: {COORDINATOR}, "
        f"{staff_username(1)}…{staff_username(summary.shelters)}."
    )
    for note in summary.skipped:
        console.print(f"[bold yellow]{note}[/bold yellow]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Synthetic stock for the scale data: a catalogue, every shelter's level of every item, and a
ledger of movements consistent with the database's invariants (0013_stock_invariants).

    tables = plan_stock(seed=7, world=world.tables, movements=500_000, now=now)

:func:`plan_stock` works in memory on the rows :func:`bench.generate.plan_world` planned: a
distribution goes to a resident during one of their stays in that shelter, receipts and counts
happen while the shelter exists, and a movement out never takes more than is on hand (a receipt
comes first when a level runs dry). Movements are replayed in time order per level, so each
``on_hand_after`` is the running sum of ``delta`` and each ``received_through`` the running sum
of what came in; each level ends at its ledger's sum. A transfer is two rows: out of one
shelter, then in to another, linked by ``transfer_of_id``. Same seed, same rows.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

Row = tuple[Any, ...]

#: Table, columns, in loading order (parents first).
STOCK_COLUMNS = {
    table: tuple(columns.split())
    for table, columns in (
        ("item", "id name category unit clothing_size season perishable created_at"),
        ("stock_level", "id shelter_id item_id on_hand received_total threshold updated_at"),
        (
            "stock_movement",
            "id level_id kind delta on_hand_after received_through at recorded_at "
            "recorded_by_id resident_id donor expires_on transfer_of_id write_off_reason note",
        ),
    )
}
STOCK_TEMPORAL = {"created_at", "updated_at", "at", "recorded_at", "expires_on"}

#: name, category, unit, clothing size, season, perishable, usual quantity handed out.
CATALOGUE: tuple[tuple[str, str, str, str, str | None, bool, int], ...] = (
    ("Rice", "food", "kg", "", None, False, 2),
    ("Buckwheat", "food", "kg", "", None, False, 1),
    ("Pasta", "food", "pack", "", None, False, 2),
    ("Sunflower oil", "food", "bottle", "", None, False, 1),
    ("Bread", "food", "piece", "", None, True, 1),
    ("Milk", "food", "litre", "", None, True, 1),
    ("Tea", "food", "pack", "", None, False, 1),
    ("Canned fish", "food", "piece", "", None, False, 2),
    ("Baby formula", "food", "pack", "", None, True, 1),
    ("Soap", "hygiene", "piece", "", None, False, 1),
    ("Shampoo", "hygiene", "bottle", "", None, False, 1),
    ("Toothbrush", "hygiene", "piece", "", None, False, 1),
    ("Toothpaste", "hygiene", "piece", "", None, False, 1),
    ("Sanitary pads", "hygiene", "pack", "", None, False, 1),
    ("Diapers", "hygiene", "pack", "", None, False, 1),
    ("First aid kit", "medical_supply", "kit", "", None, False, 1),
    ("Paracetamol", "medical_supply", "pack", "", None, False, 1),
    ("Bandages", "medical_supply", "pack", "", None, False, 1),
    ("Winter jacket", "clothing", "piece", "M", "winter", False, 1),
    ("Winter jacket", "clothing", "piece", "L", "winter", False, 1),
    ("Boots", "clothing", "pair", "39", "winter", False, 1),
    ("Boots", "clothing", "pair", "43", "winter", False, 1),
    ("T-shirt", "clothing", "piece", "M", "summer", False, 2),
    ("Socks", "clothing", "pair", "", "all_season", False, 3),
    ("Bed linen", "other", "set", "", None, False, 1),
    ("Towel", "other", "piece", "", None, False, 1),
    ("SIM card", "other", "piece", "", None, False, 1),
)
DONORS = (
    "Food bank Almaty",
    "Red Crescent",
    "City akimat",
    "Parish of St Nicholas",
    "Private donor",
    "Supermarket chain",
    "Embassy small grants",
)
#: Of the movements that are not distributions: kind -> weight (a transfer makes two rows).
OTHER_KINDS = {"receipt": 0.55, "transfer": 0.15, "write_off": 0.12, "adjustment": 0.18}
#: Share of movements that are distributions to residents.
DISTRIBUTIONS = 0.6
WRITE_OFF_REASONS = ("expired", "damaged", "other")


@dataclass(slots=True)
class _Level:
    on_hand: int = 0
    received: int = 0
    last: datetime | None = None


@dataclass(frozen=True)
class StockPlan:
    tables: dict[str, list[Row]]
    #: Receipts added ahead of a distribution, transfer or write-off that found too little.
    top_ups: int


def _wanted(rng: random.Random, usual: int) -> int:
    return max(1, round(usual * rng.choice((1, 1, 1, 2, 3))))


def plan_stock(
    *, seed: int, world: dict[str, list[Row]], movements: int, now: datetime
) -> StockPlan:
    """Items, levels and ``movements`` ledger rows (exactly, if ``movements`` > 0)."""
    rng = random.Random(f"{seed}:stock")
    shelters = world["shelter"]  # id region_id name kind address created_at
    opened = {row[0]: row[5] for row in shelters}
    first = min(opened.values())
    items: list[Row] = [
        (i, name, category, unit, size, season, perishable, first)
        for i, (name, category, unit, size, season, perishable, _) in enumerate(CATALOGUE, 1)
    ]
    usual = {i: entry[6] for i, entry in enumerate(CATALOGUE, 1)}
    perishable = {i for i, entry in enumerate(CATALOGUE, 1) if entry[5]}
    level_id = {
        (shelter, item): n
        for n, (shelter, item) in enumerate(
            ((s[0], i[0]) for s in shelters for i in items), start=1
        )
    }
    # Stays of the ledger's window, for distributions: (resident, shelter, start, end).
    stays = [(r[1], r[2], r[3], r[4] or now) for r in world["stay"]]
    weights = [(end - start).total_seconds() for _, _, start, end in stays]
    item_ids = [i[0] for i in items]
    shelter_ids = [s[0] for s in shelters]

    # Each planned event: (at, order, kind, shelter, item, resident, other shelter).
    events: list[tuple[datetime, int, str, int, int, int | None, int | None]] = []
    if movements:
        handed = round(movements * DISTRIBUTIONS)
        for n, (resident, shelter, start, end) in enumerate(
            rng.choices(stays, weights=weights, k=handed)
        ):
            at = start + (end - start) * rng.random()
            events.append((at, n, "distribution", shelter, rng.choice(item_ids), resident, None))
        kinds, kind_weights = zip(*OTHER_KINDS.items(), strict=True)
        for n in range(handed, movements):
            shelter = rng.choice(shelter_ids)
            at = opened[shelter] + (now - opened[shelter]) * rng.random()
            kind = rng.choices(kinds, weights=kind_weights)[0]
            other = None
            if kind == "transfer":
                other = rng.choice([s for s in shelter_ids if s != shelter] or [shelter])
                if other == shelter or opened[other] > at:
                    kind = "receipt"
            events.append((at, n, kind, shelter, rng.choice(item_ids), None, other))
    heapq.heapify(events)

    state = {key: _Level() for key in level_id}
    rows: list[Row] = []
    top_ups = 0

    def add(key: tuple[int, int], kind: str, delta: int, at: datetime, **extra: Any) -> int:
        level = state[key]
        level.on_hand += delta
        level.received += max(delta, 0)
        level.last = at
        movement = len(rows) + 1
        expires: date | None = extra.get("expires_on")
        rows.append(
            (
                movement,
                level_id[key],
                kind,
                delta,
                level.on_hand,
                level.received,
                at,
                at,
                None,
                extra.get("resident"),
                extra.get("donor", ""),
                expires,
                extra.get("transfer_of"),
                extra.get("reason"),
                extra.get("note", ""),
            )
        )
        return movement

    def receive(key: tuple[int, int], at: datetime, quantity: int) -> None:
        item = key[1]
        expires = (at + timedelta(days=rng.randint(3, 60))).date() if item in perishable else None
        add(key, "receipt", quantity, at, donor=rng.choice(DONORS), expires_on=expires)

    while events and len(rows) < movements:
        at, _, kind, shelter, item, resident, other = heapq.heappop(events)
        key = (shelter, item)
        level = state[key]
        room = movements - len(rows)
        if kind == "receipt":
            receive(key, at, rng.randint(5, 40) * usual[item])
            continue
        if kind == "adjustment":
            delta = rng.choice((-2, -1, 1, 1, 2))
            if level.on_hand + delta < 0:
                delta = 1
            add(key, "adjustment", delta, at, note="Monthly count")
            continue
        wanted = _wanted(rng, usual[item])
        needed = 2 if kind == "transfer" else 1
        if level.on_hand < wanted:
            if room < needed + 1:
                break
            earlier = at - timedelta(minutes=rng.randint(5, 600))
            receive(key, max(earlier, level.last or earlier), wanted * rng.randint(5, 20))
            top_ups += 1
        elif room < needed:
            break
        if kind == "distribution":
            add(key, "distribution", -wanted, at, resident=resident)
        elif kind == "write_off":
            reason = rng.choice(WRITE_OFF_REASONS)
            note = "Packaging torn in storage" if reason == "other" else ""
            add(key, "write_off", -wanted, at, reason=reason, note=note)
        else:
            assert other is not None
            out = add(key, "transfer_out", -wanted, at, note="Regional transfer")
            add((other, item), "transfer_in", wanted, at, transfer_of=out)

    thresholds = random.Random(f"{seed}:thresholds")
    levels: list[Row] = [
        (
            n,
            shelter,
            item,
            state[(shelter, item)].on_hand,
            state[(shelter, item)].received,
            thresholds.choice((None, None, 5, 10, 20)),
            state[(shelter, item)].last or opened[shelter],
        )
        for (shelter, item), n in level_id.items()
    ]
    return StockPlan(
        tables={"item": items, "stock_level": levels, "stock_movement": rows}, top_ups=top_ups
    )

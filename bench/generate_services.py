"""Synthetic service records for the scale data: legal aid, documents, court, return home and
the rest, each logged for a resident during one of their stays, at that stay's shelter.

    for records, changes in plan_services(seed=7, world=world.tables, count=1_000_000, now=now):
        ...  # load each chunk (CHUNK records) in turn: a million rows is not held at once

Each record fits 0015_services_invariants: a document restoration has its type and stage, a
return home its stage, and no other kind either; ``completed_on`` is set when, and only when,
the record is completed, and not before ``started_on``. A stay that ended has its services
completed or cancelled; a running one's may still be planned or in progress. Each record's
history is the row that logged it, holding its status and stage. Same seed, same rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

Row = tuple[Any, ...]

SERVICE_COLUMNS = {
    table: tuple(columns.split())
    for table, columns in (
        (
            "service_record",
            "id resident_id shelter_id recorded_by_id kind pillar status provider outcome "
            "started_on completed_on recorded_at document_type document_stage return_stage",
        ),
        (
            "service_change",
            "id service_id recorded_by_id at change status document_stage return_stage",
        ),
    )
}
SERVICE_TEMPORAL = {"started_on", "completed_on", "recorded_at", "at"}
#: Records planned and loaded at a time.
CHUNK = 50_000

#: kind -> (weight, pillar), as server.domain.services' DEFAULT_PILLAR.
KINDS = {
    "legal_aid": (12, "protection"),
    "document_restoration": (10, "protection"),
    "court_representation": (3, "prosecution"),
    "police_statement": (4, "prosecution"),
    "family_tracing": (4, "protection"),
    "return_home": (5, "protection"),
    "interpretation": (20, "protection"),
    "transport": (15, "protection"),
    "vocational_training": (7, "prevention"),
    "hygiene_kit": (20, "protection"),
}
PROVIDERS = (
    "Legal clinic Adilet",
    "Migration service",
    "Interpreter pool",
    "Shelter staff",
    "IOM office",
    "Vocational college No. 3",
    "",
)
DOCUMENT_TYPES = ("passport", "id_card", "birth_certificate", "migration_card", "work_permit")
DOCUMENT_STAGES = ("requested", "application_filed", "issued", "handed_over")
RETURN_STAGES = (
    "requested",
    "documents_ready",
    "travel_booked",
    "departed",
    "arrived",
    "followed_up",
)


def _stages(rng: random.Random, kind: str, status: str) -> tuple[str | None, ...]:
    """(document_type, document_stage, return_stage) for a record of ``kind`` and ``status``."""
    done = status == "completed"
    if kind == "document_restoration":
        stage = DOCUMENT_STAGES[-1] if done else rng.choice(DOCUMENT_STAGES[:-1])
        return rng.choice(DOCUMENT_TYPES), stage, None
    if kind == "return_home":
        stage = rng.choice(RETURN_STAGES[-2:]) if done else rng.choice(RETURN_STAGES[:-2])
        return None, None, stage
    return None, None, None


def plan_services(
    *, seed: int, world: dict[str, list[Row]], count: int, now: datetime
) -> Iterator[tuple[list[Row], list[Row]]]:
    """``count`` records and their history rows, in chunks of :data:`CHUNK` records."""
    rng = random.Random(f"{seed}:services")
    stays = [(r[1], r[2], r[3], r[4]) for r in world["stay"]]
    weights = [((r[4] or now) - r[3]).total_seconds() + 3600 for r in world["stay"]]
    kinds = list(KINDS)
    kind_weights = [KINDS[k][0] for k in kinds]
    today = now.date()
    number = 0
    while number < count:
        size = min(CHUNK, count - number)
        records: list[Row] = []
        changes: list[Row] = []
        for resident, shelter, start, end in rng.choices(stays, weights=weights, k=size):
            number += 1
            until = end or now
            at = start + (until - start) * rng.random()
            kind = rng.choices(kinds, weights=kind_weights)[0]
            if end is None:
                status = rng.choices(("planned", "in_progress", "completed"), (3, 4, 3))[0]
            else:
                status = rng.choices(("completed", "cancelled"), (7, 3))[0]
            started_on: date | None = None if status == "planned" else at.date()
            completed_on: date | None = None
            if status == "completed":
                started_on = at.date()
                completed_on = min(started_on + timedelta(days=rng.randint(0, 30)), today)
            document_type, document_stage, return_stage = _stages(rng, kind, status)
            outcome = "Done as asked" if status == "completed" else ""
            records.append(
                (
                    number,
                    resident,
                    shelter,
                    None,
                    kind,
                    KINDS[kind][1],
                    status,
                    rng.choice(PROVIDERS),
                    outcome,
                    started_on,
                    completed_on,
                    at,
                    document_type,
                    document_stage,
                    return_stage,
                )
            )
            changes.append(
                (number, number, None, at, "logged", status, document_stage, return_stage)
            )
        yield records, changes

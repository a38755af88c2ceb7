"""The hand-written SQL floor of the occupancy answer: each shelter's capacity, occupied, held and
out-of-service beds now, with its region, in one statement straight through the driver
(sqlite3 / asyncpg), so the GraphQL figure can be quoted as a multiple of it.

Same rules as ``server.domain.occupancy.occupancy_at``: a bed counts once, occupied before out of
service before held; capacity counts beds created by then.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

# One statement per dialect; the differences are the placeholder and FILTER vs CASE.
_POSTGRES = """
WITH occupied AS (
    SELECT DISTINCT bed_id FROM bed_assignment
    WHERE started_at <= $1 AND (ended_at IS NULL OR ended_at > $1)
), out_of_service AS (
    SELECT DISTINCT bed_id FROM bed_outage
    WHERE started_at <= $1 AND (ended_at IS NULL OR ended_at > $1)
), held AS (
    SELECT DISTINCT bed_id FROM bed_hold
    WHERE started_at <= $1 AND expires_at > $1 AND (released_at IS NULL OR released_at > $1)
)
SELECT g.name AS region, s.name AS shelter,
       count(b.id) AS capacity,
       count(o.bed_id) AS occupied,
       count(*) FILTER (WHERE o.bed_id IS NULL AND x.bed_id IS NULL
                        AND h.bed_id IS NOT NULL) AS held,
       count(*) FILTER (WHERE o.bed_id IS NULL AND x.bed_id IS NOT NULL) AS out_of_service
FROM shelter s
JOIN region g ON g.id = s.region_id
LEFT JOIN room r ON r.shelter_id = s.id
LEFT JOIN bed b ON b.room_id = r.id AND b.created_at <= $1
LEFT JOIN occupied o ON o.bed_id = b.id
LEFT JOIN out_of_service x ON x.bed_id = b.id
LEFT JOIN held h ON h.bed_id = b.id
GROUP BY g.name, s.id, s.name
ORDER BY g.name, s.name
"""

# Timestamps are ISO text in UTC on SQLite ('2026-03-01 12:00:00[.ffffff]+00:00'), which
# compare correctly as text.
_SQLITE = """
WITH occupied AS (
    SELECT DISTINCT bed_id FROM bed_assignment
    WHERE started_at <= :at AND (ended_at IS NULL OR ended_at > :at)
), out_of_service AS (
    SELECT DISTINCT bed_id FROM bed_outage
    WHERE started_at <= :at AND (ended_at IS NULL OR ended_at > :at)
), held AS (
    SELECT DISTINCT bed_id FROM bed_hold
    WHERE started_at <= :at AND expires_at > :at AND (released_at IS NULL OR released_at > :at)
)
SELECT g.name AS region, s.name AS shelter,
       count(b.id) AS capacity,
       count(o.bed_id) AS occupied,
       sum(CASE WHEN o.bed_id IS NULL AND x.bed_id IS NULL AND h.bed_id IS NOT NULL
                THEN 1 ELSE 0 END) AS held,
       sum(CASE WHEN o.bed_id IS NULL AND x.bed_id IS NOT NULL THEN 1 ELSE 0 END) AS out_of_service
FROM shelter s
JOIN region g ON g.id = s.region_id
LEFT JOIN room r ON r.shelter_id = s.id
LEFT JOIN bed b ON b.room_id = r.id AND b.created_at <= :at
LEFT JOIN occupied o ON o.bed_id = b.id
LEFT JOIN out_of_service x ON x.bed_id = b.id
LEFT JOIN held h ON h.bed_id = b.id
GROUP BY g.name, s.id, s.name
ORDER BY g.name, s.name
"""

FIGURES = ("capacity", "occupied", "held", "out_of_service")


def _answer(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Per shelter, per region and network totals (what the GraphQL answer carries)."""
    shelters = {
        row[1]: dict(zip(("region", *FIGURES), (row[0], *map(int, row[2:])), strict=True))
        for row in rows
    }
    regions: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(FIGURES, 0)
    for figures in shelters.values():
        region = regions.setdefault(figures["region"], dict.fromkeys(FIGURES, 0))
        for name in FIGURES:
            region[name] += figures[name]
            total[name] += figures[name]
    return {"shelters": shelters, "regions": regions, "total": total}


class SQLiteFloor:
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path)

    def close(self) -> None:
        self.connection.close()

    def occupancy(self) -> dict[str, Any]:
        at = datetime.now(UTC).isoformat(" ")
        return _answer(self.connection.execute(_SQLITE, {"at": at}).fetchall())


class PostgresFloor:
    def __init__(self, connection: Any) -> None:
        self.connection = connection  # asyncpg.Connection: prepared statements are cached

    @classmethod
    async def connect(cls, dsn: str) -> PostgresFloor:
        import asyncpg

        return cls(await asyncpg.connect(dsn, timeout=10))

    async def close(self) -> None:
        await self.connection.close()

    async def occupancy(self) -> dict[str, Any]:
        rows = await self.connection.fetch(_POSTGRES, datetime.now(UTC))
        return _answer([tuple(row) for row in rows])


def graphql_answer(data: dict[str, Any]) -> dict[str, Any]:
    """The same shape from the GraphQL ``occupancy`` answer, to check the figures agree."""
    keys = {
        "capacity": "capacity",
        "occupied": "occupied",
        "held": "held",
        "out_of_service": "outOfService",
    }
    shelters = {}
    regions = {}
    for region in data["occupancy"]["regions"]:
        name = region["region"]["name"]
        totals = dict.fromkeys(FIGURES, 0)
        for part in region["shelters"]:
            figures = {ours: int(part["occupancy"][theirs]) for ours, theirs in keys.items()}
            shelters[part["shelter"]["name"]] = {"region": name, **figures}
            for field in FIGURES:
                totals[field] += figures[field]
        regions[name] = totals
    total = {ours: int(data["occupancy"]["total"][theirs]) for ours, theirs in keys.items()}
    return {"shelters": shelters, "regions": regions, "total": total}

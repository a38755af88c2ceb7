"""The raw figures of a report, per period and shelter, in three grouped statements whatever
the size of the network or its history.

    figures = await count_figures(span)
    figures.occupied[(0, shelter_id)]           # bed-nights in the first period

The rules, in one place:

* A night counts where the bed was occupied at its census instant (23:59:59.999999 local time
  of the date, or now for today), as ``occupancy_at`` counts. Capacity is the in-service
  bed-nights: beds existing at the census minus beds out of service and not occupied.
* Two stays of one person are *linked* when the later begins on the day the earlier ended or
  on the day after, in local time: a transfer (or a night in hospital, back the next day).
* An admission is a stay begun in the period with no linked stay before it. An exit is a stay
  ended in the period with no linked stay after it, by its recorded destination; a stay ended
  with a linked one after it is counted as a transfer, whatever destination it was given.
* Length of stay: every stay ended in the period (exits and transfers alike), in nights
  slept in that shelter (local date of check-out minus local date of check-in).
* A person with several exploitation types is counted once under each; with none, under none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from server.domain.reports.periods import Day, ReportRange
from server.domain.reports.sql import Sql, connection

#: The period index of figures over the whole report.
WHOLE = -1
#: Outcome of a stay ended with a linked stay after it.
TRANSFER = "transfer"

Cell = tuple[int, int]


@dataclass
class Figures:
    """Exact figures, keyed by (period index, shelter id) unless said otherwise."""

    span: ReportRange
    capacity: Counter[Cell] = field(default_factory=Counter)
    occupied: Counter[Cell] = field(default_factory=Counter)
    out_of_service: Counter[Cell] = field(default_factory=Counter)
    #: Different people who slept at least one night: (period index or WHOLE, level, id),
    #: level ``shelter``, ``region`` or ``network`` (id 0). Not additive: one person can
    #: sleep in two shelters in a month.
    people: Counter[tuple[int, str, int]] = field(default_factory=Counter)
    #: (period, shelter, breakdown, category): breakdown ``total`` (category ""),
    #: ``nationality``, ``referral`` or ``exploitation``.
    admissions: Counter[tuple[int, int, str, str]] = field(default_factory=Counter)
    #: (period, shelter, outcome): an exit destination or TRANSFER.
    ended: Counter[tuple[int, int, str]] = field(default_factory=Counter)
    #: (period, shelter, nights): how many stays ended in the period lasted that many nights.
    nights: Counter[tuple[int, int, int]] = field(default_factory=Counter)


def _calendar(sql: Sql, days: list[Day], index: dict[object, int], columns: list[str]) -> str:
    rows = []
    for day in days:
        row = [sql.integer(index[day.period])]
        row += [sql.instant(getattr(day, column)) for column in columns]
        rows.append(row)
    return sql.table("days", ["p", *columns], rows)


_NIGHTS = """
WITH {days},
slept AS (
  SELECT d.p AS p, d.census AS census, a.bed_id AS bed_id, s.resident_id AS resident_id,
         r.shelter_id AS shelter_id, sh.region_id AS region_id
  FROM bed_assignment a
  JOIN days d ON d.census >= a.started_at AND (a.ended_at IS NULL OR d.census < a.ended_at)
  JOIN stay s ON s.id = a.stay_id
  JOIN bed b ON b.id = a.bed_id
  JOIN room r ON r.id = b.room_id
  JOIN shelter sh ON sh.id = r.shelter_id
  WHERE a.started_at <= {last} AND (a.ended_at IS NULL OR a.ended_at > {first})
    AND b.created_at <= d.census
)
SELECT 'capacity' AS figure, d.p AS p, r.shelter_id AS area, COUNT(*) AS value
FROM days d JOIN bed b ON b.created_at <= d.census JOIN room r ON r.id = b.room_id
GROUP BY d.p, r.shelter_id
UNION ALL
SELECT 'occupied', o.p, o.shelter_id, COUNT(*)
FROM (SELECT DISTINCT p, census, bed_id, shelter_id FROM slept) o
GROUP BY o.p, o.shelter_id
UNION ALL
SELECT 'out_of_service', x.p, x.shelter_id, COUNT(*)
FROM (SELECT DISTINCT d.p AS p, d.census AS census, o.bed_id AS bed_id, r.shelter_id AS shelter_id
      FROM bed_outage o
      JOIN days d ON d.census >= o.started_at AND (o.ended_at IS NULL OR d.census < o.ended_at)
      JOIN bed b ON b.id = o.bed_id AND b.created_at <= d.census
      JOIN room r ON r.id = b.room_id
      WHERE o.started_at <= {last} AND (o.ended_at IS NULL OR o.ended_at > {first})
        AND NOT EXISTS (SELECT 1 FROM bed_assignment a WHERE a.bed_id = o.bed_id
                        AND a.started_at <= d.census
                        AND (a.ended_at IS NULL OR a.ended_at > d.census))) x
GROUP BY x.p, x.shelter_id
UNION ALL
SELECT 'people:shelter', p, shelter_id, COUNT(DISTINCT resident_id) FROM slept
GROUP BY p, shelter_id
UNION ALL
SELECT 'people:region', p, region_id, COUNT(DISTINCT resident_id) FROM slept GROUP BY p, region_id
UNION ALL
SELECT 'people:network', p, 0, COUNT(DISTINCT resident_id) FROM slept GROUP BY p
UNION ALL
SELECT 'people:shelter', -1, shelter_id, COUNT(DISTINCT resident_id) FROM slept GROUP BY shelter_id
UNION ALL
SELECT 'people:region', -1, region_id, COUNT(DISTINCT resident_id) FROM slept GROUP BY region_id
UNION ALL
SELECT 'people:network', -1, 0, COUNT(DISTINCT resident_id) FROM slept
"""

_ADMISSIONS = """
WITH {days},
admitted AS (
  SELECT d.p AS p, s.id AS stay_id, s.shelter_id AS shelter_id, s.resident_id AS resident_id
  FROM stay s JOIN days d ON s.checked_in_at >= d.starts AND s.checked_in_at < d.ends
  WHERE s.checked_in_at >= {starts} AND s.checked_in_at < {ends}
    AND NOT EXISTS (SELECT 1 FROM stay e WHERE e.resident_id = s.resident_id AND e.id <> s.id
                    AND e.checked_out_at >= d.previous_starts
                    AND e.checked_out_at <= s.checked_in_at)
)
SELECT 'total' AS breakdown, a.p AS p, a.shelter_id AS shelter_id, '' AS category,
       COUNT(*) AS value
FROM admitted a GROUP BY a.p, a.shelter_id
UNION ALL
SELECT 'nationality', a.p, a.shelter_id, r.nationality, COUNT(*)
FROM admitted a JOIN resident r ON r.id = a.resident_id GROUP BY a.p, a.shelter_id, r.nationality
UNION ALL
SELECT 'referral', a.p, a.shelter_id, r.referral_source, COUNT(*)
FROM admitted a JOIN resident r ON r.id = a.resident_id
GROUP BY a.p, a.shelter_id, r.referral_source
UNION ALL
SELECT 'exploitation', a.p, a.shelter_id, t.value, COUNT(DISTINCT a.stay_id)
FROM admitted a JOIN resident r ON r.id = a.resident_id CROSS JOIN {each_type}
GROUP BY a.p, a.shelter_id, t.value
"""

_ENDED = """
WITH {days}
SELECT d.p AS p, s.shelter_id AS shelter_id,
       CASE WHEN EXISTS (SELECT 1 FROM stay f WHERE f.resident_id = s.resident_id
                         AND f.id <> s.id AND f.checked_in_at >= s.checked_out_at
                         AND f.checked_in_at < d.following_ends)
            THEN '{transfer}' ELSE COALESCE(s.exit_destination, 'other') END AS outcome,
       {out_day} - {in_day} AS nights,
       COUNT(*) AS value
FROM stay s JOIN days d ON s.checked_out_at >= d.starts AND s.checked_out_at < d.ends
WHERE s.checked_out_at >= {starts} AND s.checked_out_at < {ends}
GROUP BY 1, 2, 3, 4
"""


async def count_figures(span: ReportRange) -> Figures:
    """Every figure of ``span``, exact (nothing suppressed): three statements."""
    db = connection()
    calendar = span.calendar()
    index: dict[object, int] = {start: n for n, (start, _) in enumerate(span.periods())}
    figures = Figures(span)

    sql = Sql.for_connection(db, span.zone)
    days = _calendar(sql, calendar, index, ["census"])
    text = _NIGHTS.format(
        days=days, first=sql.instant(calendar[0].census), last=sql.instant(calendar[-1].census)
    )
    for row in (await db.execute_query(text, sql.values))[1]:
        figure, period, area, value = row["figure"], row["p"], row["area"], int(row["value"])
        if figure.startswith("people:"):
            figures.people[(period, figure.removeprefix("people:"), area)] = value
        else:
            getattr(figures, figure)[(period, area)] = value

    sql = Sql.for_connection(db, span.zone)
    days = _calendar(sql, calendar, index, ["starts", "ends", "previous_starts"])
    each_type = (
        "jsonb_array_elements_text(r.exploitation_types) AS t(value)"
        if sql.postgres
        else "json_each(r.exploitation_types) AS t"
    )
    text = _ADMISSIONS.format(
        days=days,
        starts=sql.instant(span.starts),
        ends=sql.instant(span.ends),
        each_type=each_type,
    )
    for row in (await db.execute_query(text, sql.values))[1]:
        key = (row["p"], row["shelter_id"], row["breakdown"], str(row["category"]))
        figures.admissions[key] = int(row["value"])

    sql = Sql.for_connection(db, span.zone)
    days = _calendar(sql, calendar, index, ["starts", "ends", "following_ends"])
    text = _ENDED.format(
        days=days,
        transfer=TRANSFER,
        out_day=sql.local_day("s.checked_out_at"),
        in_day=sql.local_day("s.checked_in_at"),
        starts=sql.instant(span.starts),
        ends=sql.instant(span.ends),
    )
    for row in (await db.execute_query(text, sql.values))[1]:
        period, shelter, count = row["p"], row["shelter_id"], int(row["value"])
        figures.ended[(period, shelter, row["outcome"])] += count
        figures.nights[(period, shelter, int(row["nights"]))] += count
    return figures

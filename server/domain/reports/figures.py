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
from datetime import date

from server.domain.reports.periods import ReportRange
from server.domain.reports.sql import EPOCH, Sql, connection

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
    #: (period, shelter, breakdown, category): services completed, breakdown ``total``,
    #: ``kind`` or ``pillar`` (``services.count_services``).
    services: Counter[tuple[int, int, str, str]] = field(default_factory=Counter)


def _days(sql: Sql, span: ReportRange, index: dict[date, int], columns: list[str]) -> str:
    """The report's dates: period index, local day number (see ``Sql.local_day``), and the
    instants named in ``columns`` (attributes of ``Day``)."""
    rows = []
    for day in span.calendar():
        row = [sql.integer(index[day.period]), sql.integer((day.day - EPOCH).days)]
        row += [sql.instant(getattr(day, column)) for column in columns]
        rows.append(row)
    return sql.table("days", ["p", "n", *columns], rows)


def _periods(sql: Sql, span: ReportRange) -> str:
    """Each period: index and first and last local day numbers."""
    rows = [
        [sql.integer(n), sql.integer((first - EPOCH).days), sql.integer((last - EPOCH).days)]
        for n, (first, last) in enumerate(span.periods())
    ]
    return sql.table("periods", ["p", "first_n", "last_n"], rows)


#: Bed-nights by day numbers: an assignment from local day f to local day e (ended) covers
#: the nights f to e - 1 (it is gone at the census of day e), an open one up to the report's
#: end, the census rule exactly; each overlap with a period is added up. A bed counts from
#: the day it was made. An outage's nights likewise, less those the bed was occupied at the
#: census (occupied before out of service, as ``occupancy_at`` counts).
_NIGHTS = """
WITH {periods},
{days},
spans AS MATERIALIZED (
  SELECT s.resident_id AS resident_id, r.shelter_id AS shelter_id, sh.region_id AS region_id,
         {started} AS first_n,
         CASE WHEN a.ended_at IS NULL THEN {end_n} ELSE {ended} - 1 END AS last_n
  FROM bed_assignment a
  JOIN stay s ON s.id = a.stay_id
  JOIN bed b ON b.id = a.bed_id
  JOIN room r ON r.id = b.room_id
  JOIN shelter sh ON sh.id = r.shelter_id
  WHERE a.started_at <= {last} AND (a.ended_at IS NULL OR a.ended_at > {first})
),
slept AS MATERIALIZED (
  SELECT q.p AS p, x.resident_id AS resident_id, x.shelter_id AS shelter_id,
         x.region_id AS region_id,
         (CASE WHEN x.last_n < q.last_n THEN x.last_n ELSE q.last_n END)
         - (CASE WHEN x.first_n > q.first_n THEN x.first_n ELSE q.first_n END) + 1 AS nights
  FROM spans x
  JOIN periods q ON x.first_n <= q.last_n AND x.last_n >= q.first_n AND x.first_n <= x.last_n
),
beds AS MATERIALIZED (
  SELECT r.shelter_id AS shelter_id, {made} AS made_n
  FROM bed b JOIN room r ON r.id = b.room_id WHERE b.created_at <= {last}
),
outages AS MATERIALIZED (
  SELECT o.bed_id AS bed_id, r.shelter_id AS shelter_id, {out_made} AS made_n,
         {out_started} AS first_n,
         CASE WHEN o.ended_at IS NULL THEN {end_n} ELSE {out_ended} - 1 END AS last_n
  FROM bed_outage o JOIN bed b ON b.id = o.bed_id JOIN room r ON r.id = b.room_id
  WHERE o.started_at <= {last} AND (o.ended_at IS NULL OR o.ended_at > {first})
)
SELECT 'capacity' AS figure, q.p AS p, x.shelter_id AS area,
       SUM(q.last_n - (CASE WHEN x.made_n > q.first_n THEN x.made_n ELSE q.first_n END) + 1)
         AS value
FROM beds x JOIN periods q ON x.made_n <= q.last_n
GROUP BY q.p, x.shelter_id
UNION ALL
SELECT 'occupied', p, shelter_id, SUM(nights) FROM slept GROUP BY p, shelter_id
UNION ALL
SELECT 'out_of_service', x.p, x.shelter_id, COUNT(*)
FROM (SELECT DISTINCT d.p AS p, d.n AS n, o.bed_id AS bed_id, o.shelter_id AS shelter_id
      FROM outages o
      JOIN days d ON d.n >= o.first_n AND d.n <= o.last_n AND d.n >= o.made_n
      WHERE NOT EXISTS (SELECT 1 FROM bed_assignment a WHERE a.bed_id = o.bed_id
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
begun AS MATERIALIZED (
  SELECT s.id AS stay_id, s.shelter_id AS shelter_id, s.resident_id AS resident_id,
         s.checked_in_at AS checked_in_at, {checked_in} AS n
  FROM stay s WHERE s.checked_in_at >= {starts} AND s.checked_in_at < {ends}
),
admitted AS (
  SELECT d.p AS p, b.stay_id AS stay_id, b.shelter_id AS shelter_id, b.resident_id AS resident_id
  FROM begun b JOIN days d ON d.n = b.n
  WHERE NOT EXISTS (SELECT 1 FROM stay e WHERE e.resident_id = b.resident_id
                    AND e.id <> b.stay_id AND e.checked_out_at >= d.previous_starts
                    AND e.checked_out_at <= b.checked_in_at)
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
WITH {days},
ended AS MATERIALIZED (
  SELECT s.resident_id AS resident_id, s.id AS stay_id, s.shelter_id AS shelter_id,
         s.checked_out_at AS checked_out_at, s.exit_destination AS destination,
         {checked_out} AS n, {checked_out} - {checked_in} AS nights
  FROM stay s WHERE s.checked_out_at >= {starts} AND s.checked_out_at < {ends}
)
SELECT d.p AS p, e.shelter_id AS shelter_id,
       CASE WHEN EXISTS (SELECT 1 FROM stay f WHERE f.resident_id = e.resident_id
                         AND f.id <> e.stay_id AND f.checked_in_at >= e.checked_out_at
                         AND f.checked_in_at < d.following_ends)
            THEN '{transfer}' ELSE COALESCE(e.destination, 'other') END AS outcome,
       e.nights AS nights,
       COUNT(*) AS value
FROM ended e JOIN days d ON d.n = e.n
GROUP BY 1, 2, 3, 4
"""


_SERVICES = """
WITH {days},
done AS MATERIALIZED (
  SELECT d.p AS p, v.shelter_id AS shelter_id, v.kind AS kind, v.pillar AS pillar
  FROM service_record v JOIN days d ON d.day = v.completed_on
  WHERE v.status = 'completed' AND v.completed_on >= {first} AND v.completed_on <= {last}
)
SELECT 'total' AS breakdown, p, shelter_id, '' AS category, COUNT(*) AS value FROM done
GROUP BY p, shelter_id
UNION ALL
SELECT 'kind', p, shelter_id, kind, COUNT(*) FROM done GROUP BY p, shelter_id, kind
UNION ALL
SELECT 'pillar', p, shelter_id, pillar, COUNT(*) FROM done GROUP BY p, shelter_id, pillar
"""


async def count_services(span: ReportRange) -> Counter[tuple[int, int, str, str]]:
    """Services completed per (period, shelter, breakdown, category): one statement. A service
    counts on its completion date (a local date, as logged)."""
    db = connection()
    sql = Sql.for_connection(db, span.zone)
    index = {start: n for n, (start, _) in enumerate(span.periods())}
    rows = [[sql.integer(index[span.period_of(day)]), sql.day(day)] for day in span.days()]
    text = _SERVICES.format(
        days=sql.table("days", ["p", "day"], rows),
        first=sql.day(span.start),
        last=sql.day(span.end),
    )
    counts: Counter[tuple[int, int, str, str]] = Counter()
    for row in (await db.execute_query(text, sql.values))[1]:
        key = (row["p"], row["shelter_id"], row["breakdown"], str(row["category"]))
        counts[key] = int(row["value"])
    return counts


async def count_figures(span: ReportRange) -> Figures:
    """Every figure of ``span``, exact (nothing suppressed): four statements."""
    db = connection()
    calendar = span.calendar()
    index = {start: n for n, (start, _) in enumerate(span.periods())}
    figures = Figures(span)

    sql = Sql.for_connection(db, span.zone)
    text = _NIGHTS.format(
        periods=_periods(sql, span),
        days=_days(sql, span, index, ["census"]),
        started=sql.local_day("a.started_at"),
        ended=sql.local_day("a.ended_at"),
        made=sql.local_day("b.created_at"),
        out_made=sql.local_day("b.created_at"),
        out_started=sql.local_day("o.started_at"),
        out_ended=sql.local_day("o.ended_at"),
        end_n=sql.integer((span.end - EPOCH).days),
        first=sql.instant(calendar[0].census),
        last=sql.instant(calendar[-1].census),
    )
    for row in (await db.execute_query(text, sql.values))[1]:
        figure, period, area, value = row["figure"], row["p"], row["area"], int(row["value"])
        if figure.startswith("people:"):
            figures.people[(period, figure.removeprefix("people:"), area)] = value
        else:
            getattr(figures, figure)[(period, area)] = value

    sql = Sql.for_connection(db, span.zone)
    each_type = (
        "jsonb_array_elements_text(r.exploitation_types) AS t(value)"
        if sql.postgres
        else "json_each(r.exploitation_types) AS t"
    )
    text = _ADMISSIONS.format(
        days=_days(sql, span, index, ["previous_starts"]),
        checked_in=sql.local_day("s.checked_in_at"),
        starts=sql.instant(span.starts),
        ends=sql.instant(span.ends),
        each_type=each_type,
    )
    for row in (await db.execute_query(text, sql.values))[1]:
        key = (row["p"], row["shelter_id"], row["breakdown"], str(row["category"]))
        figures.admissions[key] = int(row["value"])

    sql = Sql.for_connection(db, span.zone)
    text = _ENDED.format(
        days=_days(sql, span, index, ["following_ends"]),
        transfer=TRANSFER,
        checked_out=sql.local_day("s.checked_out_at"),
        checked_in=sql.local_day("s.checked_in_at"),
        starts=sql.instant(span.starts),
        ends=sql.instant(span.ends),
    )
    for row in (await db.execute_query(text, sql.values))[1]:
        period, shelter, count = row["p"], row["shelter_id"], int(row["value"])
        figures.ended[(period, shelter, row["outcome"])] += count
        figures.nights[(period, shelter, int(row["nights"]))] += count

    figures.services = await count_services(span)
    return figures

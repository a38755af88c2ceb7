"""A report's tables as CSV for spreadsheets: UTF-8 with a byte-order mark, so Excel shows
Cyrillic and Kazakh shelter names rightly; a hidden cell reads "suppressed".

text = table_csv(report, "admissions")
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence

from server.domain.reports.tables import (
    REGION,
    SHELTER,
    Area,
    CountRow,
    OccupancyRow,
    Report,
    Span,
    StayLengthRow,
)

#: What a hidden cell reads. Not "<5": cells hidden so that a small one cannot be worked out
#: hold 5 or more, and telling the two apart would help the subtraction.
HIDDEN = "suppressed"
BOM = "\ufeff"

Cells = list[object]


def _where(span: Span, area: Area, report: Report) -> Cells:
    regions = {a.id: a.name for a in report.areas if a.level == REGION}
    region = area.name if area.level == REGION else regions.get(area.region_id or 0, "")
    return [
        span.start.isoformat(),
        span.end.isoformat(),
        "whole report" if span.whole else "period",
        area.level,
        region,
        area.name if area.level == SHELTER else "",
    ]


def _shown(value: object) -> object:
    return HIDDEN if value is None else value


def _occupancy(report: Report) -> Iterable[Cells]:
    rows: Sequence[OccupancyRow] = report.occupancy
    for row in rows:
        yield [
            *_where(row.span, row.area, report),
            _shown(row.bed_nights),
            row.capacity,
            HIDDEN if row.suppressed else ("" if row.utilisation is None else row.utilisation),
        ]


def _counts(rows: Sequence[CountRow], report: Report) -> Iterable[Cells]:
    for row in rows:
        yield [*_where(row.span, row.area, report), row.breakdown, row.category, _shown(row.count)]


def _admissions(report: Report) -> Iterable[Cells]:
    return _counts(report.admissions, report)


def _exits(report: Report) -> Iterable[Cells]:
    return _counts(report.exits, report)


def _services(report: Report) -> Iterable[Cells]:
    return _counts(report.services, report)


def _length_of_stay(report: Report) -> Iterable[Cells]:
    rows: Sequence[StayLengthRow] = report.length_of_stay
    for row in rows:
        few = row.stays is not None and row.mean_nights is None
        yield [
            *_where(row.span, row.area, report),
            _shown(row.stays),
            "" if few else _shown(row.mean_nights),
            "" if few else _shown(row.median_nights),
        ]


_PLACE = ["period_start", "period_end", "span", "level", "region", "shelter"]

#: Each table: its header and its rows.
TABLES: dict[str, tuple[list[str], Callable[[Report], Iterable[Cells]]]] = {
    "bed-nights": (
        [*_PLACE, "bed_nights", "capacity_bed_nights", "utilisation_percent"],
        _occupancy,
    ),
    "admissions": (
        [*_PLACE, "breakdown", "category", "admissions"],
        _admissions,
    ),
    "exits": (
        [*_PLACE, "outcome", "category", "stays"],
        _exits,
    ),
    "services": (
        [*_PLACE, "breakdown", "category", "services_completed"],
        _services,
    ),
    "length-of-stay": (
        [*_PLACE, "stays_ended", "mean_nights", "median_nights"],
        _length_of_stay,
    ),
}


def table_csv(report: Report, table: str) -> str:
    """One table of ``report`` (a key of TABLES) as CSV text, byte-order mark first."""
    header, rows = TABLES[table]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows(report))
    return out.getvalue()

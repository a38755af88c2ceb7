"""Reports for coordinators and donors: occupancy and bed-nights, admissions, exits, length of
stay, services completed (by kind and 4P pillar), per day, ISO week or month, per shelter,
region and the whole network, with every small count of people hidden (``suppression``).
Figures in ``figures``, tables in ``tables`` and ``services``.

    span = ReportRange.checked(date(2026, 1, 1), date(2026, 3, 31), Period.MONTH, zone)
    report = await build_report(viewer, span)          # administrators and coordinators only
    report.only(region_id=3).admissions                # rows of one region and its shelters
    report = await build_report_to_publish(viewer, span)   # for CSV and the donors' HTML
"""

from __future__ import annotations

import asyncio

from server.domain.access import Action, Viewer, require
from server.domain.errors import DomainError, ErrorCode
from server.domain.reports.figures import WHOLE, Figures, count_figures
from server.domain.reports.periods import MAX_DAYS, MAX_PERIODS, Period, ReportRange
from server.domain.reports.services import services_table
from server.domain.reports.suppression import AUDIT_LIMIT
from server.domain.reports.tables import (
    NETWORK,
    REGION,
    SHELTER,
    Area,
    CountRow,
    Network,
    OccupancyRow,
    Report,
    Span,
    StayLengthRow,
    admissions_table,
    exits_table,
    length_of_stay_table,
    occupancy_table,
)
from server.models import Region, Shelter

__all__ = [
    "MAX_DAYS",
    "MAX_PERIODS",
    "WHOLE",
    "Area",
    "CountRow",
    "Figures",
    "OccupancyRow",
    "Period",
    "Report",
    "ReportRange",
    "Span",
    "StayLengthRow",
    "build_report",
    "build_report_to_publish",
    "count_figures",
    "load_network",
    "tables_for",
]


async def load_network() -> Network:
    """Every region (by name) and its shelters (by name), after the network itself."""
    regions = await Region.all().order_by("name")
    shelters = await Shelter.all().order_by("name")
    areas = [Area(NETWORK, 0, "Network")]
    for region in regions:
        areas.append(Area(REGION, region.id, region.name))
        areas += [
            Area(SHELTER, shelter.id, shelter.name, region.id)
            for shelter in shelters
            if shelter.region_id == region.id
        ]
    return Network(areas)


def tables_for(figures: Figures, network: Network, *, audit_limit: int = AUDIT_LIMIT) -> Report:
    """The published (suppressed) tables of exact figures; ``audit_limit`` bounds the check of
    every combination of totals (``suppression.suppress``)."""
    spans = {WHOLE: Span(WHOLE, figures.span.start, figures.span.end)}
    for index, (start, end) in enumerate(figures.span.periods()):
        spans[index] = Span(index, start, end)
    limit = {"audit_limit": audit_limit}
    exits, hidden = exits_table(figures, network, spans, **limit)
    occupancy, beds_audited = occupancy_table(figures, network, spans, **limit)
    admissions, admissions_audited = admissions_table(figures, network, spans, **limit)
    services, services_audited = services_table(figures.services, network, spans, **limit)
    return Report(
        spans=list(spans.values()),
        areas=network.areas,
        occupancy=occupancy,
        admissions=admissions,
        exits=exits,
        length_of_stay=length_of_stay_table(figures, network, spans, hidden),
        services=services,
        audited=beds_audited and admissions_audited and hidden.audited and services_audited,
    )


async def build_report(
    viewer: Viewer, span: ReportRange, *, audit_limit: int = AUDIT_LIMIT
) -> Report:
    """The donor-facing report of the whole network: administrators and coordinators only.
    Always suppressed; narrow it with ``Report.only``."""
    require(viewer, Action.READ_REPORTS)
    network = await load_network()
    figures = await count_figures(span)
    # Suppression is seconds of CPU for a large report: in a thread, so the server answers
    # other requests meanwhile (as Argon2 does at sign-in).
    return await asyncio.to_thread(tables_for, figures, network, audit_limit=audit_limit)


async def build_report_to_publish(
    viewer: Viewer, span: ReportRange, *, audit_limit: int = AUDIT_LIMIT
) -> Report:
    """The report as it may leave the organisation (CSV downloads, the donors' HTML): only when
    every combination of its totals was checked for small counts; otherwise refused with
    REPORT_TOO_DETAILED. (Coordinators may still read it through GraphQL, flagged as not fully
    checked: its counts are no news to them.)"""
    report = await build_report(viewer, span, audit_limit=audit_limit)
    if not report.audited:
        raise DomainError(
            ErrorCode.REPORT_TOO_DETAILED,
            ["period"],
            "This report is too detailed to check every combination of its totals for small "
            "counts; choose longer periods or a shorter range.",
        )
    return report

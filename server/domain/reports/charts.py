"""The donor report's charts: each is a ``Chart`` of published figures (hidden ones stay
hidden: a bar of height 0 marked ✱), drawn by ``figure_for`` with matplotlib's Agg backend.

chart = admissions_chart(report, NATIONALITY)
png = png_bytes(figure_for(chart))
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: the report is written on a server or in a terminal

from matplotlib.figure import Figure  # noqa: E402

from server.domain.reports.tables import (  # noqa: E402
    DESTINATIONS,
    EXITED,
    NETWORK,
    REGION,
    TOTAL,
    Report,
)

HIDDEN_MARK = "✱"
#: Haven's colours: one for people, one for beds.
PEOPLE = "#3b6ea5"
BEDS = "#6a994e"


@dataclass(frozen=True)
class Chart:
    """A bar chart: a label and a published value (None: hidden) per bar."""

    title: str
    labels: list[str]
    values: list[float | None]
    unit: str
    colour: str = PEOPLE


#: Labels that are not the capitalised value.
_LABELS = {"ngo": "NGO"}


def label(category: str) -> str:
    """``left_without_notice`` → ``Left without notice``; codes such as ``UZ`` stay."""
    if category.isupper():
        return category
    return _LABELS.get(category, category.replace("_", " ").capitalize())


def admissions_chart(report: Report, breakdown: str) -> Chart:
    """Admissions over the whole report by one breakdown, for the whole network."""
    rows = [
        row
        for row in report.admissions
        if row.span.whole and row.area.level == NETWORK and row.breakdown == breakdown
    ]
    return Chart(
        title=f"Admissions by {breakdown}",
        labels=[label(row.category) for row in rows],
        values=[row.count for row in rows],
        unit="people admitted",
    )


def exits_chart(report: Report) -> Chart:
    rows = [
        row
        for row in report.exits
        if row.span.whole and row.area.level == NETWORK and row.category in DESTINATIONS
    ]
    return Chart(
        title="Exits by destination",
        labels=[label(row.category) for row in rows],
        values=[row.count for row in rows],
        unit="people who left",
    )


def utilisation_chart(report: Report) -> Chart:
    """Network utilisation per period."""
    rows = [row for row in report.occupancy if not row.span.whole and row.area.level == NETWORK]
    return Chart(
        title="Beds used, per period",
        labels=[row.span.start.isoformat() for row in rows],
        values=[row.utilisation for row in rows],
        unit="% of in-service bed-nights",
        colour=BEDS,
    )


def bed_nights_chart(report: Report) -> Chart:
    """Bed-nights over the whole report, per region."""
    rows = [row for row in report.occupancy if row.span.whole and row.area.level == REGION]
    return Chart(
        title="Bed-nights by region",
        labels=[row.area.name for row in rows],
        values=[row.bed_nights for row in rows],
        unit="occupied bed-nights",
        colour=BEDS,
    )


def admissions_over_time_chart(report: Report) -> Chart:
    rows = [
        row
        for row in report.admissions
        if not row.span.whole and row.area.level == NETWORK and row.breakdown == TOTAL
    ]
    return Chart(
        title="Admissions per period",
        labels=[row.span.start.isoformat() for row in rows],
        values=[row.count for row in rows],
        unit="people admitted",
    )


def services_chart(report: Report, breakdown: str) -> Chart:
    """Services completed over the whole report, by kind or by 4P pillar, for the network."""
    rows = [
        row
        for row in report.services
        if row.span.whole and row.area.level == NETWORK and row.breakdown == breakdown
    ]
    return Chart(
        title=f"Services completed by {breakdown}",
        labels=[label(row.category) for row in rows],
        values=[row.count for row in rows],
        unit="services completed",
    )


def service_count(report: Report, kind: str) -> int | None:
    """One kind's services completed over the whole report, for the network (None: hidden)."""
    for row in report.services:
        if row.span.whole and row.area.level == NETWORK and row.category == kind:
            return row.count
    return None


def exits_total(report: Report) -> int | None:
    for row in report.exits:
        if row.span.whole and row.area.level == NETWORK and row.category == EXITED:
            return row.count
    return None


def figure_for(chart: Chart) -> Figure:
    """A horizontal bar per label, its value written beside it (✱ where hidden)."""
    height = 1.2 + 0.32 * len(chart.labels)
    figure = Figure(figsize=(7.5, height), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    heights = [0.0 if value is None else float(value) for value in chart.values]
    bars = axes.barh(positions, heights, color=chart.colour)
    axes.set_yticks(positions, chart.labels)
    axes.invert_yaxis()
    axes.set_xlabel(chart.unit)
    axes.set_title(chart.title, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    shown = [HIDDEN_MARK if value is None else f"{value:g}" for value in chart.values]
    axes.bar_label(bars, labels=shown, padding=3)
    axes.margins(x=0.12)
    return figure


def png_bytes(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()

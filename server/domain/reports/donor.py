"""The donor report: one self-contained HTML file (tables, charts as embedded PNG) along the
4P approach (prevention, protection, prosecution, partnership), small counts hidden.

html = donor_html(report, span, generated_at=now(), step=lambda name: None)
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from typing import TypeVar

from server.domain.reports.charts import (
    HIDDEN_MARK,
    Chart,
    admissions_chart,
    admissions_over_time_chart,
    bed_nights_chart,
    exits_chart,
    exits_total,
    figure_for,
    label,
    png_bytes,
    service_count,
    services_chart,
    utilisation_chart,
)
from server.domain.reports.periods import ReportRange
from server.domain.reports.tables import (
    EXPLOITATION,
    NATIONALITY,
    NETWORK,
    REFERRAL,
    REGION,
    TOTAL,
    CountRow,
    OccupancyRow,
    Report,
    StayLengthRow,
)

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2733; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #3b6ea5;
     padding-bottom: .2rem; margin-top: 2.4rem; } h3 { margin-top: 1.6rem; }
.lead { color: #4a5868; } .pillar { color: #3b6ea5; font-weight: 600; text-transform: uppercase;
        letter-spacing: .05em; font-size: .8rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; } th, td { padding: .25rem .7rem;
        border-bottom: 1px solid #d5dbe2; text-align: left; } td.n { text-align: right; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; } .figure { background: #eef3f8;
           padding: .8rem 1.1rem; border-radius: 6px; min-width: 9rem; }
.figure b { display: block; font-size: 1.6rem; } img { max-width: 100%; }
.note { font-size: .85rem; color: #4a5868; }
"""

Step = Callable[[str], None]
#: How many charts the report draws (``step`` is called once for each).
CHARTS = 9


def _number(value: float | None) -> str:
    return HIDDEN_MARK if value is None else f"{value:,g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(_number(cell))}</td>'
            if cell is None or isinstance(cell, int | float)
            else f"<td>{escape(str(cell))}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(chart: Chart, step: Step) -> str:
    encoded = base64.b64encode(png_bytes(figure_for(chart))).decode()
    step(chart.title)
    return (
        f'<figure><img alt="{escape(chart.title)}" data-chart="{escape(chart.title)}" '
        f'src="data:image/png;base64,{encoded}"></figure>'
    )


def _chart_table(chart: Chart) -> str:
    return _table(["", chart.unit], list(zip(chart.labels, chart.values, strict=True)))


R = TypeVar("R", OccupancyRow, CountRow, StayLengthRow)


def _network_whole(rows: Sequence[R]) -> list[R]:
    return [row for row in rows if row.span.whole and row.area.level == NETWORK]


def _summary(report: Report) -> str:
    admitted = [r.count for r in _network_whole(report.admissions) if r.breakdown == TOTAL]
    home = [
        row.count
        for row in _network_whole(report.exits)
        if row.category in ("returned_home", "repatriated")
    ]
    beds = _network_whole(report.occupancy)[0]
    figures: list[tuple[str, float | None]] = [
        ("people admitted", admitted[0]),
        ("exits", exits_total(report)),
        ("returned home or repatriated", None if None in home else sum(c or 0 for c in home)),
        ("bed-nights", beds.bed_nights),
        ("beds used, %", beds.utilisation),
        ("median nights per stay", _network_whole(report.length_of_stay)[0].median_nights),
        ("documents restored", service_count(report, "document_restoration")),
        ("returns home completed", service_count(report, "return_home")),
    ]
    cells = "".join(
        f'<div class="figure"><b>{escape(_number(value))}</b>{escape(name)}</div>'
        for name, value in figures
    )
    return f'<div class="figures">{cells}</div>'


def _regions(report: Report) -> str:
    rows = [
        (row.area.name, row.bed_nights, row.capacity, row.utilisation)
        for row in report.occupancy
        if row.span.whole and row.area.level in (REGION, NETWORK)
    ]
    return _table(["", "bed-nights", "in-service bed-nights", "beds used, %"], rows)


def _services(report: Report, kinds: Sequence[str]) -> str:
    return _table(
        ["", "services completed"], [(label(kind), service_count(report, kind)) for kind in kinds]
    )


def donor_html(
    report: Report, span: ReportRange, *, generated_at: datetime, step: Step = lambda _: None
) -> str:
    """The whole report as HTML; ``step`` is told the name of each chart once it is drawn."""
    period = f"{span.start:%-d %B %Y} – {span.end:%-d %B %Y}"
    nationality = admissions_chart(report, NATIONALITY)
    exploitation = admissions_chart(report, EXPLOITATION)
    referral = admissions_chart(report, REFERRAL)
    exits = exits_chart(report)
    kinds = services_chart(report, "kind")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Haven donor report, {escape(period)}</title><style>{STYLE}</style></head><body>",
        "<h1>Shelter network report</h1>",
        f"<p class='lead'>{escape(period)}, by {escape(span.period.value)}. Generated "
        f"{generated_at:%Y-%m-%d %H:%M} UTC. Small counts are hidden ({HIDDEN_MARK}).</p>",
        _summary(report),
        "<h2><span class='pillar'>Protection</span><br>Shelter</h2>",
        "<p>Beds are counted each night at 23:59 local time; capacity is the beds in service.</p>",
        _regions(report),
        _chart(bed_nights_chart(report), step),
        _chart(utilisation_chart(report), step),
        "<h3>Who was admitted</h3>",
        _chart(admissions_over_time_chart(report), step),
        _chart(nationality, step),
        _chart_table(nationality),
        "<p>A person exploited in several ways is counted under each.</p>",
        _chart(exploitation, step),
        _chart_table(exploitation),
        "<h3>Exits and length of stay</h3>",
        _chart(exits, step),
        _chart_table(exits),
        "<h3>Services</h3>",
        "<p>Services completed in the period, from the service log, by the 4P pillar they "
        "were logged under and by kind.</p>",
        _chart(services_chart(report, "pillar"), step),
        _chart(kinds, step),
        _chart_table(kinds),
        "<h2><span class='pillar'>Prevention</span><br>Returns home and new livelihoods</h2>",
        "<p>Returns home completed, documents restored and vocational training, which help "
        "keep people from being trafficked again; people who returned home or were "
        "repatriated are also among the exits above.</p>",
        _services(report, ["return_home", "document_restoration", "vocational_training"]),
        "<h2><span class='pillar'>Prosecution</span><br>Legal support</h2>",
        _services(report, ["legal_aid", "police_statement", "court_representation"]),
        "<h2><span class='pillar'>Partnership</span><br>Who referred people</h2>",
        _chart(referral, step),
        _chart_table(referral),
        "<h2>How the figures are made</h2>",
        "<ul class='note'>",
        "<li>An admission is a stay begun with no stay of the person ending the day before "
        "or the same day: moving between shelters is not an admission.</li>",
        "<li>An exit is a stay ended with no stay begun the same day or the next; a stay "
        "that went on elsewhere is a transfer, not an exit.</li>",
        "<li>Length of stay counts nights slept in a shelter, over stays ended in the period.</li>",
        f"<li>{HIDDEN_MARK}: a count of 1 to 4 people is hidden, and so are as many other "
        "cells as keep it from being worked out from the totals; bed-nights are hidden where "
        "1 to 4 people slept. A hidden cell may hold any number.</li>",
        "</ul></body></html>",
    ]
    return "\n".join(parts)

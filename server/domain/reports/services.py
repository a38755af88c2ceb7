"""The services table of a report: services completed in the period (``figures``), by kind and
by 4P pillar; documents restored and returns home completed are the kinds DOCUMENT_RESTORATION
and RETURN_HOME. Counted as services, hidden like counts of people.

rows, audited = services_table(figures.services, network, spans, audit_limit=3000)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

from server.domain.reports.suppression import Key, suppress
from server.domain.reports.tables import (
    TOTAL,
    CountRow,
    Network,
    Span,
    cells_for,
    groups_for,
)
from server.models import Pillar, ServiceKind

KIND = "kind"
PILLAR = "pillar"


def services_table(
    counts: Counter[tuple[int, int, str, str]],
    network: Network,
    spans: dict[int, Span],
    *,
    audit_limit: int,
) -> tuple[list[CountRow], bool]:
    breakdowns = {
        KIND: [kind.value for kind in ServiceKind],
        PILLAR: [pillar.value for pillar in Pillar],
    }
    shown = [(TOTAL, "")] + [(b, c) for b, options in breakdowns.items() for c in options]
    raw: Counter[tuple[int, int, str]] = Counter()
    for (period, shelter, breakdown, category), value in counts.items():
        raw[(period, shelter, f"{breakdown}:{category}")] += value
    names = [f"{b}:{c}" for b, c in shown]
    cells = cells_for(raw, network, len(spans) - 1, names)
    hierarchy: list[tuple[Hashable, Sequence[Hashable]]] = [
        (f"{TOTAL}:", [f"{b}:{c}" for c in options]) for b, options in breakdowns.items()
    ]
    groups = groups_for(cells, network, len(spans) - 1, hierarchy)
    hidden = suppress(cells, groups, audit_limit=audit_limit)
    rows = []
    for span in spans.values():
        for area in network.areas:
            for breakdown, category in shown:
                key: Key = (span.index, area.key, f"{breakdown}:{category}")
                count = None if key in hidden else cells[key]
                rows.append(CountRow(span, area, breakdown, category, count))
    return rows, hidden.audited

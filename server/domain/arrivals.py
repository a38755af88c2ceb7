"""Who arrived at and who left each shelter on a day, for the front desk's dashboard: stays
begun and stays ended in the day's local hours, as the viewer may see them.

    window = day_window(date(2026, 3, 2), zone)
    found = await stays_in_window([3, 4], window, viewer, ended=False)   # {3: [Stay, …], 4: []}
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from server.domain.access import Viewer, stay_scope
from server.models import Stay


async def stays_in_window(
    shelter_ids: Sequence[int],
    window: tuple[datetime, datetime],
    viewer: Viewer,
    *,
    ended: bool,
) -> dict[int, list[Stay]]:
    """Per shelter, the stays begun (or, with ``ended``, ended) in [start, end), in time order."""
    start, end = window
    column = "checked_out_at" if ended else "checked_in_at"
    rows = await Stay.filter(
        stay_scope(viewer),
        shelter_id__in=list(shelter_ids),
        **{f"{column}__gte": start, f"{column}__lt": end},
    ).order_by(column, "id")
    found: dict[int, list[Stay]] = {shelter_id: [] for shelter_id in shelter_ids}
    for row in rows:
        found[row.shelter_id].append(row)
    return found

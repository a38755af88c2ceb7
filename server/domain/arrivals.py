"""Who arrived at and who left each shelter on a day, for the front desk's dashboard: stays
begun and stays ended in the day's local hours, as the viewer may see them.

    window = day_window(date(2026, 3, 2), zone)
    found = await stays_in_window([3, 4], window, viewer, ended=False)   # {3: [Stay, …], 4: []}
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from server.domain.access import Viewer, stay_scope
from server.domain.clock import local_today
from server.domain.errors import DomainError, ErrorCode
from server.models import Stay


def front_desk_day(on: date | None, zone: tzinfo) -> date:
    """The day asked for: today by default; not ahead of today (nobody has arrived yet)."""
    today = local_today(zone)
    if on is None:
        return today
    if on > today:
        raise DomainError(ErrorCode.DATE_IN_FUTURE, ["on"], "The day is in the future.")
    return on


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

"""Per-request loader for residents' timelines: residents asked with the same window share one
query per source."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from server.domain.access import Viewer
from server.domain.timeline import Entry, Window, timeline

#: A resident and the window of their timeline asked for.
TimelineKey = tuple[int, Window]


class TimelineLoader(DataLoader[TimelineKey, list[Entry]]):
    def __init__(self, viewer: Viewer) -> None:
        super().__init__(load_fn=self._load)
        self.viewer = viewer

    async def _load(self, keys: Sequence[TimelineKey]) -> list[list[Entry]]:
        by_window: dict[Window, list[int]] = defaultdict(list)
        for resident_id, window in keys:
            by_window[window].append(resident_id)
        found: dict[TimelineKey, list[Entry]] = {}
        for window, resident_ids in by_window.items():
            for resident_id, entries in (await timeline(self.viewer, resident_ids, window)).items():
                found[resident_id, window] = entries
        return [found[key] for key in keys]

"""Per-request loaders for counselling sessions and their participants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from tortoise.expressions import Q, Subquery

from server import models
from server.domain.access import Viewer, resident_scope, session_scope
from server.schema.dataloaders import KeyedLoader, RowByIdLoader, RowsByKeyLoader


def _of_visible_sessions(viewer: Viewer) -> Q:
    visible = models.CounsellingSession.filter(session_scope(viewer)).values("id")
    return Q(session_id__in=Subquery(visible))


class SessionByIdLoader(RowByIdLoader[models.CounsellingSession]):
    model = models.CounsellingSession

    def where(self) -> Q:
        return session_scope(self.viewer)


class ParticipantsBySessionLoader(RowsByKeyLoader[models.CounsellingParticipant]):
    """A session's participants the viewer sees (a group may mix in residents they do not)."""

    model, key = models.CounsellingParticipant, "session_id"

    def where(self) -> Q:
        return _of_visible_sessions(self.viewer) & resident_scope(self.viewer, "resident")


class SessionsByResidentLoader(KeyedLoader[list[models.CounsellingSession]]):
    """A resident's sessions, by start time: two queries for any number of residents."""

    async def _load(self, keys: Sequence[int]) -> list[list[models.CounsellingSession]]:
        pairs = await models.CounsellingParticipant.filter(
            _of_visible_sessions(self.viewer), resident_id__in=list(keys)
        ).values_list("resident_id", "session_id")
        sessions = {
            row.id: row
            for row in await models.CounsellingSession.filter(
                id__in=sorted({session_id for _, session_id in pairs})
            )
        }
        groups: dict[int, list[models.CounsellingSession]] = defaultdict(list)
        for resident_id, session_id in pairs:
            groups[resident_id].append(sessions[session_id])
        return [
            sorted(groups.get(key, []), key=lambda row: (row.starts_at, row.id)) for key in keys
        ]

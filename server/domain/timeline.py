"""A resident's history in one list, newest first: check-ins, transfers, check-outs, services,
court hearings, medical appointments, counselling sessions and what they were handed out.

    pages = await timeline(viewer, [resident.id], Window(first=20))    # {resident_id: [Entry]}
    last = pages[resident.id][-1].position
    more = await timeline(viewer, [resident.id], Window(first=20, after=last))

Entries are ordered by their position (time, source, row id), newest first, and a page starts
after a position (the keyset cursor): each source asks its table only for rows past it, so a page
costs one query per source whatever its length and however far back it is. Every source applies
its own access scope: an entry shows only what the viewer may read anyway.

A new source is one function and one union member for its rows (server/schema/timeline):

    @source("distribution", EntryKind.DISTRIBUTION)
    async def distributions(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
        query = StockMovement.filter(stock_scope(viewer), resident_id__in=resident_ids)
        rows = await page.rows(query, "moved_at")
        return [page.entry(r.moved_at, r, EntryKind.DISTRIBUTION, r.resident_id) for r in rows]
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any

from tortoise.expressions import F, Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.domain.access import (
    Viewer,
    appointment_scope,
    may_read_recipient,
    service_scope,
    session_scope,
    stay_scope,
    stock_scope,
)
from server.domain.errors import DomainError, ErrorCode
from server.models import (
    BedAssignment,
    ChangeKind,
    CounsellingParticipant,
    CounsellingSession,
    CourtHearing,
    MedicalAppointment,
    MovementKind,
    ServiceChange,
    Stay,
    StockMovement,
)

MAX_ROW_ID = 2**31 - 1


class EntryKind(str, Enum):
    CHECK_IN = "check_in"
    TRANSFER = "transfer"
    CHECK_OUT = "check_out"
    SERVICE_LOGGED = "service_logged"
    SERVICE_STATUS_CHANGED = "service_status_changed"
    SERVICE_STAGE_ADVANCED = "service_stage_advanced"
    COURT_HEARING = "court_hearing"
    APPOINTMENT = "appointment"
    COUNSELLING_SESSION = "counselling_session"
    DISTRIBUTION = "distribution"


@dataclass(frozen=True, order=True)
class Position:
    """Where an entry sits: ordered by time, then source (its rank), then row id."""

    at: datetime
    rank: int
    row_id: int

    @property
    def source(self) -> str:
        return SOURCES[self.rank].name

    def cursor(self) -> str:
        text = f"timeline:{self.at.isoformat()}|{self.source}|{self.row_id}"
        return base64.b64encode(text.encode()).decode()

    @classmethod
    def from_cursor(cls, cursor: str) -> Position:
        """The position a cursor from :meth:`cursor` names; INVALID_VALUE for anything else."""
        try:
            text = base64.b64decode(cursor, validate=True).decode()
            at_text, name, number = text.removeprefix("timeline:").split("|")
            at = datetime.fromisoformat(at_text)
            row_id = int(number) if number.isascii() and number.isdigit() else 0
            if (
                not text.startswith("timeline:")
                or at.tzinfo is None
                or not 0 < row_id <= MAX_ROW_ID
            ):
                raise ValueError(text)
            return cls(at.astimezone(UTC), RANKS[name], row_id)
        except (binascii.Error, ValueError, KeyError, OverflowError) as error:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["after"], f"{cursor!r} is not a timeline cursor."
            ) from error


@dataclass(frozen=True)
class Entry:
    """What happened (``kind``), when (``position.at``), to whom, and the row it is about."""

    position: Position
    kind: EntryKind
    resident_id: int
    row: Model


@dataclass(frozen=True)
class Window:
    """Which entries to list: the ``first`` after a position (or the newest), of these kinds
    (None: all)."""

    first: int
    after: Position | None = None
    kinds: frozenset[EntryKind] | None = None


def midnight(day: date) -> datetime:
    """The instant a day-long entry (a hearing) is placed at: the day's start, in UTC."""
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True)
class Page:
    """One source's share of a window: its keyset filter, order and limit."""

    rank: int
    window: Window
    #: Rows per query: the window's length (and one more, to know there is a next page) when
    #: one resident is asked for; for several, no limit (each gets its own page afterwards).
    limit: int | None

    def wants(self, kind: EntryKind) -> bool:
        return self.window.kinds is None or kind in self.window.kinds

    def _after(self, column: str, *, dates: bool) -> Q:
        after = self.window.after
        if after is None:
            return Q()
        at: datetime | date = after.at
        exact = True
        if dates:  # a day's entry is at its midnight: compare days, and equal only at midnight
            exact = after.at == midnight(after.at.date())
            at = after.at.date()
        earlier = Q(**{f"{column}__lt": at}) if exact else Q(**{f"{column}__lte": at})
        if self.rank < after.rank:  # a lower rank comes after at the same time
            return Q(**{f"{column}__lte": at})
        if self.rank > after.rank or not exact:
            return earlier
        return earlier | Q(**{column: at, "id__lt": after.row_id})

    async def rows(self, query: QuerySet[Any], column: str, *, dates: bool = False) -> list[Any]:
        """``query``'s rows after the window's position, newest first, by ``column`` (a
        timestamp, or a date with ``dates``) then id."""
        ordered = query.filter(self._after(column, dates=dates)).order_by(f"-{column}", "-id")
        return await (ordered.limit(self.limit) if self.limit is not None else ordered)

    def entry(self, at: datetime, row: Model, kind: EntryKind, resident_id: int) -> Entry:
        return Entry(Position(at, self.rank, row.pk), kind, resident_id, row)


Fetch = Callable[[Viewer, Sequence[int], Page], Awaitable[list[Entry]]]


@dataclass(frozen=True)
class Source:
    name: str
    kinds: frozenset[EntryKind]
    fetch: Fetch


#: Every source, by rank: at the same instant a higher rank is listed first (newest first), so
#: a move to another shelter shows its check-in above its check-out.
SOURCES: list[Source] = []
RANKS: dict[str, int] = {}


def source(name: str, *kinds: EntryKind) -> Callable[[Fetch], Fetch]:
    """Register a timeline source that lists entries of ``kinds``."""

    def register(fetch: Fetch) -> Fetch:
        RANKS[name] = len(SOURCES)
        SOURCES.append(Source(name, frozenset(kinds), fetch))
        return fetch

    return register


async def timeline(
    viewer: Viewer, resident_ids: Sequence[int], window: Window
) -> dict[int, list[Entry]]:
    """Each resident's entries in the window, newest first: at most ``window.first`` and one
    more when there are more. One query per source asked, for any number of entries."""
    limit = window.first + 1 if len(set(resident_ids)) == 1 else None
    entries: dict[int, list[Entry]] = defaultdict(list)
    for rank, each in enumerate(SOURCES):
        if window.kinds is not None and not each.kinds & window.kinds:
            continue
        for entry in await each.fetch(viewer, resident_ids, Page(rank, window, limit)):
            entries[entry.resident_id].append(entry)
    return {
        resident_id: sorted(entries[resident_id], key=lambda e: e.position, reverse=True)[
            : window.first + 1
        ]
        for resident_id in resident_ids
    }


# --- the sources ---------------------------------------------------------------------------------


@source("check_out", EntryKind.CHECK_OUT)
async def check_outs(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    query = Stay.filter(
        stay_scope(viewer), resident_id__in=resident_ids, checked_out_at__isnull=False
    )
    rows: list[Stay] = await page.rows(query, "checked_out_at")
    return [
        page.entry(row.checked_out_at, row, EntryKind.CHECK_OUT, row.resident_id) for row in rows
    ]


@source("transfer", EntryKind.TRANSFER)
async def transfers(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    """A stay's later beds: every assignment but the one it checked in to."""
    visible = Stay.filter(stay_scope(viewer), resident_id__in=resident_ids).values("id")
    query = BedAssignment.filter(
        stay__resident_id__in=resident_ids,  # joins the stay, which the next filter compares to
        started_at__gt=F("stay__checked_in_at"),
        stay_id__in=Subquery(visible),
    ).select_related("stay")
    rows: list[BedAssignment] = await page.rows(query, "started_at")
    return [
        page.entry(row.started_at, row, EntryKind.TRANSFER, row.stay.resident_id) for row in rows
    ]


@source("check_in", EntryKind.CHECK_IN)
async def check_ins(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    query = Stay.filter(stay_scope(viewer), resident_id__in=resident_ids)
    rows: list[Stay] = await page.rows(query, "checked_in_at")
    return [page.entry(row.checked_in_at, row, EntryKind.CHECK_IN, row.resident_id) for row in rows]


#: The entry each kind of service change makes.
SERVICE_CHANGES = {
    ChangeKind.LOGGED: EntryKind.SERVICE_LOGGED,
    ChangeKind.STATUS: EntryKind.SERVICE_STATUS_CHANGED,
    ChangeKind.STAGE: EntryKind.SERVICE_STAGE_ADVANCED,
}


@source("service", *SERVICE_CHANGES.values())
async def service_changes(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    changes = [change for change, kind in SERVICE_CHANGES.items() if page.wants(kind)]
    query = ServiceChange.filter(
        service_scope(viewer, "service"),
        service__resident_id__in=resident_ids,
        change__in=changes,
    ).select_related("service")
    rows: list[ServiceChange] = await page.rows(query, "at")
    return [
        page.entry(row.at, row, SERVICE_CHANGES[row.change], row.service.resident_id)
        for row in rows
    ]


@source("court_hearing", EntryKind.COURT_HEARING)
async def hearings(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    """Hearings at their date (one ahead is at the top of the list)."""
    query = CourtHearing.filter(
        service_scope(viewer, "service"), service__resident_id__in=resident_ids
    ).select_related("service")
    rows: list[CourtHearing] = await page.rows(query, "hearing_on", dates=True)
    return [
        page.entry(midnight(row.hearing_on), row, EntryKind.COURT_HEARING, row.service.resident_id)
        for row in rows
    ]


@source("appointment", EntryKind.APPOINTMENT)
async def appointments(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    """Medical appointments at their start, whatever became of them (the status says)."""
    query = MedicalAppointment.filter(appointment_scope(viewer), resident_id__in=resident_ids)
    rows: list[MedicalAppointment] = await page.rows(query, "starts_at")
    return [page.entry(row.starts_at, row, EntryKind.APPOINTMENT, row.resident_id) for row in rows]


@source("counselling_session", EntryKind.COUNSELLING_SESSION)
async def sessions(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    """Counselling sessions the resident took part in, at their start (one entry per person,
    so a group session is in each participant's timeline)."""
    visible = CounsellingSession.filter(session_scope(viewer)).values("id")
    query = CounsellingParticipant.filter(
        resident_id__in=resident_ids, session_id__in=Subquery(visible)
    ).select_related("session")
    rows: list[CounsellingParticipant] = await page.rows(query, "session__starts_at")
    return [
        page.entry(row.session.starts_at, row, EntryKind.COUNSELLING_SESSION, row.resident_id)
        for row in rows
    ]


@source("distribution", EntryKind.DISTRIBUTION)
async def distributions(viewer: Viewer, resident_ids: Sequence[int], page: Page) -> list[Entry]:
    """What the resident was handed out, for those who may know who received what."""
    if not may_read_recipient(viewer):
        return []
    query = StockMovement.filter(
        stock_scope(viewer, "level__shelter_id"),
        kind=MovementKind.DISTRIBUTION,
        resident_id__in=resident_ids,
    )
    rows: list[StockMovement] = await page.rows(query, "at")
    return [page.entry(row.at, row, EntryKind.DISTRIBUTION, row.resident_id) for row in rows]

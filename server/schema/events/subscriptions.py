"""Subscriptions over graphql-transport-ws: occupancyChanged, stockLow, appointmentChanged.

Each listens to the events reaching this process (server/domain/events.py) and passes on only
those its subscriber may see, read as the subscriber at that moment. Before each it sends, and
at least every ``settings.subscription_recheck_seconds`` whatever comes, the session is checked
again: once it is signed out, revoked, idle, expired or its account closed, the subscription
ends with an UNAUTHENTICATED error. A shelter asked for that is not yours is not found.

    subscription { occupancyChanged(region: "UmVnaW9uOjE=") {
      shelter { name } occupancy { free held } at } }
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Sequence

import strawberry
from tortoise.queryset import QuerySet

from server import models
from server.domain.access import (
    Viewer,
    may_watch_appointments,
    may_watch_stock,
    sees_shelter,
    shelter_scope,
)
from server.domain.accounts import authenticate
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode
from server.domain.events import (
    AppointmentChanged,
    Event,
    Listener,
    OccupancyChanged,
    Resync,
    StockLow,
    listen,
)
from server.domain.occupancy import Occupancy as Figures
from server.domain.occupancy import occupancy_at
from server.schema.context import Info, Loaders
from server.schema.events.types import AppointmentChange, OccupancyChange, StockLowAlert
from server.schema.permissions import SignedIn
from server.schema.relay import decode_id, encode_id, optional_id
from server.schema.shelters.types import Occupancy, Shelter

#: Whether an event is for this subscription, as this viewer.
Wanted = Callable[[Viewer, Event], bool]


class Watch:
    """One subscription's subscriber: the session checked again before each event it is sent,
    and at least every ``settings.subscription_recheck_seconds`` whatever else comes."""

    def __init__(self, info: Info) -> None:
        self.info = info
        self.checked = 0.0

    async def viewer(self) -> Viewer:
        """The subscriber now, with fresh loaders; UNAUTHENTICATED once the session ended.
        Watching is not use: a session left only watching still ends when idle."""
        context = self.info.context
        viewer = await authenticate(
            context.token, client=context.viewer.client, settings=context.settings, touch=False
        )
        if not viewer.signed_in:
            raise DomainError(ErrorCode.UNAUTHENTICATED, [], "Your session has ended.")
        self.checked = time.monotonic()
        # Not signed_in_as: the connection's other subscriptions may be adding to its read
        # log (written after each result they send), which must not be swapped under them.
        context.viewer = viewer
        context.loaders = Loaders(viewer)
        return viewer

    async def next(self, listener: Listener, wanted: Wanted) -> tuple[Event, Viewer]:
        """The next event this subscriber wants and may see, and the subscriber as of now.
        Events that are not theirs even as they were are passed over without a query."""
        period = self.info.context.settings.subscription_recheck_seconds
        while True:
            due = self.checked + period - time.monotonic()
            event = await listener.next(timeout=max(due, 0.0))
            maybe = event is not None and wanted(self.info.context.viewer, event)
            if maybe or time.monotonic() - self.checked >= period:
                viewer = await self.viewer()
                if event is not None and wanted(viewer, event):
                    return event, viewer


async def _shelter(info: Info, value: strawberry.ID | None) -> int | None:
    """The shelter a subscription is narrowed to; one the subscriber does not see is not found."""
    if value is None:
        return None
    shelter_id = decode_id(value, "Shelter", ["shelter"])
    if await info.context.loaders.shelter_by_id.load(shelter_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["shelter"], "No such shelter.")
    return shelter_id


async def _figures(rows: Sequence[models.Shelter]) -> list[OccupancyChange]:
    at = now()
    figures = await occupancy_at(at, shelter_ids=[row.id for row in rows])
    return [
        OccupancyChange(
            shelter=Shelter.from_model(row),
            occupancy=Occupancy.of(figures.get(row.id, Figures())),
            at=at,
        )
        for row in rows
    ]


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(
        permission_classes=[SignedIn],
        description="Each shelter's figures whenever its beds change (a check-in or out, a "
        "transfer, a hold made, called off, taken or expired, a bed out of or back in service), "
        "for the shelters you see: all of them, one region's, or one. The current figures of "
        "each come first, so nothing is missed between a query and the subscription.",
    )
    async def occupancy_changed(
        self,
        info: Info,
        shelter: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
    ) -> AsyncGenerator[OccupancyChange, None]:
        shelter_id = await _shelter(info, shelter)
        region_id = optional_id(region, "Region", "region")
        if region_id is not None and not await models.Region.exists(id=region_id):
            raise DomainError(ErrorCode.NOT_FOUND, ["region"], "No such region.")

        def covered(viewer: Viewer) -> QuerySet[models.Shelter]:
            query = models.Shelter.filter(shelter_scope(viewer)).order_by("name")
            if shelter_id is not None:
                query = query.filter(id=shelter_id)
            if region_id is not None:
                query = query.filter(region_id=region_id)
            return query

        def wanted(viewer: Viewer, event: Event) -> bool:
            if isinstance(event, Resync):
                return True
            return (
                isinstance(event, OccupancyChanged)
                and sees_shelter(viewer, event.shelter_id)
                and shelter_id in (None, event.shelter_id)
            )

        async def changes() -> AsyncGenerator[OccupancyChange, None]:
            watch = Watch(info)
            async with listen() as listener:
                viewer = await watch.viewer()
                for change in await _figures(await covered(viewer)):
                    yield change
                while True:
                    event, viewer = await watch.next(listener, wanted)
                    if isinstance(event, Resync):  # events were lost: send everything again
                        for change in await _figures(await covered(viewer)):
                            yield change
                        continue
                    assert isinstance(event, OccupancyChanged)
                    row = await info.context.loaders.shelter_by_id.load(event.shelter_id)
                    if row is not None and region_id in (None, row.region_id):
                        yield (await _figures([row]))[0]

        return changes()

    @strawberry.subscription(
        permission_classes=[SignedIn],
        description="Items whose stock falls to their threshold or below, in the shelters whose "
        "stock you see (or in one of them).",
    )
    async def stock_low(
        self, info: Info, shelter: strawberry.ID | None = None
    ) -> AsyncGenerator[StockLowAlert, None]:
        shelter_id = await _shelter(info, shelter)

        def wanted(viewer: Viewer, event: Event) -> bool:
            return (
                isinstance(event, StockLow)
                and may_watch_stock(viewer, event.shelter_id)
                and shelter_id in (None, event.shelter_id)
            )

        async def alerts() -> AsyncGenerator[StockLowAlert, None]:
            watch = Watch(info)
            async with listen() as listener:
                while True:
                    event, _ = await watch.next(listener, wanted)
                    assert isinstance(event, StockLow)
                    row = await info.context.loaders.shelter_by_id.load(event.shelter_id)
                    if row is not None:
                        yield StockLowAlert(
                            shelter=Shelter.from_model(row),
                            item_id=strawberry.ID(encode_id("Item", event.item_id)),
                            on_hand=event.on_hand,
                            threshold=event.threshold,
                        )

        return alerts()

    @strawberry.subscription(
        permission_classes=[SignedIn],
        description="Medical appointments booked or changed in the shelters you work in (or in "
        "one of them). Shelter roles only: coordinators and administrators see no individual "
        "appointment.",
    )
    async def appointment_changed(
        self, info: Info, shelter: strawberry.ID | None = None
    ) -> AsyncGenerator[AppointmentChange, None]:
        if not info.context.viewer.shelter_bound:
            raise DomainError(
                ErrorCode.FORBIDDEN, [], "Appointments are for the staff of their shelter."
            )
        shelter_id = await _shelter(info, shelter)

        def wanted(viewer: Viewer, event: Event) -> bool:
            return (
                isinstance(event, AppointmentChanged)
                and may_watch_appointments(viewer, event.shelter_id)
                and shelter_id in (None, event.shelter_id)
            )

        async def changes() -> AsyncGenerator[AppointmentChange, None]:
            watch = Watch(info)
            async with listen() as listener:
                while True:
                    event, _ = await watch.next(listener, wanted)
                    assert isinstance(event, AppointmentChanged)
                    row = await info.context.loaders.shelter_by_id.load(event.shelter_id)
                    if row is not None:
                        yield AppointmentChange(
                            shelter=Shelter.from_model(row),
                            appointment_id=strawberry.ID(
                                encode_id("MedicalAppointment", event.appointment_id)
                            ),
                            row_id=event.appointment_id,
                        )

        return changes()

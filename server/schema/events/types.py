"""What each subscription sends."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.schema.context import Info
from server.schema.medical.types import MedicalAppointment
from server.schema.shelters.types import Occupancy, Shelter


@strawberry.type(description="A shelter's figures, counted again after its beds changed.")
class OccupancyChange:
    shelter: Shelter
    occupancy: Occupancy
    at: datetime = strawberry.field(description="When the figures were counted.")


@strawberry.type(description="An item's stock in a shelter fell to its threshold or below.")
class StockLowAlert:
    shelter: Shelter
    item_id: strawberry.ID = strawberry.field(description="The item: read it with node(id:).")
    on_hand: int = strawberry.field(description="On hand when the alert was raised.")
    threshold: int


@strawberry.type(description="A medical appointment in a shelter was booked or changed.")
class AppointmentChange:
    shelter: Shelter
    appointment_id: strawberry.ID = strawberry.field(
        description="The appointment: read it with node(id:), as yourself."
    )
    row_id: strawberry.Private[int]

    @strawberry.field(description="The appointment as it is now, as you may see it.")
    async def appointment(self, info: Info) -> MedicalAppointment | None:
        row = await info.context.loaders.appointment_by_id.load(self.row_id)
        return MedicalAppointment.from_model(row) if row else None

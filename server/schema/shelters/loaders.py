"""Per-request loaders for regions, shelters, rooms and beds, and each bed's state now."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.expressions import Q

from server import models
from server.domain.access import shelter_scope
from server.domain.beds import active_holds, active_outages
from server.domain.clock import now
from server.domain.occupancy import Occupancy, occupancy_at
from server.schema.dataloaders import KeyedLoader, RowByIdLoader, RowByKeyLoader, RowsByKeyLoader


class RegionByIdLoader(RowByIdLoader[models.Region]):
    model = models.Region


class ShelterByIdLoader(RowByIdLoader[models.Shelter]):
    model = models.Shelter

    def where(self) -> Q:
        return shelter_scope(self.viewer)


class RoomByIdLoader(RowByIdLoader[models.Room]):
    model = models.Room

    def where(self) -> Q:
        return shelter_scope(self.viewer, "shelter_id")


class BedByIdLoader(RowByIdLoader[models.Bed]):
    model = models.Bed

    def where(self) -> Q:
        return shelter_scope(self.viewer, "room__shelter_id")


class SheltersByRegionLoader(RowsByKeyLoader[models.Shelter]):
    model, key = models.Shelter, "region_id"

    def where(self) -> Q:
        return shelter_scope(self.viewer)


class RoomsByShelterLoader(RowsByKeyLoader[models.Room]):
    model, key = models.Room, "shelter_id"

    def where(self) -> Q:
        return shelter_scope(self.viewer, "shelter_id")


class BedsByRoomLoader(RowsByKeyLoader[models.Bed]):
    model, key = models.Bed, "room_id"

    def where(self) -> Q:
        return shelter_scope(self.viewer, "room__shelter_id")


class OutageByBedLoader(RowByKeyLoader[models.BedOutage]):
    """The outage a bed is under now, if any."""

    model, key = models.BedOutage, "bed_id"

    def where(self) -> Q:
        return active_outages(now())


class HoldByBedLoader(RowByKeyLoader[models.BedHold]):
    """The hold on a bed now, if any."""

    model, key = models.BedHold, "bed_id"

    def where(self) -> Q:
        return active_holds(now())


class OccupancyByShelterLoader(KeyedLoader[Occupancy]):
    """Each shelter's figures now, for all requested shelters in one statement."""

    async def _load(self, keys: Sequence[int]) -> list[Occupancy]:
        # keys are shelters the viewer already loaded through ShelterByIdLoader's scope
        figures = await occupancy_at(now(), shelter_ids=keys)
        return [figures.get(key, Occupancy()) for key in keys]

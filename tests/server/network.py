"""A small synthetic network for tests: regions, shelters, rooms, beds and residents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from server.domain.access import Viewer
from server.domain.residents import Consents, Registration, register_resident
from server.models import (
    Bed,
    DocumentStatus,
    ReferralSource,
    Region,
    Resident,
    Role,
    Room,
    Sex,
    Shelter,
    ShelterKind,
)

#: Beds exist from this instant, well before anything a test back-dates.
BEDS_SINCE = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Network:
    regions: list[Region] = field(default_factory=list)
    shelters: list[Shelter] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    beds: list[Bed] = field(default_factory=list)

    def beds_of(self, shelter: Shelter) -> list[Bed]:
        room_ids = {room.id for room in self.rooms if room.shelter_id == shelter.id}  # type: ignore[attr-defined]
        return [bed for bed in self.beds if bed.room_id in room_ids]  # type: ignore[attr-defined]


async def build_network(
    *, shelters: int = 2, rooms_per_shelter: int = 2, beds_per_room: int = 3, regions: int = 2
) -> Network:
    """``shelters`` shelters spread over ``regions`` regions, alternating women's and men's."""
    network = Network()
    for number in range(regions):
        network.regions.append(await Region.create(code=f"R{number}", name=f"Region {number}"))
    kinds = [ShelterKind.WOMEN, ShelterKind.MEN, ShelterKind.FAMILIES]
    for number in range(shelters):
        shelter = await Shelter.create(
            region=network.regions[number % regions],
            name=f"Shelter {number}",
            kind=kinds[number % len(kinds)],
            address=f"Test street {number}",
        )
        network.shelters.append(shelter)
        for room_number in range(rooms_per_shelter):
            room = await Room.create(shelter=shelter, name=f"Room {room_number}")
            network.rooms.append(room)
            for bed_number in range(beds_per_room):
                network.beds.append(
                    await Bed.create(
                        room=room,
                        label=f"{room_number}-{bed_number}",
                        created_at=BEDS_SINCE,
                        lower_bunk=bed_number % 2 == 0,
                        crib=bed_number == 2,
                    )
                )
    return network


async def staff() -> Viewer:
    """Shelter staff working in every shelter there is: the hand that sets up a test's world."""
    shelter_ids = await Shelter.all().values_list("id", flat=True)
    return Viewer(
        user_id=None,
        username="test-setup",
        role=Role.SHELTER_STAFF,
        shelter_ids=frozenset(shelter_ids),  # type: ignore[arg-type]
        client="tests",
    )


async def new_resident(
    given_name: str = "Dilnoza", family_name: str = "Karimova", *, shelter: Shelter | None = None
) -> Resident:
    """A resident registered at ``shelter`` (by default the first one)."""
    intake = shelter or await Shelter.all().order_by("id").first()
    assert intake is not None, "build a network first"
    return await register_resident(
        await staff(),
        Registration(
            given_name=given_name,
            family_name=family_name,
            sex=Sex.FEMALE,
            nationality="UZ",
            languages=("uz", "ru"),
            referral_source=ReferralSource.HOTLINE,
            document_status=DocumentStatus.CONFISCATED,
            consents=Consents(data_processing=True),
        ),
        shelter_id=intake.id,
    )

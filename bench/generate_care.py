"""Synthetic medical appointments for the scale data: each shelter's schedule for the coming
days, so that ``appointments(shelter:, day:)`` reads a realistic day.

    medics = await create_medics(shelter_ids, password, seed)    # medic.007 works in shelter 7
    tables = plan_appointments(seed=7, world=world.tables, medics=medics, now=now, days=14)

One medical volunteer per shelter sees the shelter's residents staying there at ``now`` in
30-minute slots from 09:00 to 17:00 local time (:data:`ZONE`), on each of ``days`` days from
``now``'s date: nobody is booked twice at once (one provider per shelter, one slot per resident
a day). Every appointment is still scheduled (booked during the week before ``now``), with its
booking as the first row of its status history. Past appointments with visits are not generated:
a visit's findings are encrypted with the data key, which bulk loading does not hold.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.access import Viewer
from server.domain.accounts import create_user
from server.models import Role, User

Row = tuple[Any, ...]

#: The shelters' time zone (server.settings.Settings.timezone's default).
ZONE = ZoneInfo("Asia/Almaty")
SLOT = timedelta(minutes=30)
#: Slots a day per shelter: 09:00 to 17:00.
SLOTS = 16
#: Share of a day's slots booked.
BOOKED = 0.8

CARE_COLUMNS = {
    table: tuple(columns.split())
    for table, columns in (
        (
            "medical_appointment",
            "id resident_id shelter_id provider_id kind starts_at ends_at place status booked_at",
        ),
        ("appointment_status_change", "id appointment_id status changed_at changed_by_id reason"),
    )
}
CARE_TEMPORAL = {"starts_at", "ends_at", "booked_at", "changed_at"}
KINDS = ("general", "general", "general", "gynaecological", "dental", "mental_health", "tests")
PLACES = ("Shelter medical room", "City polyclinic No. 4, room 12", "Dental clinic Aksay")


def medic_username(shelter_id: int) -> str:
    """The medical volunteer of a generated shelter: ``medic.007`` works in shelter 7."""
    return f"medic.{shelter_id:03d}"


async def create_medics(shelter_ids: list[int], password: str) -> dict[int, int]:
    """One medical volunteer per shelter, through the domain; shelter id -> user id."""
    operator = Viewer.operator("bench")
    medics = {}
    for shelter_id in shelter_ids:
        username = medic_username(shelter_id)
        await create_user(
            operator, username, f"Medic {shelter_id:03d}", Role.MEDICAL, password, [shelter_id]
        )
        medics[shelter_id] = (await User.get(username=username)).id
    return medics


def plan_appointments(
    *, seed: int, world: dict[str, list[Row]], medics: dict[int, int], now: datetime, days: int
) -> dict[str, list[Row]]:
    """Appointments and their booking rows for ``days`` days from ``now``'s local date."""
    rng = random.Random(f"{seed}:appointments")
    staying: dict[int, list[int]] = {}
    for _, resident, shelter, _, checked_out, _ in world["stay"]:
        if checked_out is None:
            staying.setdefault(shelter, []).append(resident)
    today = now.astimezone(ZONE).date()
    appointments: list[Row] = []
    changes: list[Row] = []
    for shelter in sorted(staying):
        residents = sorted(staying[shelter])
        provider = medics[shelter]
        for offset in range(days):
            day = today + timedelta(days=offset)
            opening = datetime.combine(day, time(9), tzinfo=ZONE)
            slots = [s for s in range(SLOTS) if rng.random() < BOOKED]
            people = rng.sample(residents, min(len(slots), len(residents)))
            for slot, resident in zip(slots, people, strict=False):
                starts = (opening + slot * SLOT).astimezone(UTC)
                if starts <= now:
                    continue
                booked = now - timedelta(minutes=rng.randint(60, 7 * 24 * 60))
                number = len(appointments) + 1
                appointments.append(
                    (
                        number,
                        resident,
                        shelter,
                        provider,
                        rng.choice(KINDS),
                        starts,
                        starts + SLOT,
                        rng.choice(PLACES),
                        "scheduled",
                        booked,
                    )
                )
                changes.append((number, number, "scheduled", booked, provider, ""))
    return {"medical_appointment": appointments, "appointment_status_change": changes}

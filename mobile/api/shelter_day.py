"""Today's arrivals and departures at a shelter, picked out of the server's answers (the schema
has no list of stays begun or ended on a day).

    data = await client.query(operations.DASHBOARD, {"id": shelter, "day": today.isoformat()})
    arrivals(data, today)                        # [Arrival(code, bed, room, checked_in_at), ...]
    await departures(client, shelter, today)     # [Departure(code, exit_destination, ...), ...]

``today`` is a date on the tablet's clock; ``zone`` (the tablet's own by default) says which
instants fall on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from mobile.api import operations
from mobile.api.client import HavenClient

#: Pages of DEPARTURES read at most (100 residents each), so a large shelter's history cannot
#: hold the dashboard up.
MAX_PAGES = 20


@dataclass(frozen=True)
class Arrival:
    resident_id: str
    code: str
    #: None where the person's name is not for this role.
    given_name: str | None
    family_name: str | None
    stay_id: str
    bed_id: str
    bed: str
    room: str
    checked_in_at: datetime


@dataclass(frozen=True)
class Departure:
    resident_id: str
    code: str
    given_name: str | None
    family_name: str | None
    stay_id: str
    exit_destination: str | None
    checked_out_at: datetime


def on_day(moment: str | None, day: date, zone: tzinfo | None = None) -> bool:
    """Whether an ISO instant from the server falls on ``day`` in ``zone`` (local by default)."""
    if not moment:
        return False
    return datetime.fromisoformat(moment).astimezone(zone).date() == day


def arrivals(dashboard: dict[str, Any], today: date, zone: tzinfo | None = None) -> list[Arrival]:
    """The people in a bed now who checked in ``today``, earliest first, from DASHBOARD's data."""
    shelter = dashboard.get("shelter") or {}
    found = []
    for room in shelter.get("rooms") or []:
        for bed in room.get("beds") or []:
            stay = bed.get("currentStay")
            if stay and on_day(stay.get("checkedInAt"), today, zone):
                resident = stay["resident"]
                found.append(
                    Arrival(
                        resident_id=resident["id"],
                        code=resident["code"],
                        given_name=resident.get("givenName"),
                        family_name=resident.get("familyName"),
                        stay_id=stay["id"],
                        bed_id=bed["id"],
                        bed=bed["label"],
                        room=room["name"],
                        checked_in_at=datetime.fromisoformat(stay["checkedInAt"]),
                    )
                )
    return sorted(found, key=lambda arrival: arrival.checked_in_at)


def departures_in(
    page: dict[str, Any], shelter: str, today: date, zone: tzinfo | None = None
) -> list[Departure]:
    """The stays at ``shelter`` ended ``today`` among one page of DEPARTURES' data."""
    found = []
    for edge in page["residents"]["edges"]:
        resident = edge["node"]
        for stay in resident.get("stays") or []:
            if stay["shelter"]["id"] == shelter and on_day(stay.get("checkedOutAt"), today, zone):
                found.append(
                    Departure(
                        resident_id=resident["id"],
                        code=resident["code"],
                        given_name=resident.get("givenName"),
                        family_name=resident.get("familyName"),
                        stay_id=stay["id"],
                        exit_destination=stay.get("exitDestination"),
                        checked_out_at=datetime.fromisoformat(stay["checkedOutAt"]),
                    )
                )
    return found


async def departures(
    client: HavenClient, shelter: str, today: date, zone: tzinfo | None = None
) -> list[Departure]:
    """Who left ``shelter`` today (and is in no shelter now), earliest first."""
    found: list[Departure] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        page = await client.query(operations.DEPARTURES, {"shelter": shelter, "after": after})
        found += departures_in(page, shelter, today, zone)
        info = page["residents"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    return sorted(found, key=lambda departure: departure.checked_out_at)

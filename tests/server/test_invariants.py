"""The database itself refuses what the bed and stay invariants forbid, whoever writes.

Nothing here goes through server/domain: rows are written with plain ORM calls and with raw SQL
on Tortoise's connection, as a buggy job, a migration or a second service would. Each violation
must surface as tortoise's IntegrityError (never a bare OperationalError, which
``refusal_for`` would not catch), and ``refusal_for`` must turn it into the right ErrorCode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError

from server.domain.errors import ErrorCode, refusal_for
from server.models import Bed, BedAssignment, BedHold, BedOutage, Resident, Shelter, Stay
from tests.server.network import build_network, new_resident

#: Check-in time of the stays below; beds exist from 2025-01-01.
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

pytestmark = pytest.mark.usefixtures("app")  # Tortoise initialised, tables empty


async def raw(statement: str, *values: Any) -> None:
    """Run ``statement`` as raw SQL, ``?`` placeholders rewritten to ``$n`` for PostgreSQL."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        numbers = iter(range(1, len(values) + 1))
        statement = re.sub(r"\?", lambda _: f"${next(numbers)}", statement)
    await connection.execute_query(statement, list(values))


def refused(caught: pytest.ExceptionInfo[IntegrityError]) -> IntegrityError:
    """The error, checked to be exactly tortoise's IntegrityError (not a subclass or sibling)."""
    assert type(caught.value) is IntegrityError, repr(caught.value)
    return caught.value


@dataclass
class Occupied:
    """One resident with an open stay in ``bed``; ``spare`` is another free bed of the shelter."""

    shelter: Shelter
    bed: Bed
    spare: Bed
    resident: Resident
    stay: Stay
    assignment: BedAssignment


async def occupied_bed() -> Occupied:
    network = await build_network(shelters=1, rooms_per_shelter=1, beds_per_room=2, regions=1)
    shelter = network.shelters[0]
    resident = await new_resident()
    stay = await Stay.create(resident=resident, shelter=shelter, checked_in_at=T0)
    assignment = await BedAssignment.create(stay=stay, bed=network.beds[0], started_at=T0)
    return Occupied(shelter, network.beds[0], network.beds[1], resident, stay, assignment)


async def other_open_stay(given: Occupied) -> Stay:
    resident = await new_resident("Gulnora", "Tosheva")
    return await Stay.create(resident=resident, shelter=given.shelter, checked_in_at=T0)


async def test_a_second_open_assignment_for_a_bed_is_refused() -> None:
    # given
    given = await occupied_bed()
    other = await other_open_stay(given)

    # when / then: through the ORM
    with pytest.raises(IntegrityError) as caught:
        await BedAssignment.create(stay=other, bed=given.bed, started_at=T0 + DAY)
    error = refused(caught)
    assert refusal_for(error).code is ErrorCode.BED_OCCUPIED
    assert refusal_for(error).field == ["bed"]

    # when / then: through raw SQL, copying the open row for the other stay
    with pytest.raises(IntegrityError) as caught:
        await raw(
            "INSERT INTO bed_assignment (stay_id, bed_id, started_at) "
            "SELECT ?, bed_id, started_at FROM bed_assignment WHERE id = ?",
            other.id,
            given.assignment.id,
        )
    assert refusal_for(refused(caught)).code is ErrorCode.BED_OCCUPIED

    assert await BedAssignment.filter(bed_id=given.bed.id).count() == 1
    assert await BedAssignment.filter(stay_id=other.id).count() == 0


async def test_a_second_open_assignment_for_a_stay_is_refused() -> None:
    # given
    given = await occupied_bed()

    # when
    with pytest.raises(IntegrityError) as caught:
        await BedAssignment.create(stay=given.stay, bed=given.spare, started_at=T0 + DAY)

    # then: refused; it is a broken write, not a user's mistake, so no refusal code stands for it
    error = refused(caught)
    with pytest.raises(IntegrityError) as reraised:
        refusal_for(error)
    assert reraised.value is error
    assert await BedAssignment.filter(stay_id=given.stay.id).count() == 1


async def test_a_second_open_stay_for_a_resident_is_refused() -> None:
    # given
    given = await occupied_bed()

    # when / then: through the ORM
    with pytest.raises(IntegrityError) as caught:
        await Stay.create(resident=given.resident, shelter=given.shelter, checked_in_at=T0 + DAY)
    error = refused(caught)
    assert refusal_for(error).code is ErrorCode.RESIDENT_ALREADY_IN_SHELTER
    assert refusal_for(error).field == ["resident"]

    # when / then: through raw SQL
    with pytest.raises(IntegrityError) as caught:
        await raw(
            "INSERT INTO stay (resident_id, shelter_id, checked_in_at) "
            "SELECT resident_id, shelter_id, checked_in_at FROM stay WHERE id = ?",
            given.stay.id,
        )
    assert refusal_for(refused(caught)).code is ErrorCode.RESIDENT_ALREADY_IN_SHELTER

    assert await Stay.filter(resident_id=given.resident.id).count() == 1


async def test_a_check_out_before_its_check_in_is_refused_on_insert() -> None:
    # given
    given = await occupied_bed()
    resident = await new_resident("Gulnora", "Tosheva")

    # when
    with pytest.raises(IntegrityError) as caught:
        await Stay.create(
            resident=resident,
            shelter=given.shelter,
            checked_in_at=T0,
            checked_out_at=T0 - timedelta(seconds=1),
        )

    # then
    error = refused(caught)
    assert refusal_for(error).code is ErrorCode.DATE_BEFORE_HISTORY
    assert refusal_for(error).field == ["at"]
    assert await Stay.filter(resident_id=resident.id).count() == 0


async def test_a_check_out_before_its_check_in_is_refused_on_update() -> None:
    # given: one open stay, and one closed a day after it began
    given = await occupied_bed()
    resident = await new_resident("Gulnora", "Tosheva")
    closed = await Stay.create(
        resident=resident, shelter=given.shelter, checked_in_at=T0, checked_out_at=T0 + DAY
    )

    # when / then: closing the open stay before it began, through the ORM
    given.stay.checked_out_at = T0 - DAY
    with pytest.raises(IntegrityError) as caught:
        await given.stay.save(update_fields=["checked_out_at"])
    assert refusal_for(refused(caught)).code is ErrorCode.DATE_BEFORE_HISTORY

    with pytest.raises(IntegrityError) as caught:
        await Stay.filter(id=given.stay.id).update(checked_out_at=T0 - timedelta(seconds=1))
    assert refusal_for(refused(caught)).code is ErrorCode.DATE_BEFORE_HISTORY

    # when / then: swapping the closed stay's times, through raw SQL
    with pytest.raises(IntegrityError) as caught:
        await raw(
            "UPDATE stay SET checked_in_at = checked_out_at, checked_out_at = checked_in_at "
            "WHERE id = ?",
            closed.id,
        )
    assert refusal_for(refused(caught)).code is ErrorCode.DATE_BEFORE_HISTORY

    # nothing changed
    await given.stay.refresh_from_db()
    await closed.refresh_from_db()
    assert given.stay.checked_out_at is None
    assert (closed.checked_in_at, closed.checked_out_at) == (T0, T0 + DAY)


async def test_a_check_out_a_microsecond_before_its_check_in_is_refused() -> None:
    # SQLite's julianday() rounds to the millisecond: its triggers fall back to the text.
    given = await occupied_bed()

    with pytest.raises(IntegrityError) as caught:
        await Stay.filter(id=given.stay.id).update(checked_out_at=T0 - timedelta(microseconds=1))

    assert refusal_for(refused(caught)).code is ErrorCode.DATE_BEFORE_HISTORY


async def test_a_check_out_at_the_instant_of_check_in_is_allowed() -> None:
    given = await occupied_bed()

    await Stay.filter(id=given.stay.id).update(checked_out_at=T0)

    await given.stay.refresh_from_db()
    assert given.stay.checked_out_at == T0


async def test_an_assignment_ending_before_it_starts_is_refused() -> None:
    # given
    given = await occupied_bed()
    other = await other_open_stay(given)

    # when / then: on insert
    with pytest.raises(IntegrityError) as caught:
        await BedAssignment.create(
            stay=other, bed=given.spare, started_at=T0, ended_at=T0 - timedelta(seconds=1)
        )
    error = refused(caught)
    assert refusal_for(error).code is ErrorCode.DATE_BEFORE_HISTORY
    assert refusal_for(error).field == ["at"]

    # when / then: on update, through the ORM and through raw SQL
    with pytest.raises(IntegrityError) as caught:
        await BedAssignment.filter(id=given.assignment.id).update(ended_at=T0 - DAY)
    assert refusal_for(refused(caught)).code is ErrorCode.DATE_BEFORE_HISTORY

    closed = await BedAssignment.create(
        stay=other, bed=given.spare, started_at=T0, ended_at=T0 + DAY
    )
    with pytest.raises(IntegrityError) as caught:
        await raw(
            "UPDATE bed_assignment SET started_at = ended_at, ended_at = started_at WHERE id = ?",
            closed.id,
        )
    assert refusal_for(refused(caught)).code is ErrorCode.DATE_BEFORE_HISTORY

    await given.assignment.refresh_from_db()
    await closed.refresh_from_db()
    assert given.assignment.ended_at is None
    assert (closed.started_at, closed.ended_at) == (T0, T0 + DAY)


async def test_a_second_active_outage_for_a_bed_is_refused() -> None:
    # given
    given = await occupied_bed()
    await BedOutage.create(bed=given.spare, reason="Broken frame", started_at=T0)

    # when
    with pytest.raises(IntegrityError) as caught:
        await BedOutage.create(bed=given.spare, reason="Mould", started_at=T0 + DAY)

    # then
    error = refused(caught)
    assert refusal_for(error).code is ErrorCode.BED_STATUS_UNCHANGED
    assert refusal_for(error).field == ["bed"]
    assert await BedOutage.filter(bed_id=given.spare.id).count() == 1


async def test_a_second_unreleased_hold_for_a_bed_is_refused() -> None:
    given = await occupied_bed()
    await BedHold.create(bed=given.spare, reason="Referral", started_at=T0, expires_at=T0 + DAY)

    with pytest.raises(IntegrityError) as caught:
        await BedHold.create(
            bed=given.spare, reason="Another", started_at=T0, expires_at=T0 + 2 * DAY
        )

    refused(caught)
    assert await BedHold.filter(bed_id=given.spare.id).count() == 1


async def test_closed_rows_coexist_so_history_is_kept() -> None:
    # given: a bed slept in by three residents one after another, the last still there,
    # a resident with two past stays and a current one, and a bed out of service twice before
    given = await occupied_bed()
    earlier = [await new_resident(f"Past{n}", "Resident") for n in range(2)]
    day = T0 - 10 * DAY
    for resident in earlier:
        stay = await Stay.create(
            resident=resident, shelter=given.shelter, checked_in_at=day, checked_out_at=day + DAY
        )
        await BedAssignment.create(stay=stay, bed=given.bed, started_at=day, ended_at=day + DAY)
        day += 2 * DAY
    returning = earlier[0]
    second = await Stay.create(
        resident=returning, shelter=given.shelter, checked_in_at=day, checked_out_at=day + DAY
    )
    await BedAssignment.create(stay=second, bed=given.spare, started_at=day, ended_at=day + DAY)
    await Stay.create(resident=returning, shelter=given.shelter, checked_in_at=T0)
    for start in (T0 - 9 * DAY, T0 - 5 * DAY):
        await BedOutage.create(
            bed=given.spare, reason="Repairs", started_at=start, ended_at=start + DAY
        )
    await BedOutage.create(bed=given.spare, reason="Repairs", started_at=T0)

    # then
    assert await BedAssignment.filter(bed_id=given.bed.id).count() == 3
    assert await BedAssignment.filter(bed_id=given.bed.id, ended_at__isnull=True).count() == 1
    assert await Stay.filter(resident_id=returning.id).count() == 3
    assert await Stay.filter(resident_id=returning.id, checked_out_at__isnull=True).count() == 1
    assert await BedOutage.filter(bed_id=given.spare.id).count() == 3
    assert await BedOutage.filter(bed_id=given.spare.id, ended_at__isnull=True).count() == 1

"""The database itself refuses a hold that ends without an outcome, has an outcome while still
open, or ends before it began, whoever writes (server/migrations/0011_bed_hold_invariants.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from server.domain.errors import ErrorCode, refusal_for
from server.models import BedHold, HoldOutcome
from tests.server.network import build_network

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("app")


async def open_hold() -> BedHold:
    network = await build_network(shelters=1, rooms_per_shelter=1, beds_per_room=1, regions=1)
    return await BedHold.create(
        bed=network.beds[0], reason="x", started_at=T0, expires_at=T0 + timedelta(hours=4)
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"released_at": T0 + timedelta(hours=1)}, ErrorCode.INVALID_VALUE),
        ({"outcome": HoldOutcome.RELEASED}, ErrorCode.INVALID_VALUE),
        (
            {"released_at": T0 - timedelta(microseconds=1), "outcome": HoldOutcome.RELEASED},
            ErrorCode.DATE_BEFORE_HISTORY,
        ),
    ],
)
async def test_a_hold_ending_wrongly_is_refused(change: dict[str, object], code: ErrorCode) -> None:
    hold = await open_hold()

    with pytest.raises(IntegrityError) as caught:
        await BedHold.filter(id=hold.id).update(**change)

    assert type(caught.value) is IntegrityError
    assert refusal_for(caught.value).code is code
    await hold.refresh_from_db()
    assert (hold.released_at, hold.outcome) == (None, None)


async def test_a_hold_ending_at_the_instant_it_began_is_allowed() -> None:
    hold = await open_hold()

    await BedHold.filter(id=hold.id).update(released_at=T0, outcome=HoldOutcome.CHECKED_IN)

    await hold.refresh_from_db()
    assert hold.released_at == T0

"""The demo network's bed holds: on beds free when the demo is made, counted as held."""

from __future__ import annotations

from fixtures.demo import load_demo
from fixtures.demo_realtime import HOLDS
from server.domain.occupancy import occupancy_at
from server.models import BedAssignment, BedHold, BedOutage
from tests.server.test_demo_fixture import NOW, database  # noqa: F401 (the fixture)


async def test_the_demo_holds_beds_that_were_free(database: None) -> None:  # noqa: F811
    await load_demo(now=NOW, seed=2026)

    holds = await BedHold.all().prefetch_related("bed__room")
    assert len(holds) == len(HOLDS)
    assert len({hold.bed.room.shelter_id for hold in holds}) == len(HOLDS)  # type: ignore[attr-defined]
    for hold in holds:
        assert hold.started_at < NOW < hold.expires_at and hold.released_at is None
        assert not await BedAssignment.filter(
            bed_id=hold.bed_id, started_at__lte=NOW, ended_at__isnull=True
        ).exists()
        assert not await BedOutage.filter(bed_id=hold.bed_id, ended_at__isnull=True).exists()
    figures = await occupancy_at(NOW)
    assert sum(shelter.held for shelter in figures.values()) == len(HOLDS)

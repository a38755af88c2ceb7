"""Today's arrivals and departures at a shelter, as the dashboard shows them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mobile.api import operations, shelter_day
from mobile.api.actions import Sent
from tests.mobile.server import HavenServer
from tests.mobile.tablet import Tablet


async def test_todays_arrivals_and_departures(haven_server: HavenServer, tmp_path: Path) -> None:
    tablet = await Tablet.sign_in(haven_server.url, tmp_path / "tablet")
    try:
        # given one person checked in today and another checked in and out again
        staying, leaving = [await tablet.register(name) for name in ("Oysha", "Robiya")]
        beds = await tablet.free_beds(2)
        await tablet.check_in(staying, beds[0])
        checked_in = await tablet.check_in(leaving, beds[1])
        assert isinstance(checked_in, Sent)
        stay = checked_in.payload["stay"]["id"]
        await tablet.actions.run(
            "checkOut",
            operations.CHECK_OUT,
            {"input": {"stay": stay, "exitDestination": "RETURNED_HOME"}},
            summary="check-out",
        )
        today = date.today()

        # when the dashboard is read
        data = await tablet.client.query(
            operations.DASHBOARD, {"id": tablet.shelter, "day": today.isoformat()}
        )
        arrivals = shelter_day.arrivals(data, today)
        departures = await shelter_day.departures(tablet.client, tablet.shelter, today)

        # then the one who stays arrived today, in her bed, and the other left today
        [arrival] = [a for a in arrivals if a.resident_id == staying]
        assert arrival.bed_id == beds[0] and arrival.given_name == "Oysha"
        assert leaving not in {a.resident_id for a in arrivals}
        [departure] = [d for d in departures if d.resident_id == leaving]
        assert departure.stay_id == stay and departure.exit_destination == "RETURNED_HOME"
        assert staying not in {d.resident_id for d in departures}
    finally:
        await tablet.close()

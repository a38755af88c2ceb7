"""Today's arrivals and departures at a shelter, as the dashboard's document reads them from
the server (Shelter.arrivals / Shelter.departures, counted in the shelter's time zone)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mobile.api import operations
from mobile.api.actions import Sent
from tests.mobile.server import HavenServer
from tests.mobile.tablet import Tablet


async def test_dashboard_lists_todays_arrivals_and_departures(
    haven_server: HavenServer, tmp_path: Path
) -> None:
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

        # when the dashboard is read
        data = await tablet.client.query(
            operations.DASHBOARD, {"id": tablet.shelter, "day": date.today().isoformat()}
        )
        shelter = data["shelter"]

        # then both arrived today, the one who stays in her bed, and the other left today
        assert shelter["timeZone"]
        arrived = {s["resident"]["id"]: s for s in shelter["arrivals"]}
        assert arrived[staying]["bed"]["id"] == beds[0]
        assert arrived[staying]["resident"]["givenName"] == "Oysha"
        assert arrived[staying]["bed"]["room"]["name"]
        assert leaving in arrived
        left = {s["resident"]["id"]: s for s in shelter["departures"]}
        assert left[leaving]["id"] == stay
        assert left[leaving]["exitDestination"] == "RETURNED_HOME"
        assert staying not in left
    finally:
        await tablet.close()

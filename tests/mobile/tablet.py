"""The app's networking as one tablet holds it, for tests: signed in as shelter staff of Almaty,
with its outbox unlocked.

    tablet = await Tablet.sign_in(haven_server.url, tmp_path / "tablet")
    resident = await tablet.register("Madina")            # sent at once
    result = await tablet.check_in(resident, bed)         # Sent | Queued | RefusedResult
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fixtures.accounts import DEMO_PASSWORD
from mobile.api import operations
from mobile.api.actions import Actions, Result, Sent
from mobile.api.client import HavenClient
from mobile.api.outbox import Outbox

SHELTER = "Almaty Women's Shelter"


@dataclass
class Tablet:
    """The app's networking as it lives on one tablet: a client, its outbox, its actions."""

    client: HavenClient
    outbox: Outbox
    actions: Actions

    @classmethod
    async def sign_in(cls, url: str, data_dir: Path) -> Tablet:
        client = HavenClient(url)
        await client.login("staff.almaty", DEMO_PASSWORD)
        outbox = Outbox(data_dir)
        outbox.unlock("staff.almaty", DEMO_PASSWORD)
        return cls(client, outbox, Actions(client, outbox))

    @property
    def shelter(self) -> str:
        assert self.client.viewer is not None
        return next(str(s["id"]) for s in self.client.viewer["shelters"] if s["name"] == SHELTER)

    async def close(self) -> None:
        self.outbox.close()
        await self.client.aclose()

    async def register(self, given_name: str) -> str:
        """A new resident (sent at once, online), by ID."""
        variables = {
            "input": {
                "givenName": given_name,
                "sex": "FEMALE",
                "nationality": "UZ",
                "referralSource": "HOTLINE",
                "documentStatus": "LOST",
                "shelter": self.shelter,
                "consents": {"dataProcessing": True},
            }
        }
        result = await self.actions.run(
            "residentRegister", operations.RESIDENT_REGISTER, variables, summary="register"
        )
        assert isinstance(result, Sent), result
        return str(result.payload["resident"]["id"])

    async def free_beds(self, count: int) -> list[str]:
        data = await self.client.query(
            operations.AVAILABLE_BEDS, {"shelter": self.shelter, "first": count}
        )
        beds = [edge["node"]["id"] for edge in data["availableBeds"]["edges"]]
        assert len(beds) == count
        return beds

    async def check_in(self, resident: str, bed: str) -> Result:
        variables = {"input": {"resident": resident, "bed": bed}}
        return await self.actions.run(
            "checkIn", operations.CHECK_IN, variables, summary=f"check-in → {bed}"
        )

"""Moving a person to another free bed of their shelter; the bed history keeps the old one."""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, StringProperty

from mobile.api import operations
from mobile.i18n import _
from mobile.screens.check_in import ChoosesAFreeBed
from mobile.screens.dashboard import person_line
from mobile.screens.find_resident import stay_line
from mobile.widgets.base import HavenScreen


class TransferScreen(ChoosesAFreeBed, HavenScreen):
    resident = StringProperty("")
    person = DictProperty()

    def set_params(self, **params: Any) -> None:
        self.bed = ""
        self.person = {}
        super().set_params(**params)

    async def refresh(self) -> None:
        if not self.resident:
            return
        found = await self.client.query(operations.RESIDENT, {"id": self.resident, "first": 1})
        self.person = found.get("resident") or {}
        stay = self.person.get("currentStay")
        if not stay:
            self.say(_("This person is not staying in a shelter now."))
            return
        shelter = (stay.get("shelter") or {}).get("id") or self.app.shelter_id
        await self.load_rooms(self.client, shelter)

    def who(self, person: dict[str, Any]) -> str:
        return person_line(person)

    def where(self, person: dict[str, Any], _lang: str = "") -> str:
        return stay_line(person) if person else ""

    def chosen(self, bed_id: str, _lang: str = "") -> str:
        bed, room = self.on_grid(bed_id)
        if not bed:
            return _("Pick a free bed on the grid.")
        return _("New bed: room {room}, bed {bed}").format(
            room=room.get("name", ""), bed=bed.get("label", "")
        )

    def confirm(self) -> None:
        if not self.bed:
            self.say(_("Pick a free bed on the grid."))
            return
        self.run(self.transfer())

    async def transfer(self) -> None:
        stay = self.person.get("currentStay") or {}
        bed, room = self.on_grid(self.bed)
        label = f"{room.get('name', '')}/{bed.get('label', '')}" if bed else ""
        outcome = await self.act(
            "transfer",
            operations.TRANSFER,
            {"input": {"stay": stay.get("id"), "bed": self.bed}},
            summary=f"{self.person.get('code', '')} ⇄ {label}",
            done=_("Moved."),
        )
        if outcome.done:
            self.app.show("resident", resident=self.resident)
        elif outcome.queued:
            self.app.show("dashboard")

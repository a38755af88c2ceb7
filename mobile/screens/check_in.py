"""Check-in: a free bed for the person, picked on the grid or the one suggested; then confirm."""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, ListProperty, NumericProperty, StringProperty

from mobile.api import operations
from mobile.i18n import _
from mobile.i18n import now as shelter_now
from mobile.screens.dashboard import person_line
from mobile.widgets.base import HavenScreen


class ChoosesAFreeBed:
    """The shelter's grid of rooms and beds, and the free bed chosen on it (check-in, move)."""

    bed = StringProperty("")
    rooms = ListProperty()

    async def load_rooms(self, client: Any, shelter: str) -> None:
        day = shelter_now().date().isoformat()  # the shelter's today, not the tablet's
        data = await client.query(operations.DASHBOARD, {"id": shelter, "day": day})
        self.rooms = (data.get("shelter") or {}).get("rooms") or []

    def on_grid(self, bed_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(bed, room) of ``bed_id`` on the grid; ({}, {}) if it is not there."""
        for room in self.rooms:
            for bed in room.get("beds") or []:
                if bed.get("id") == bed_id:
                    return bed, room
        return {}, {}

    def pick(self, bed: dict[str, Any]) -> None:
        if bed.get("status") == "FREE":
            self.bed = bed["id"]


class CheckInScreen(ChoosesAFreeBed, HavenScreen):
    resident = StringProperty("")
    person = DictProperty()
    #: The first free bed the server lists for this shelter.
    suggested = DictProperty()
    #: A refused check-in (queue id) this one makes again with another bed.
    redo = NumericProperty(0)

    def set_params(self, **params: Any) -> None:
        self.bed = ""
        self.redo = 0
        self.person = {}
        self.suggested = {}
        super().set_params(**params)

    async def refresh(self) -> None:
        if not self.resident:
            return
        found = await self.client.query(operations.RESIDENT, {"id": self.resident, "first": 1})
        self.person = found.get("resident") or {}
        shelter = self.app.shelter_id
        await self.load_rooms(self.client, shelter)
        beds = await self.client.query(operations.AVAILABLE_BEDS, {"shelter": shelter, "first": 1})
        edges = (beds.get("availableBeds") or {}).get("edges") or []
        self.suggested = edges[0]["node"] if edges else {}
        if not self.bed and self.suggested:
            self.bed = self.suggested["id"]
        if self.person.get("currentStay"):
            self.say(_("This person is already staying in a shelter. Move them instead."))

    def who(self, person: dict[str, Any]) -> str:
        return person_line(person)

    def bed_name(self, bed_id: str, _lang: str = "") -> str:
        """'Room 2, bed B' for the chosen bed, from the grid or the suggestion."""
        bed, room = self.find_bed(bed_id)
        if not bed:
            return _("No bed chosen")
        return _("Room {room}, bed {bed}").format(room=room.get("name", ""), bed=bed["label"])

    def suggestion(self, suggested: dict[str, Any], _lang: str = "") -> str:
        if not suggested:
            return _("There is no free bed in this shelter.")
        room = suggested.get("room") or {}
        return _("Suggested: room {room}, bed {bed}").format(
            room=room.get("name", ""), bed=suggested.get("label", "")
        )

    def find_bed(self, bed_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        bed, room = self.on_grid(bed_id)
        if not bed and self.suggested.get("id") == bed_id:
            return self.suggested, self.suggested.get("room") or {}
        return bed, room

    def confirm(self) -> None:
        if not self.bed:
            self.say(_("Choose a free bed first."))
            return
        self.run(self.check_in())

    async def check_in(self) -> None:
        bed, room = self.find_bed(self.bed)
        code = self.person.get("code", "")
        outcome = await self.act(
            "checkIn",
            operations.CHECK_IN,
            {"input": {"resident": self.resident, "bed": self.bed}},
            summary=f"{code} → {room.get('name', '')}/{bed.get('label', '')}",
            done=_("Checked in."),
            redo=self.redo or None,
        )
        if outcome.done:
            self.app.show("resident", resident=self.resident)
        elif outcome.queued:
            self.app.show("dashboard")

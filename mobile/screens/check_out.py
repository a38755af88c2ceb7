"""Check-out: where the person goes (exit destination), then confirm; the stay ends now."""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, StringProperty

from mobile.api import operations
from mobile.i18n import N_, _
from mobile.screens.dashboard import person_line
from mobile.screens.find_resident import stay_line
from mobile.widgets.base import HavenScreen

EXIT_DESTINATIONS = [
    ("RETURNED_HOME", N_("Returned home")),
    ("REPATRIATED", N_("Repatriated")),
    ("INDEPENDENT_LIVING", N_("Living independently")),
    ("OTHER_SHELTER", N_("Another shelter")),
    ("HOSPITAL", N_("Hospital")),
    ("LEFT_WITHOUT_NOTICE", N_("Left without notice")),
    ("OTHER", N_("Other")),
]


class CheckOutScreen(HavenScreen):
    resident = StringProperty("")
    person = DictProperty()

    def set_params(self, **params: Any) -> None:
        self.person = {}
        super().set_params(**params)

    async def refresh(self) -> None:
        self.ids.destination.value = ""
        if not self.resident:
            return
        found = await self.client.query(operations.RESIDENT, {"id": self.resident, "first": 1})
        self.person = found.get("resident") or {}
        if not self.person.get("currentStay"):
            self.say(_("This person is not staying in a shelter now."))

    def who(self, person: dict[str, Any]) -> str:
        return person_line(person)

    def where(self, person: dict[str, Any], _lang: str = "") -> str:
        return stay_line(person) if person else ""

    def confirm(self) -> None:
        if not self.ids.destination.value:
            self.say(_("Choose where the person is going."))
            return
        self.run(self.check_out())

    async def check_out(self) -> None:
        stay = self.person.get("currentStay") or {}
        bed = stay.get("bed") or {}
        room = bed.get("room") or {}
        place = f"{room.get('name', '')}/{bed.get('label', '')}"
        outcome = await self.act(
            "checkOut",
            operations.CHECK_OUT,
            {"input": {"stay": stay.get("id"), "exitDestination": self.ids.destination.value}},
            summary=f"{self.person.get('code', '')} ← {place}",
            done=_("Checked out."),
        )
        if outcome.kept:
            self.app.show("dashboard")

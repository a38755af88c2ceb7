"""Find a resident by code (HV-2026-000123) or by name, to open their page or check them in."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from mobile.api import operations
from mobile.i18n import _
from mobile.screens.dashboard import person_line
from mobile.widgets.base import HavenScreen
from mobile.widgets.rows import InfoRow


class FindResidentScreen(HavenScreen):
    #: "check_in" when looking for the person to put in a bed; "" to open their page.
    purpose = StringProperty("")
    #: The bed chosen on the dashboard before the person, if any.
    bed = StringProperty("")

    def set_params(self, **params: Any) -> None:
        self.purpose = ""
        self.bed = ""
        super().set_params(**params)

    async def refresh(self) -> None:
        if self.ids.query.text.strip():
            await self.search()

    def submit(self) -> None:
        if len(self.ids.query.text.strip()) < 2:
            self.say(_("Type at least two letters of a name or a code."))
            return
        self.run(self.search())

    async def search(self) -> None:
        text = self.ids.query.text.strip()
        data = await self.client.query(operations.RESIDENTS_SEARCH, {"search": text, "first": 30})
        found = data.get("residents") or {}
        box = self.ids.results
        box.clear_widgets()
        edges = found.get("edges") or []
        if not edges:
            box.add_widget(InfoRow(headline=_("Nobody found."), active=False))
        for edge in edges:
            person = edge["node"]
            box.add_widget(
                InfoRow(
                    headline=person_line(person),
                    detail=stay_line(person),
                    on_release=lambda _row, person=person: self.chose(person),
                )
            )

    def chose(self, person: dict[str, Any]) -> None:
        if self.purpose == "check_in" and not person.get("currentStay"):
            params = {"resident": person["id"]}
            if self.bed:
                params["bed"] = self.bed
            self.app.show("check_in", **params)
        else:
            self.app.show("resident", resident=person["id"])

    def register(self) -> None:
        self.app.show("register", bed=self.bed)


def stay_line(person: dict[str, Any]) -> str:
    """Where the person sleeps now, or that they are not in a shelter."""
    stay = person.get("currentStay")
    if not stay:
        return _("Not in a shelter now")
    bed = stay.get("bed") or {}
    room = bed.get("room") or {}
    return _("{shelter}: room {room}, bed {bed}").format(
        shelter=(stay.get("shelter") or {}).get("name", ""),
        room=room.get("name", ""),
        bed=bed.get("label", ""),
    )

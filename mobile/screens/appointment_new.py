"""Book a resident with a medical volunteer of their shelter: who, what kind, when, where.

app.show("appointment_new", resident=resident_id)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_datetime
from mobile.i18n.catalogue import parse_moment
from mobile.screens.care_labels import appointment_kind_label, person_label
from mobile.screens.care_widgets import (
    CareScreen,
    labelled,
    local_moment,
    next_slot,
    parse_clock,
    parse_day,
)

KINDS = ("GENERAL", "TESTS", "DENTAL", "MENTAL_HEALTH", "GYNAECOLOGICAL")
DURATIONS = ("15", "30", "45", "60")


def minutes_label(value: str | None) -> str:
    return _("{minutes} min").format(minutes=value or "")


class AppointmentNewScreen(CareScreen):
    person = DictProperty()
    provider = StringProperty("")
    kind = StringProperty("GENERAL")
    duration = StringProperty("30")

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.kind.options = labelled(KINDS, appointment_kind_label)
        self.ids.duration.options = labelled(DURATIONS, minutes_label)

    async def refresh(self) -> None:
        start = next_slot()
        self.ids.day.text = start.date().isoformat()
        self.ids.clock.text = start.strftime("%H:%M")
        self.ids.place.text = ""
        self.kind, self.duration, self.provider = "GENERAL", "30", ""
        data = await self.client.query(care.CARE_RESIDENT, {"id": self.resident_id()})
        self.person = data.get("resident") or {}
        self.heading = person_label(self.person)
        workers = await self.client.query(
            care.CARE_WORKERS, {"shelter": self.shelter_of(self.person), "role": "MEDICAL"}
        )
        medics = workers.get("careWorkers") or []
        names = {medic["id"]: medic["fullName"] for medic in medics}
        self.ids.provider.options = [(medic["id"], names[medic["id"]]) for medic in medics]
        if len(medics) == 1:
            self.provider = medics[0]["id"]
        self.ids.no_medic.text = "" if medics else _("No medical volunteer works here yet.")

    def submit(self) -> None:
        day, clock = parse_day(self.ids.day.text), parse_clock(self.ids.clock.text)
        if not self.provider:
            self.say(_("Choose the medical volunteer."))
            return
        if day is None or clock is None:
            self.say(_("Enter the date as YYYY-MM-DD and the time as HH:MM."))
            return
        self.run(self.book(local_moment(day, clock).isoformat()))

    async def book(self, starts_at: str) -> None:
        entry = {
            "resident": self.person.get("id") or self.resident_id(),
            "provider": self.provider,
            "kind": self.kind,
            "startsAt": starts_at,
            "durationMinutes": int(self.duration),
            "place": self.ids.place.text.strip(),
        }
        summary = f"{self.person.get('code', '')}: {appointment_kind_label(self.kind)} {starts_at}"
        await self.act(
            "appointmentSchedule",
            care.APPOINTMENT_SCHEDULE,
            {"input": entry},
            summary=summary,
            done=_("Appointment booked for {when}.").format(
                when=format_datetime(parse_moment(starts_at), form="short")
            ),
        )

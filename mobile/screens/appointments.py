"""A medical volunteer's appointments of a day (today first), by start time; tap one to record
its visit.

app.show("appointments")
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.properties import ListProperty, ObjectProperty

from mobile.api import care
from mobile.i18n import _, format_date, format_time
from mobile.i18n.catalogue import parse_moment
from mobile.screens.care_labels import (
    appointment_kind_label,
    appointment_status_label,
    person_label,
)
from mobile.screens.care_widgets import CareScreen, follow_language, local_today


class AppointmentsScreen(CareScreen):
    day = ObjectProperty(None, allownone=True)
    #: care.APPOINTMENTS nodes of the day, by start time as the server gives them.
    appointments = ListProperty()

    def on_kv_post(self, base_widget: Any) -> None:
        follow_language(self.show_rows)

    async def refresh(self) -> None:
        if self.day is None or self.params.get("today", True):
            self.day = local_today()
        await self.load()

    async def load(self) -> None:
        self.heading = format_date(self.day, form="full")
        data = await self.client.query(
            care.APPOINTMENTS,
            {"provider": self.viewer_id, "day": self.day.isoformat(), "first": 100},
        )
        self.appointments = [edge["node"] for edge in data["appointments"]["edges"]]

    def on_appointments(self, *_args: Any) -> None:
        self.show_rows()

    def show_rows(self) -> None:
        if not self.ids:
            return
        self.heading = format_date(self.day, form="full") if self.day else ""
        self.ids.picker.rows = [
            {
                "value": appointment["id"],
                "title": " · ".join(
                    part
                    for part in (
                        format_time(parse_moment(appointment["startsAt"])),
                        person_label(appointment["resident"]),
                    )
                    if part
                ),
                "detail": " · ".join(
                    part
                    for part in (
                        appointment_kind_label(appointment["kind"]),
                        appointment["place"],
                        (appointment.get("shelter") or {}).get("name", ""),
                        appointment_status_label(appointment["status"]),
                    )
                    if part
                ),
                "warn": appointment["status"] == "SCHEDULED",
            }
            for appointment in self.appointments
        ]
        self.ids.empty.text = "" if self.appointments else _("No appointments on this day.")

    def move(self, days: int) -> None:
        self.day = (self.day or local_today()) + dt.timedelta(days=days)
        self.params = {**self.params, "today": False}
        self.run(self.load())

    def today(self) -> None:
        self.day = local_today()
        self.run(self.load())

    def open(self, appointment_id: str) -> None:
        if appointment_id:
            self.ids.picker.value = ""
            self.app.show("visit", appointment=appointment_id)

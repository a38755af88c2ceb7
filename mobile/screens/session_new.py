"""Schedule a counselling session (psychological, social or legal) for a resident.

app.show("session_new", resident=resident_id)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_datetime
from mobile.i18n.catalogue import parse_moment
from mobile.screens.care_labels import language_label, person_label, session_kind_label
from mobile.screens.care_widgets import (
    CareScreen,
    labelled,
    local_moment,
    next_slot,
    parse_clock,
    parse_day,
)

KINDS = ("PSYCHOLOGICAL", "SOCIAL", "LEGAL")
DURATIONS = ("30", "50", "60", "90")
LANGUAGES = ("", "uz", "ru", "kk", "ky", "tg")


def minutes_label(value: str | None) -> str:
    return _("{minutes} min").format(minutes=value or "")


class SessionNewScreen(CareScreen):
    person = DictProperty()
    kind = StringProperty("PSYCHOLOGICAL")
    counsellor = StringProperty("")
    duration = StringProperty("50")
    interpreter = StringProperty("")
    #: The shelter's counsellors and legal advisers (careWorkers).
    workers = ListProperty()

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.kind.options = labelled(KINDS, session_kind_label)
        self.ids.duration.options = labelled(DURATIONS, minutes_label)
        self.ids.interpreter.options = labelled(LANGUAGES, language_label)

    async def refresh(self) -> None:
        start = next_slot(60)
        self.ids.day.text = start.date().isoformat()
        self.ids.clock.text = start.strftime("%H:%M")
        self.duration, self.interpreter = "50", ""
        self.kind = "LEGAL" if self.app.role == "LEGAL" else "PSYCHOLOGICAL"
        data = await self.client.query(care.CARE_RESIDENT, {"id": self.resident_id()})
        self.person = data.get("resident") or {}
        self.heading = person_label(self.person)
        found = await self.client.query(
            care.CARE_WORKERS, {"shelter": self.shelter_of(self.person)}
        )
        self.workers = [w for w in found.get("careWorkers") or [] if w["role"] != "MEDICAL"]
        self.offer()

    def on_kind(self, *_args: Any) -> None:
        self.offer()

    def offer(self) -> None:
        """The counsellors for a psychological or social session, legal advisers for a legal one;
        a counsellor or adviser books themselves."""
        role = "LEGAL" if self.kind == "LEGAL" else "COUNSELLOR"
        fitting = [w for w in self.workers if w["role"] == role]
        if self.app and self.app.role in ("COUNSELLOR", "LEGAL"):
            fitting = [w for w in fitting if w["id"] == self.viewer_id]
        self.ids.counsellor.options = [(w["id"], w["fullName"]) for w in fitting]
        ids = [w["id"] for w in fitting]
        if self.counsellor not in ids:
            self.counsellor = ids[0] if len(ids) == 1 else ""
        self.ids.nobody.text = "" if fitting else _("Nobody here can hold this kind of session.")

    def submit(self) -> None:
        day, clock = parse_day(self.ids.day.text), parse_clock(self.ids.clock.text)
        if not self.counsellor:
            self.say(_("Choose who holds the session."))
            return
        if day is None or clock is None:
            self.say(_("Enter the date as YYYY-MM-DD and the time as HH:MM."))
            return
        self.run(self.schedule(local_moment(day, clock).isoformat()))

    async def schedule(self, starts_at: str) -> None:
        entry = {
            "kind": self.kind,
            "counsellor": self.counsellor,
            "residents": [self.person.get("id") or self.resident_id()],
            "startsAt": starts_at,
            "durationMinutes": int(self.duration),
            "format": "INDIVIDUAL",
            "interpreterLanguage": self.interpreter,
        }
        summary = f"{self.person.get('code', '')}: {session_kind_label(self.kind)} {starts_at}"
        await self.act(
            "counsellingSessionSchedule",
            care.SESSION_SCHEDULE,
            {"input": entry},
            summary=summary,
            done=_("Session scheduled for {when}.").format(
                when=format_datetime(parse_moment(starts_at), form="short")
            ),
        )

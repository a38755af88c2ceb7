"""Record the visit of an appointment: findings, notes, a follow-up date, a referral to
hospital; or mark that the person did not come. A completed one shows what was recorded.

app.show("visit", appointment=appointment_id)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, DictProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_date, format_datetime
from mobile.i18n.catalogue import parse_day as server_day
from mobile.i18n.catalogue import parse_moment
from mobile.screens.care_labels import (
    appointment_kind_label,
    appointment_status_label,
    person_label,
)
from mobile.screens.care_widgets import CareScreen, parse_day


class VisitScreen(CareScreen):
    booking = DictProperty()
    #: The appointment waits for its visit record (else the record, read-only).
    open_for_record = BooleanProperty(False)
    referred = BooleanProperty(False)
    #: What was recorded, as the server gave it (fields it did not give are left out).
    recorded = StringProperty("")

    async def refresh(self) -> None:
        for field in ("findings", "notes", "follow_up", "hospital"):
            self.ids[field].text = ""
        self.referred = False
        data = await self.client.query(
            care.APPOINTMENT_DETAIL, {"id": str(self.params.get("appointment") or "")}
        )
        self.show(data.get("node") or {})

    def show(self, appointment: dict[str, Any]) -> None:
        self.booking = appointment
        self.open_for_record = appointment.get("status") == "SCHEDULED"
        if not appointment:
            self.heading = _("This appointment cannot be found.")
            self.recorded = ""
            return
        self.heading = person_label(appointment.get("resident"))
        self.ids.when.text = " · ".join(
            part
            for part in (
                format_datetime(parse_moment(appointment.get("startsAt")), form="short"),
                appointment_kind_label(appointment.get("kind")),
                appointment.get("place") or "",
                appointment_status_label(appointment.get("status")),
            )
            if part
        )
        self.recorded = self.describe(appointment.get("visit"))

    def describe(self, visit: dict[str, Any] | None) -> str:
        if not visit:
            return ""
        lines = []
        if visit.get("findings") is not None:
            lines.append(_("Findings: {text}").format(text=visit["findings"]))
        if visit.get("notes"):
            lines.append(_("Notes: {text}").format(text=visit["notes"]))
        if visit.get("followUpOn"):
            lines.append(
                _("Follow-up on {date}").format(date=format_date(server_day(visit["followUpOn"])))
            )
        if visit.get("referredToHospital"):
            lines.append(_("Referred to hospital: {hospital}").format(hospital=visit["hospital"]))
        if visit.get("recordedAt"):
            lines.append(
                _("Recorded {when}").format(
                    when=format_datetime(parse_moment(visit["recordedAt"]), form="short")
                )
            )
        return "\n".join(lines)

    def submit(self) -> None:
        findings = self.ids.findings.text.strip()
        follow_up_text = self.ids.follow_up.text.strip()
        follow_up = parse_day(follow_up_text) if follow_up_text else None
        if not findings:
            self.say(_("Write the findings."))
            return
        if follow_up_text and follow_up is None:
            self.say(_("Enter the follow-up date as YYYY-MM-DD."))
            return
        if self.referred and not self.ids.hospital.text.strip():
            self.say(_("Say which hospital."))
            return
        entry: dict[str, Any] = {
            "appointment": self.booking["id"],
            "findings": findings,
            "notes": self.ids.notes.text.strip(),
            "referredToHospital": self.referred,
            "hospital": self.ids.hospital.text.strip() if self.referred else "",
        }
        if follow_up is not None:
            entry["followUpOn"] = follow_up.isoformat()
        self.run(self.record(entry))

    async def record(self, entry: dict[str, Any]) -> None:
        code = (self.booking.get("resident") or {}).get("code", "")
        outcome = await self.act(
            "visitRecord",
            care.VISIT_RECORD,
            {"input": entry},
            summary=f"{code}: {appointment_kind_label(self.booking.get('kind'))}",
            done=_("Visit recorded."),
        )
        if outcome.done and outcome.payload:
            self.show(outcome.payload.get("appointment") or self.booking)
        elif outcome.queued:
            self.open_for_record = False
            self.recorded = _("Saved on this tablet. It will be sent when the server answers.")

    def no_show(self) -> None:
        self.run(self.mark_no_show())

    async def mark_no_show(self) -> None:
        code = (self.booking.get("resident") or {}).get("code", "")
        outcome = await self.act(
            "appointmentMarkNoShow",
            care.APPOINTMENT_MARK_NO_SHOW,
            {"input": {"appointment": self.booking["id"]}},
            summary=f"{code}: {_('did not come')}",
            done=_("Marked: did not come."),
        )
        if outcome.kept:
            self.open_for_record = False
            self.booking = {**self.booking, "status": "NO_SHOW"}
            self.ids.when.text = self.ids.when.text.replace(
                appointment_status_label("SCHEDULED"), appointment_status_label("NO_SHOW")
            )

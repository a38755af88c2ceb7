"""Record a session once it took place: who attended, and private notes only its counsellor
will read. A recorded one shows what the server returns (the notes to their author only).

app.show("session_record", session=session_id)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, DictProperty, ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_datetime
from mobile.i18n.catalogue import parse_moment
from mobile.screens.care_labels import person_label
from mobile.screens.care_widgets import CareScreen
from mobile.screens.sessions import session_detail, session_title, started


class SessionRecordScreen(CareScreen):
    meeting = DictProperty()
    open_for_record = BooleanProperty(False)
    #: Resident IDs ticked as present.
    attended = ListProperty()
    recorded = StringProperty("")

    async def refresh(self) -> None:
        self.ids.notes.text = ""
        data = await self.client.query(
            care.SESSION_DETAIL, {"id": str(self.params.get("session") or "")}
        )
        self.show(data.get("node") or {})

    def show(self, session: dict[str, Any]) -> None:
        self.meeting = session
        if not session:
            self.heading = _("This session cannot be found.")
            self.open_for_record = False
            return
        self.heading = session_title(session)
        self.ids.about.text = session_detail(session)
        scheduled = session.get("status") == "SCHEDULED"
        self.open_for_record = scheduled and started(session)
        self.ids.early.text = (
            _("It can be recorded once it has started.")
            if scheduled and not started(session)
            else ""
        )
        people = [p for p in session.get("participants") or [] if p.get("resident")]
        if scheduled:
            self.attended = [p["resident"]["id"] for p in people]
        else:
            self.attended = [p["resident"]["id"] for p in people if p.get("attended")]
        self.ids.people.options = [
            (p["resident"]["id"], person_label(p["resident"])) for p in people
        ]
        self.recorded = self.describe(session) if not scheduled else ""

    def describe(self, session: dict[str, Any]) -> str:
        lines = []
        came = [p for p in session.get("participants") or [] if p.get("attended") is not None]
        if came:
            lines.append(
                _("Came: {people}").format(
                    people=", ".join(person_label(p["resident"]) for p in came if p.get("attended"))
                    or "—"
                )
            )
        if session.get("notes"):
            lines.append(_("Notes: {text}").format(text=session["notes"]))
        if session.get("recordedAt"):
            lines.append(
                _("Recorded {when}").format(
                    when=format_datetime(parse_moment(session["recordedAt"]), form="short")
                )
            )
        return "\n".join(lines)

    def toggle(self, resident_id: str) -> None:
        """A participant tapped: present becomes absent and back."""
        if not resident_id:
            return
        if resident_id in self.attended:
            self.attended = [r for r in self.attended if r != resident_id]
        else:
            self.attended = [*self.attended, resident_id]

    def submit(self) -> None:
        self.run(self.record())

    async def record(self) -> None:
        entry = {
            "session": self.meeting["id"],
            "attended": list(self.attended),
            "notes": self.ids.notes.text.strip(),
        }
        codes = [
            (p.get("resident") or {}).get("code", "")
            for p in self.meeting.get("participants") or []
        ]
        outcome = await self.act(
            "counsellingSessionRecord",
            care.SESSION_RECORD,
            {"input": entry},
            summary=f"{', '.join(codes)}: {_('session recorded')}",
            done=_("Session recorded."),
        )
        if outcome.done and outcome.payload:
            self.show(outcome.payload.get("session") or self.meeting)
        elif outcome.queued:
            self.open_for_record = False
            self.recorded = _("Saved on this tablet. It will be sent when the server answers.")

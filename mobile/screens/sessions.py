"""A counsellor's (or legal adviser's) sessions, by start time: those still to record or
ahead, or those recorded. Tap one to record it.

app.show("sessions")
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.properties import ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_datetime
from mobile.i18n.catalogue import parse_moment
from mobile.screens.care_labels import (
    language_label,
    person_label,
    session_format_label,
    session_kind_label,
    session_status_label,
)
from mobile.screens.care_widgets import CareScreen, follow_language

SHOWN = ("SCHEDULED", "RECORDED")
#: Pages of 100 read at most (oldest first, so the latest recorded are on the last).
PAGES = 5


def shown_label(value: str | None) -> str:
    return {"SCHEDULED": _("To record and ahead"), "RECORDED": _("Recorded")}.get(
        value or "", value or ""
    )


def session_title(session: dict[str, Any]) -> str:
    people = [person_label(p.get("resident")) for p in session.get("participants") or []]
    return " · ".join(
        part
        for part in (
            format_datetime(parse_moment(session.get("startsAt")), form="short"),
            ", ".join(person for person in people if person),
        )
        if part
    )


def session_detail(session: dict[str, Any]) -> str:
    interpreter = session.get("interpreterLanguage")
    return " · ".join(
        part
        for part in (
            session_kind_label(session.get("kind")),
            session_format_label(session.get("format")),
            _("{minutes} min").format(minutes=session.get("durationMinutes")),
            language_label(interpreter) if interpreter else "",
            (session.get("shelter") or {}).get("name", ""),
            session_status_label(session.get("status")),
        )
        if part
    )


def started(session: dict[str, Any]) -> bool:
    """Its time came: it can be recorded."""
    starts = parse_moment(session.get("startsAt"))
    return starts is not None and starts <= dt.datetime.now(dt.UTC)


class SessionsScreen(CareScreen):
    showing = StringProperty("SCHEDULED")
    #: care.SESSIONS nodes, by start time.
    sessions = ListProperty()

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.showing.options = [(value, shown_label) for value in SHOWN]
        follow_language(self.on_sessions)

    async def refresh(self) -> None:
        await self.load()

    async def load(self) -> None:
        found: list[dict[str, Any]] = []
        after = None
        for _page in range(PAGES):
            data = await self.client.query(
                care.SESSIONS,
                {
                    "counsellor": self.viewer_id,
                    "status": self.showing,
                    "first": 100,
                    "after": after,
                },
            )
            page = data["counsellingSessions"]
            found += [edge["node"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        if self.showing == "RECORDED":
            found.reverse()  # the latest first
        self.sessions = found

    def on_showing(self, *_args: Any) -> None:
        if self.app and self.app.client is not None:
            self.run(self.load())

    def on_sessions(self, *_args: Any) -> None:
        if not self.ids:
            return
        self.ids.picker.rows = [
            {
                "value": session["id"],
                "title": session_title(session),
                "detail": session_detail(session),
                "warn": session["status"] == "SCHEDULED" and started(session),
            }
            for session in self.sessions
        ]
        self.ids.empty.text = "" if self.sessions else _("No sessions here.")

    def open(self, session_id: str) -> None:
        if session_id:
            self.ids.picker.value = ""
            self.app.show("session_record", session=session_id)

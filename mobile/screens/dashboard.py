"""The shelter today: beds by state, the rooms and beds as a grid, today's arrivals, departures,
appointments and low stock, and when all this was last loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.properties import DictProperty, ListProperty, ObjectProperty

from mobile.api import operations
from mobile.i18n import _, format_number, format_time, now, on_language, set_time_zone
from mobile.i18n.catalogue import parse_moment
from mobile.widgets.base import HavenScreen
from mobile.widgets.rows import InfoRow


class DashboardScreen(HavenScreen):
    occupancy = DictProperty()
    rooms = ListProperty()
    #: When the figures were last loaded from the server (None: never this session).
    loaded_at = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._data: dict[str, Any] = {}
        on_language(lambda _lang: self.show_lists())

    def last_updated(self, loaded_at: dt.datetime | None, _lang: str = "") -> str:
        """'Last updated 14:05' (kv passes app.language so it is rewritten on a switch)."""
        if loaded_at is None:
            return _("Not loaded yet")
        return _("Last updated {time}").format(time=format_time(loaded_at))

    def figure(self, occupancy: dict[str, Any], key: str, _lang: str = "") -> str:
        value = occupancy.get(key)
        return "–" if value is None else format_number(value)

    async def refresh(self) -> None:
        shelter = self.app.shelter_id
        if not shelter:
            return
        today = now().date()
        variables = {"id": shelter, "day": today.isoformat()}
        data = await self.client.query(operations.DASHBOARD, variables)
        self._data = data
        found = data.get("shelter") or {}
        if found.get("timeZone"):
            set_time_zone(found["timeZone"])
        self.occupancy = found.get("occupancy") or {}
        self.rooms = found.get("rooms") or []
        received = self.client.received_at(operations.DASHBOARD, variables)
        self.loaded_at = received.astimezone() if received else None
        self.show_lists()

    def arrivals(self) -> list[dict[str, Any]]:
        """The stays begun here today (the server's day, in the shelter's time zone)."""
        return list((self._data.get("shelter") or {}).get("arrivals") or [])

    def departures(self) -> list[dict[str, Any]]:
        """The stays ended here today."""
        return list((self._data.get("shelter") or {}).get("departures") or [])

    def show_lists(self) -> None:
        if not self._data:
            return
        self.fill(
            self.ids.arrivals,
            [
                InfoRow(
                    headline=person_line(stay.get("resident")),
                    detail=_("Room {room}, bed {bed}").format(
                        room=((stay.get("bed") or {}).get("room") or {}).get("name", ""),
                        bed=(stay.get("bed") or {}).get("label", ""),
                    ),
                    note=format_time(parse_moment(stay.get("checkedInAt"))),
                    on_release=self._open_resident(stay.get("resident")),
                )
                for stay in self.arrivals()
            ],
            _("Nobody has arrived today."),
        )
        self.fill(
            self.ids.departures,
            [
                InfoRow(
                    headline=person_line(stay.get("resident")),
                    detail=_(exit_name(stay.get("exitDestination"))),
                    note=format_time(parse_moment(stay.get("checkedOutAt"))),
                    on_release=self._open_resident(stay.get("resident")),
                )
                for stay in self.departures()
            ],
            _("Nobody has left today."),
        )
        appointments = (self._data.get("appointments") or {}).get("edges") or []
        self.fill(
            self.ids.appointments,
            [
                InfoRow(
                    headline=person_line(edge["node"].get("resident")),
                    detail=" · ".join(
                        part
                        for part in (
                            (edge["node"].get("provider") or {}).get("fullName"),
                            edge["node"].get("place"),
                        )
                        if part
                    ),
                    note=format_time(parse_moment(edge["node"].get("startsAt"))),
                    active=False,
                )
                for edge in appointments
            ],
            _("No appointments today."),
        )
        low = (self._data.get("lowStock") or {}).get("edges") or []
        self.fill(
            self.ids.low_stock,
            [
                InfoRow(
                    headline=(edge["node"].get("item") or {}).get("name", ""),
                    detail=_("{on_hand} on hand, threshold {threshold}").format(
                        on_hand=format_number(edge["node"].get("onHand") or 0),
                        threshold=format_number(edge["node"].get("threshold") or 0),
                    ),
                    active=False,
                )
                for edge in low
            ],
            _("Nothing is running low."),
        )

    def fill(self, box: Any, rows: list[InfoRow], empty: str) -> None:
        box.clear_widgets()
        if not rows:
            rows = [InfoRow(headline=empty, active=False)]
        for row in rows:
            box.add_widget(row)

    def _open_resident(self, resident: dict[str, Any] | None) -> Any:
        def open_(*_args: Any) -> None:
            if resident and resident.get("id"):
                self.app.show("resident", resident=resident["id"])

        return open_

    def bed_pressed(self, bed: dict[str, Any]) -> None:
        stay = bed.get("currentStay")
        if stay and stay.get("resident"):
            self.app.show("resident", resident=stay["resident"]["id"])
        elif bed.get("status") == "FREE":
            self.app.show("find_resident", purpose="check_in", bed=bed["id"])


def person_line(resident: dict[str, Any] | None) -> str:
    """A resident's code, with the name when the server gave it."""
    if not resident:
        return ""
    name = " ".join(
        part for part in (resident.get("givenName"), resident.get("familyName")) if part
    )
    code = str(resident.get("code") or "")
    return f"{code} · {name}" if name else code


def exit_name(value: str | None) -> str:
    from mobile.screens.check_out import EXIT_DESTINATIONS

    return dict(EXIT_DESTINATIONS).get(value or "", value or "")

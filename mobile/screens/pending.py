"""The offline queue: what waits to be sent, what the server refused on replay (its message,
with Redo or Discard), and what was sent. Nothing leaves the list silently."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivymd.uix.boxlayout import MDBoxLayout
from kivymd.uix.button import MDButtonText

from mobile.i18n import N_, _, format_datetime
from mobile.widgets.base import HavenScreen
from mobile.widgets.rows import InfoRow

#: What each queued operation is called on this list.
OPERATIONS = {
    "residentRegister": N_("Register a resident"),
    "checkIn": N_("Check in"),
    "checkOut": N_("Check out"),
    "transfer": N_("Move to another bed"),
    "stockDistribute": N_("Hand out"),
    "stockReceive": N_("Receive a delivery"),
    "stockCount": N_("Count stock"),
    "serviceLog": N_("Log a service"),
    "appointmentSchedule": N_("New appointment"),
    "visitRecord": N_("Record a visit"),
    "appointmentMarkNoShow": N_("Did not come"),
    "counsellingSessionSchedule": N_("New session"),
    "counsellingSessionRecord": N_("Record a session"),
}

#: How many sent actions the list keeps showing.
SENT_SHOWN = 10


def operation_name(operation: str) -> str:
    return _(OPERATIONS.get(operation, operation))


class PendingScreen(HavenScreen):
    def on_enter(self, *args: Any) -> None:
        self.app.bind(pending_count=self.show, refused_count=self.show)
        super().on_enter(*args)

    def on_leave(self, *args: Any) -> None:
        self.app.unbind(pending_count=self.show, refused_count=self.show)

    async def refresh(self) -> None:
        self.show()

    def send_now(self) -> None:
        self.app.drain_soon()

    def show(self, *_args: Any) -> None:
        outbox = self.app.outbox
        if outbox is None or outbox.account is None:
            return
        self.fill(
            self.ids.waiting,
            [self.row(item) for item in outbox.pending()],
            _("Nothing is waiting to be sent."),
        )
        refused = self.ids.refused
        refused.clear_widgets()
        for item in outbox.refused():
            refused.add_widget(self.refused_row(item))
        if not refused.children:
            refused.add_widget(InfoRow(headline=_("Nothing was refused."), active=False))
        done = [item for item in outbox.all() if item.state.value == "done"][-SENT_SHOWN:]
        self.fill(
            self.ids.sent,
            [self.row(item) for item in reversed(done)],
            _("Nothing sent yet."),
        )

    def fill(self, box: Any, rows: list[Any], empty: str) -> None:
        box.clear_widgets()
        for row in rows or [InfoRow(headline=empty, active=False)]:
            box.add_widget(row)

    def row(self, item: Any) -> InfoRow:
        return InfoRow(
            headline=operation_name(item.operation),
            detail=item.summary,
            note=format_datetime(item.created_at, form="short"),
            active=False,
        )

    def refused_row(self, item: Any) -> MDBoxLayout:
        box = MDBoxLayout(orientation="vertical", adaptive_height=True, spacing="6dp")
        messages = " ".join(error.message for error in item.errors)
        box.add_widget(
            InfoRow(
                headline=operation_name(item.operation) + " — " + item.summary,
                detail=_("The server said: {message}").format(message=messages),
                note=format_datetime(item.created_at, form="short"),
                active=False,
            )
        )
        buttons = MDBoxLayout(adaptive_height=True, spacing="8dp")
        if item.operation == "checkIn":
            other = Factory.FilledAction(MDButtonText(text=_("Choose another bed")))
            other.bind(on_release=lambda _b: self.other_bed(item))
            buttons.add_widget(other)
        redo = Factory.QuickAction(MDButtonText(text=_("Redo")))
        redo.bind(on_release=lambda _b: self.run(self.redo(item.id)))
        discard = Factory.OutlinedAction(MDButtonText(text=_("Discard")))
        discard.bind(on_release=lambda _b: self.discard(item.id))
        buttons.add_widget(redo)
        buttons.add_widget(discard)
        box.add_widget(buttons)
        return box

    async def redo(self, id: int) -> None:
        from mobile.api.actions import Queued, Sent

        result = await self.api.redo(id)
        if isinstance(result, Sent):
            self.say(_("Done."))
        elif isinstance(result, Queued):
            self.say(_("Saved on this tablet. It will be sent when the server answers."))
        else:
            self.say(" ".join(error.message for error in result.errors) or _("Refused."))
        self.show()

    def discard(self, id: int) -> None:
        self.api.discard(id)
        self.say(_("Discarded. It stays in the tablet's record."))
        self.show()

    def other_bed(self, item: Any) -> None:
        resident = (item.variables.get("input") or {}).get("resident")
        self.app.show("check_in", resident=resident, redo=item.id)

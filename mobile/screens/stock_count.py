"""Record a count of one item on the shelf: the books are adjusted by the difference.

app.show("stock_count")
app.show("stock_count", item=item_id)        # that item chosen (from the stock list)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_number
from mobile.screens.care_labels import item_label, unit_label
from mobile.screens.care_widgets import CareScreen, follow_language, whole_number
from mobile.screens.stock import level_row


class StockCountScreen(CareScreen):
    levels = ListProperty()
    item_id = StringProperty("")
    #: "On the books: 12 pcs" for the chosen item.
    books = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        follow_language(self.on_levels)

    async def refresh(self) -> None:
        self.heading = self.app.shelter_name
        self.ids.counted.text = ""
        self.ids.note.text = ""
        self.item_id = str(self.params.get("item") or "")
        await self.load()

    async def load(self) -> None:
        data = await self.client.query(care.STOCK, {"shelter": self.shelter_id, "first": 100})
        self.levels = [edge["node"] for edge in data["stock"]["edges"]]

    def on_levels(self, *_args: Any) -> None:
        if not self.ids:
            return
        self.ids.picker.rows = [level_row(level) for level in self.levels]
        self.ids.picker.value = self.item_id
        self.on_item_id()

    def chosen(self) -> dict[str, Any] | None:
        return next((lv for lv in self.levels if lv["item"]["id"] == self.item_id), None)

    def on_item_id(self, *_args: Any) -> None:
        level = self.chosen()
        self.books = (
            _("{item}: {count} {unit} on the books").format(
                item=item_label(level["item"]),
                count=format_number(level["onHand"]),
                unit=unit_label(level["item"]["unit"]),
            )
            if level
            else _("Choose the item you counted.")
        )

    def submit(self) -> None:
        level = self.chosen()
        counted = whole_number(self.ids.counted.text)
        if level is None:
            self.say(_("Choose the item you counted."))
            return
        if counted is None:
            self.say(_("Enter what is on the shelf, a whole number."))
            return
        self.run(self.record(level, counted))

    async def record(self, level: dict[str, Any], counted: int) -> None:
        item = level["item"]
        outcome = await self.act(
            "stockCount",
            care.STOCK_COUNT,
            {
                "input": {
                    "shelter": self.shelter_id,
                    "item": item["id"],
                    "counted": counted,
                    "note": self.ids.note.text.strip(),
                }
            },
            summary=f"= {counted} × {item_label(item)}",
            done=_("Count recorded: {count} {unit} of {item}.").format(
                count=format_number(counted), unit=unit_label(item["unit"]), item=item_label(item)
            ),
        )
        if outcome.kept:
            self.ids.counted.text = ""
            self.ids.note.text = ""
        if outcome.done:
            await self.load()

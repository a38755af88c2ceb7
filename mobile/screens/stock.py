"""The shelter's stock: what is low first, then everything on hand by category; from here a
delivery is received or a count recorded.

app.show("stock")
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_number
from mobile.screens.care_labels import category_label, item_label, unit_label
from mobile.screens.care_widgets import CareScreen, follow_language, labelled

CATEGORIES = ("FOOD", "CLOTHING", "HYGIENE", "MEDICAL_SUPPLY", "OTHER")


def all_label(_value: str | None) -> str:
    return _("Everything")


def level_row(level: dict[str, Any]) -> dict[str, Any]:
    item = level["item"]
    unit = unit_label(item["unit"])
    detail = _("On hand: {count} {unit}").format(count=format_number(level["onHand"]), unit=unit)
    if level.get("threshold") is not None:
        detail += " · " + _("low at {count}").format(count=format_number(level["threshold"]))
    return {
        "value": item["id"],
        "title": " · ".join(
            part for part in (item_label(item), category_label(item["category"])) if part
        ),
        "detail": detail,
        "warn": bool(level.get("low")),
    }


class StockScreen(CareScreen):
    category = StringProperty("")
    levels = ListProperty()
    low = ListProperty()

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.category.options = [("", all_label), *labelled(CATEGORIES, category_label)]
        follow_language(self.on_levels)

    async def refresh(self) -> None:
        self.heading = self.app.shelter_name
        low = await self.client.query(care.LOW_STOCK, {"shelter": self.shelter_id, "first": 100})
        self.low = [edge["node"] for edge in low["lowStock"]["edges"]]
        await self.load()

    async def load(self) -> None:
        variables: dict[str, Any] = {"shelter": self.shelter_id, "first": 100}
        if self.category:
            variables["category"] = self.category
        data = await self.client.query(care.STOCK, variables)
        self.levels = [edge["node"] for edge in data["stock"]["edges"]]

    def on_category(self, *_args: Any) -> None:
        if self.app and self.app.client is not None:
            self.run(self.load())

    def on_low(self, *_args: Any) -> None:
        self.on_levels()

    def on_levels(self, *_args: Any) -> None:
        if not self.ids:
            return
        self.ids.low_count.text = (
            _("Items running low: {count}").format(count=format_number(len(self.low)))
            if self.low
            else _("Nothing is low.")
        )
        low_ids = {level["item"]["id"] for level in self.low}
        ordered = [lv for lv in self.levels if lv["item"]["id"] in low_ids] + [
            lv for lv in self.levels if lv["item"]["id"] not in low_ids
        ]
        self.ids.picker.rows = [level_row(level) for level in ordered]
        self.ids.empty.text = "" if ordered else _("No stock of this kind.")

    def count(self, item_id: str) -> None:
        """A row tapped: count that item."""
        if item_id:
            self.ids.picker.value = ""
            self.app.show("stock_count", item=item_id)

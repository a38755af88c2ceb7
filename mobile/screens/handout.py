"""Hand out food, clothing or a hygiene kit to a resident from the shelter's stock.

app.show("handout", resident=resident_id)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_number
from mobile.screens.care_labels import category_label, item_label, person_label, unit_label
from mobile.screens.care_widgets import CareScreen, follow_language, labelled, whole_number

#: What the front desk hands out; "" shows every category.
CATEGORIES = ("FOOD", "CLOTHING", "HYGIENE", "MEDICAL_SUPPLY", "OTHER")


def all_label(_value: str | None) -> str:
    return _("Everything")


class HandoutScreen(CareScreen):
    person = DictProperty()
    category = StringProperty("")
    #: The shelter's stock levels (care.STOCK nodes) of the category shown.
    levels = ListProperty()
    item_id = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.category.options = [("", all_label), *labelled(CATEGORIES, category_label)]
        # The rows' text is made here, not in kv: remade on a switch, or it stays in English.
        follow_language(self.on_levels)

    async def refresh(self) -> None:
        self.item_id = ""
        self.ids.quantity.text = "1"
        self.ids.note.text = ""
        data = await self.client.query(care.CARE_RESIDENT, {"id": self.resident_id()})
        self.person = data.get("resident") or {}
        self.heading = person_label(self.person)
        await self.load_stock()

    async def load_stock(self) -> None:
        variables = {"shelter": self.shelter_of(self.person), "first": 100}
        if self.category:
            variables["category"] = self.category
        data = await self.client.query(care.STOCK, variables)
        self.levels = [edge["node"] for edge in data["stock"]["edges"]]

    def on_category(self, *_args: Any) -> None:
        if self.app and self.app.client is not None and self.person:
            self.run(self.load_stock())

    def on_levels(self, *_args: Any) -> None:
        in_stock = [level for level in self.levels if level["onHand"] > 0]
        self.ids.picker.rows = [
            {
                "value": level["item"]["id"],
                "title": item_label(level["item"]),
                "detail": _("On hand: {count} {unit}").format(
                    count=format_number(level["onHand"]), unit=unit_label(level["item"]["unit"])
                ),
                "warn": level["low"],
            }
            for level in in_stock
        ]
        self.ids.empty.text = "" if in_stock else _("Nothing of this kind is in stock.")

    def chosen(self) -> dict[str, Any] | None:
        for level in self.levels:
            if level["item"]["id"] == self.item_id:
                return level
        return None

    def step(self, by: int) -> None:
        quantity = (whole_number(self.ids.quantity.text) or 0) + by
        self.ids.quantity.text = str(max(1, quantity))

    def submit(self) -> None:
        level = self.chosen()
        quantity = whole_number(self.ids.quantity.text)
        if level is None:
            self.say(_("Choose what to hand out."))
            return
        if not quantity:
            self.say(_("Enter how many, a whole number of at least 1."))
            return
        self.run(self.hand_out(level, quantity))

    async def hand_out(self, level: dict[str, Any], quantity: int) -> None:
        item = level["item"]
        variables = {
            "input": {
                "shelter": self.shelter_of(self.person),
                "item": item["id"],
                "resident": self.person.get("id") or self.resident_id(),
                "quantity": quantity,
                "note": self.ids.note.text.strip(),
            }
        }
        summary = f"{self.person.get('code', '')} ← {quantity} × {item_label(item)}"
        outcome = await self.act(
            "stockDistribute",
            care.STOCK_DISTRIBUTE,
            variables,
            summary=summary,
            done=_("Handed out: {quantity} {unit} of {item}.").format(
                quantity=format_number(quantity),
                unit=unit_label(item["unit"]),
                item=item_label(item),
            ),
        )
        if outcome.kept:
            self.ids.quantity.text = "1"
            self.ids.note.text = ""
        if outcome.done:
            await self.load_stock()

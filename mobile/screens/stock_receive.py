"""Receive a delivery into the shelter's stock: which item (from the catalogue), how many, from
whom, and for perishable food its expiry date.

app.show("stock_receive")
app.show("stock_receive", item=item_id)       # that item chosen
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, StringProperty

from mobile.api import care
from mobile.i18n import _, format_number
from mobile.screens.care_labels import category_label, item_label, unit_label
from mobile.screens.care_widgets import (
    CareScreen,
    follow_language,
    labelled,
    parse_day,
    whole_number,
)

CATEGORIES = ("FOOD", "CLOTHING", "HYGIENE", "MEDICAL_SUPPLY", "OTHER")


class StockReceiveScreen(CareScreen):
    category = StringProperty("FOOD")
    #: The catalogue's items of the category (care.ITEMS nodes).
    catalogue = ListProperty()
    item_id = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.category.options = labelled(CATEGORIES, category_label)
        follow_language(self.on_catalogue)

    async def refresh(self) -> None:
        self.heading = self.app.shelter_name
        for field in ("quantity", "donor", "expires", "note", "search"):
            self.ids[field].text = ""
        self.item_id = str(self.params.get("item") or "")
        await self.load()

    async def load(self) -> None:
        variables: dict[str, Any] = {"first": 100, "category": self.category}
        search = self.ids.search.text.strip()
        if search:
            variables = {"first": 100, "search": search}
        data = await self.client.query(care.ITEMS, variables)
        self.catalogue = [edge["node"] for edge in data["items"]["edges"]]

    def on_category(self, *_args: Any) -> None:
        if self.app and self.app.client is not None:
            self.ids.search.text = ""
            self.run(self.load())

    def find(self) -> None:
        self.run(self.load())

    def on_catalogue(self, *_args: Any) -> None:
        if not self.ids:
            return
        self.ids.picker.rows = [
            {
                "value": item["id"],
                "title": item_label(item),
                "detail": " · ".join(
                    part
                    for part in (
                        category_label(item["category"]),
                        unit_label(item["unit"]),
                        _("perishable") if item["perishable"] else "",
                    )
                    if part
                ),
            }
            for item in self.catalogue
        ]
        self.ids.picker.value = self.item_id
        self.ids.empty.text = "" if self.catalogue else _("No such item in the catalogue.")

    def chosen(self) -> dict[str, Any] | None:
        return next((item for item in self.catalogue if item["id"] == self.item_id), None)

    def perishable(self) -> bool:
        item = self.chosen()
        return bool(item and item["perishable"])

    def submit(self) -> None:
        item = self.chosen()
        quantity = whole_number(self.ids.quantity.text)
        donor = self.ids.donor.text.strip()
        expires_text = self.ids.expires.text.strip()
        expires = parse_day(expires_text) if expires_text else None
        if item is None:
            self.say(_("Choose the item delivered."))
            return
        if not quantity:
            self.say(_("Enter how many, a whole number of at least 1."))
            return
        if not donor:
            self.say(_("Say who gave it."))
            return
        if item["perishable"] and expires is None:
            self.say(_("Enter the expiry date as YYYY-MM-DD."))
            return
        entry: dict[str, Any] = {
            "shelter": self.shelter_id,
            "item": item["id"],
            "quantity": quantity,
            "donor": donor,
            "note": self.ids.note.text.strip(),
        }
        if item["perishable"] and expires is not None:
            entry["expiresOn"] = expires.isoformat()
        self.run(self.receive(item, entry))

    async def receive(self, item: dict[str, Any], entry: dict[str, Any]) -> None:
        quantity = entry["quantity"]
        outcome = await self.act(
            "stockReceive",
            care.STOCK_RECEIVE,
            {"input": entry},
            summary=f"+{quantity} × {item_label(item)}",
            done=_("Received: {quantity} {unit} of {item}.").format(
                quantity=format_number(quantity),
                unit=unit_label(item["unit"]),
                item=item_label(item),
            ),
        )
        if outcome.kept:
            for field in ("quantity", "expires", "note"):
                self.ids[field].text = ""

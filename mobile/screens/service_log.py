"""Log a service a resident received: its kind, status, who gave it and what came of it.

app.show("service_log", resident=resident_id)
"""

from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty, StringProperty

from mobile.api import care
from mobile.i18n import _
from mobile.screens.care_labels import (
    document_type_label,
    person_label,
    service_kind_label,
    service_status_label,
)
from mobile.screens.care_widgets import CareScreen, labelled

KINDS = (
    "HYGIENE_KIT",
    "INTERPRETATION",
    "TRANSPORT",
    "FAMILY_TRACING",
    "RETURN_HOME",
    "VOCATIONAL_TRAINING",
    "LEGAL_AID",
    "DOCUMENT_RESTORATION",
    "COURT_REPRESENTATION",
    "POLICE_STATEMENT",
)
STATUSES = ("PLANNED", "IN_PROGRESS", "COMPLETED")
DOCUMENTS = ("PASSPORT", "ID_CARD", "BIRTH_CERTIFICATE", "MIGRATION_CARD", "WORK_PERMIT", "OTHER")


class ServiceLogScreen(CareScreen):
    person = DictProperty()
    kind = StringProperty("")
    service_status = StringProperty("PLANNED")
    document_type = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.kind.options = labelled(KINDS, service_kind_label)
        self.ids.state.options = labelled(STATUSES, service_status_label)
        self.ids.document.options = labelled(DOCUMENTS, document_type_label)

    async def refresh(self) -> None:
        self.kind = ""
        self.service_status = "PLANNED"
        self.document_type = ""
        self.ids.provider.text = ""
        self.ids.outcome.text = ""
        data = await self.client.query(care.CARE_RESIDENT, {"id": self.resident_id()})
        self.person = data.get("resident") or {}
        self.heading = person_label(self.person)

    def submit(self) -> None:
        if not self.kind:
            self.say(_("Choose the kind of service."))
            return
        if self.kind == "DOCUMENT_RESTORATION" and not self.document_type:
            self.say(_("Choose which document is being restored."))
            return
        self.run(self.log())

    async def log(self) -> None:
        entry: dict[str, Any] = {
            "resident": self.person.get("id") or self.resident_id(),
            "kind": self.kind,
            "shelter": self.shelter_of(self.person),
            "status": self.service_status,
            "provider": self.ids.provider.text.strip(),
            "outcome": self.ids.outcome.text.strip(),
        }
        if self.kind == "DOCUMENT_RESTORATION":
            entry["documentType"] = self.document_type
        summary = f"{self.person.get('code', '')}: {service_kind_label(self.kind)}"
        outcome = await self.act(
            "serviceLog",
            care.SERVICE_LOG,
            {"input": entry},
            summary=summary,
            done=_("Logged: {service}.").format(service=service_kind_label(self.kind)),
        )
        if outcome.kept:
            self.kind = ""
            self.ids.provider.text = ""
            self.ids.outcome.text = ""

"""Registering someone new: who they are, how they came, their documents, and their consent.

The data-processing consent is required (the server refuses without it); sharing with the police,
a consulate or a partner NGO is asked separately. After registering, check-in follows.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from mobile.api import operations
from mobile.i18n import N_, _
from mobile.widgets.base import HavenScreen

SEXES = [
    ("FEMALE", N_("Female")),
    ("MALE", N_("Male")),
    ("OTHER", N_("Other")),
    ("UNDISCLOSED", N_("Not said")),
]

#: The countries most people come from (ISO 3166 codes, as the server keeps them).
NATIONALITIES = [
    ("UZ", N_("Uzbekistan")),
    ("KZ", N_("Kazakhstan")),
    ("KG", N_("Kyrgyzstan")),
    ("TJ", N_("Tajikistan")),
    ("RU", N_("Russia")),
    ("OTHER", N_("Other country")),
]

REFERRAL_SOURCES = [
    ("HOTLINE", N_("Hotline")),
    ("POLICE", N_("Police")),
    ("NGO", N_("Another NGO")),
    ("EMBASSY", N_("Embassy")),
    ("SELF", N_("Came by themselves")),
    ("OTHER", N_("Other")),
]

DOCUMENT_STATUSES = [
    ("HOLDS", N_("Has their documents")),
    ("LOST", N_("Lost")),
    ("CONFISCATED", N_("Taken from them")),
    ("RESTORATION_IN_PROGRESS", N_("Being restored")),
    ("RESTORED", N_("Restored")),
]


class RegisterScreen(HavenScreen):
    #: A bed chosen on the dashboard, carried on to check-in.
    bed = StringProperty("")
    #: The person agreed to their data being processed (required).
    consent = BooleanProperty(False)

    def set_params(self, **params: Any) -> None:
        self.bed = ""
        super().set_params(**params)

    async def refresh(self) -> None:
        """A new form each time."""
        for field in ("given_name", "family_name", "other_country"):
            self.ids[field].text = ""
        for group in ("sex", "nationality", "referral", "documents"):
            self.ids[group].value = ""
        for switch in ("share_police", "share_consulate", "share_ngo", "do_not_disclose"):
            self.ids[switch].active = False
        self.ids.consent.active = False
        self.consent = False

    def nationality(self) -> str:
        chosen = self.ids.nationality.value
        if chosen == "OTHER":
            return self.ids.other_country.text.strip().upper()
        return chosen

    def problems(self) -> list[str]:
        missing = []
        if not self.ids.given_name.text.strip():
            missing.append(_("Enter the given name."))
        if not self.ids.sex.value:
            missing.append(_("Choose the sex."))
        if len(self.nationality()) != 2:
            missing.append(_("Choose the nationality (a two-letter country code for others)."))
        if not self.ids.referral.value:
            missing.append(_("Choose who referred the person."))
        if not self.ids.documents.value:
            missing.append(_("Choose where their documents are."))
        if not self.consent:
            missing.append(_("The person must agree to their data being processed."))
        return missing

    def submit(self) -> None:
        problems = self.problems()
        if problems:
            self.say(" ".join(problems))
            return
        self.run(self.register())

    async def register(self) -> None:
        ids = self.ids
        registration: dict[str, Any] = {
            "givenName": ids.given_name.text.strip(),
            "familyName": ids.family_name.text.strip(),
            "sex": ids.sex.value,
            "nationality": self.nationality(),
            "referralSource": ids.referral.value,
            "documentStatus": ids.documents.value,
            "consents": {
                "dataProcessing": True,
                "sharePolice": ids.share_police.active,
                "shareConsulate": ids.share_consulate.active,
                "sharePartnerNgo": ids.share_ngo.active,
            },
            "doNotDisclosePresence": ids.do_not_disclose.active,
        }
        if self.app.shelter_id:
            registration["shelter"] = self.app.shelter_id
        outcome = await self.act(
            "residentRegister",
            operations.RESIDENT_REGISTER,
            {"input": registration},
            summary=_("New resident ({nationality})").format(nationality=self.nationality()),
            done=_("Registered."),
        )
        if outcome.done and outcome.payload:
            resident = outcome.payload.get("resident") or {}
            params = {"resident": resident.get("id", "")}
            if self.bed:
                params["bed"] = self.bed
            self.app.show("check_in", **params)
        elif outcome.queued:
            self.app.show("pending")

"""Inputs for registering a resident."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from server.domain.residents import Consents, Registration
from server.schema.residents.types import DocumentStatus, ExploitationType, ReferralSource, Sex


@strawberry.input
class ConsentsInput:
    data_processing: bool = strawberry.field(description="Required: no record without it.")
    share_police: bool = False
    share_consulate: bool = False
    share_partner_ngo: bool = False


@strawberry.input
class DietaryNeedsInput:
    halal: bool = False
    vegetarian: bool = False
    infant_food: bool = False
    allergies: str = strawberry.field(default="", description="In your words; empty: none known.")


@strawberry.input
class ResidentRegisterInput:
    given_name: str
    sex: Sex  # type: ignore[valid-type]
    nationality: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. UZ.")
    referral_source: ReferralSource  # type: ignore[valid-type]
    document_status: DocumentStatus  # type: ignore[valid-type]
    consents: ConsentsInput
    shelter: strawberry.ID | None = strawberry.field(
        default=None,
        description="Where the person arrived; needed if you work in several shelters.",
    )
    family_name: str = ""
    birth_date: date | None = None
    languages: list[str] = strawberry.field(default_factory=list, description="ISO 639 codes.")
    preferred_language: str = ""
    phone: str = ""
    trusted_contact: str = ""
    exploitation_types: list[ExploitationType] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    do_not_disclose_presence: bool = False
    known_threats: str = ""
    dietary_needs: DietaryNeedsInput | None = None

    def to_registration(self) -> Registration:
        return Registration(
            given_name=self.given_name,
            family_name=self.family_name,
            birth_date=self.birth_date,
            sex=self.sex,
            nationality=self.nationality,
            languages=tuple(self.languages),
            preferred_language=self.preferred_language,
            phone=self.phone,
            trusted_contact=self.trusted_contact,
            exploitation_types=tuple(self.exploitation_types),
            referral_source=self.referral_source,
            document_status=self.document_status,
            consents=Consents(
                data_processing=self.consents.data_processing,
                share_police=self.consents.share_police,
                share_consulate=self.consents.share_consulate,
                share_partner_ngo=self.consents.share_partner_ngo,
            ),
            do_not_disclose_presence=self.do_not_disclose_presence,
            known_threats=self.known_threats,
            **self._dietary_needs(),
        )

    def _dietary_needs(self) -> dict[str, Any]:
        needs = self.dietary_needs or DietaryNeedsInput()
        return {
            "diet_halal": needs.halal,
            "diet_vegetarian": needs.vegetarian,
            "diet_infant_food": needs.infant_food,
            "allergies": needs.allergies,
        }

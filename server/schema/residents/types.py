"""GraphQL types for residents: code, identity, case data, consents, safety, stays."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.residents import AgeBand, age_band
from server.schema.context import Info
from server.schema.relay import LoadedNode

if TYPE_CHECKING:
    from server.schema.stays.types import Stay

Sex = strawberry.enum(models.Sex)
ExploitationType = strawberry.enum(models.ExploitationType)
ReferralSource = strawberry.enum(models.ReferralSource)
DocumentStatus = strawberry.enum(models.DocumentStatus)
AgeBandType = strawberry.enum(AgeBand, name="AgeBand")


@strawberry.type
class Consents:
    data_processing: bool
    share_police: bool
    share_consulate: bool
    share_partner_ngo: bool
    recorded_at: datetime


@strawberry.type
class SafetyFlags:
    do_not_disclose_presence: bool
    known_threats: str


@strawberry.type(description="A person in care. Most screens and every report show only the code.")
class Resident(LoadedNode, relay.Node):
    loader = "resident_by_id"
    row: strawberry.Private[models.Resident]
    id: relay.NodeID[int]
    code: str
    given_name: str
    family_name: str
    birth_date: date | None
    sex: Sex  # type: ignore[valid-type]
    nationality: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    languages: list[str]
    preferred_language: str
    phone: str
    trusted_contact: str
    exploitation_types: list[ExploitationType]  # type: ignore[valid-type]
    referral_source: ReferralSource  # type: ignore[valid-type]
    document_status: DocumentStatus  # type: ignore[valid-type]
    registered_at: datetime

    @classmethod
    def from_model(cls, row: models.Resident) -> Resident:
        return cls(
            row=row,
            id=row.id,
            code=row.code,
            given_name=row.given_name,
            family_name=row.family_name,
            birth_date=row.birth_date,
            sex=row.sex,
            nationality=row.nationality,
            languages=list(row.languages),
            preferred_language=row.preferred_language,
            phone=row.phone,
            trusted_contact=row.trusted_contact,
            exploitation_types=[models.ExploitationType(kind) for kind in row.exploitation_types],
            referral_source=row.referral_source,
            document_status=row.document_status,
            registered_at=row.created_at,
        )

    @strawberry.field
    def age_band(self) -> AgeBandType:  # type: ignore[valid-type]
        return age_band(self.row.birth_date)

    @strawberry.field
    def consents(self) -> Consents:
        row = self.row
        return Consents(
            data_processing=row.consent_data_processing,
            share_police=row.consent_share_police,
            share_consulate=row.consent_share_consulate,
            share_partner_ngo=row.consent_share_partner_ngo,
            recorded_at=row.consent_recorded_at,
        )

    @strawberry.field
    def safety(self) -> SafetyFlags:
        return SafetyFlags(
            do_not_disclose_presence=self.row.do_not_disclose_presence,
            known_threats=self.row.known_threats,
        )

    @strawberry.field(description="The stay now, if the resident is in a shelter.")
    async def current_stay(
        self, info: Info
    ) -> Annotated[Stay, strawberry.lazy("server.schema.stays.types")] | None:
        from server.schema.stays.types import Stay

        row = await info.context.loaders.active_stay_by_resident.load(self.row.id)
        return Stay.from_model(row) if row else None

    @strawberry.field(description="Every stay, oldest first, each with its bed history.")
    async def stays(
        self, info: Info
    ) -> list[Annotated[Stay, strawberry.lazy("server.schema.stays.types")]]:
        from server.schema.stays.types import Stay

        rows = await info.context.loaders.stays_by_resident.load(self.row.id)
        return [Stay.from_model(row) for row in rows]

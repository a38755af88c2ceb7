"""GraphQL types for residents: code, identity, case data, consents, safety, stays."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.access import may_read_identity, may_read_recipient
from server.domain.residents import AgeBand, age_band
from server.schema.context import Info
from server.schema.notes.types import CaseNote
from server.schema.permissions import forbidden_field
from server.schema.relay import Connection, LoadedNode
from server.schema.stock.types import StockMovement, distributions_of

if TYPE_CHECKING:
    from server.schema.counselling.types import CounsellingSession
    from server.schema.medical.types import MedicalAppointment
    from server.schema.referrals.types import Referral
    from server.schema.services.types import ServiceRecord
    from server.schema.stays.types import Stay
    from server.schema.timeline.types import TimelineConnection, TimelineKind

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
class DietaryNeeds:
    halal: bool
    vegetarian: bool
    infant_food: bool
    allergies: str = strawberry.field(description="In staff's words; empty: none known.")


@strawberry.type
class SafetyFlags:
    do_not_disclose_presence: bool
    known_threats: str


@strawberry.type(
    description="A person in care. Code, sex, age band and nationality are for every role that "
    "sees the person; identity, case data, consents and safety flags only for the staff of their "
    "shelters: for anyone else those fields are null, with a FORBIDDEN error beside them."
)
class Resident(LoadedNode, relay.Node):
    loader = "resident_by_id"
    row: strawberry.Private[models.Resident]
    id: relay.NodeID[int]
    code: str
    sex: Sex  # type: ignore[valid-type]
    nationality: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    registered_at: datetime

    @classmethod
    def from_model(cls, row: models.Resident) -> Resident:
        return cls(
            row=row,
            id=row.id,
            code=row.code,
            sex=row.sex,
            nationality=row.nationality,
            registered_at=row.created_at,
        )

    def _identity(self, info: Info, name: str) -> models.Resident:
        """The row, if the viewer may read identity fields: each such read is audited."""
        if not may_read_identity(info.context.viewer):
            raise forbidden_field(name)
        info.context.reads.add("read_identity", "Resident", self.row.id, resident_id=self.row.id)
        return self.row

    @strawberry.field
    def age_band(self) -> AgeBandType:  # type: ignore[valid-type]
        return age_band(self.row.birth_date)

    @strawberry.field
    def given_name(self, info: Info) -> str | None:
        return self._identity(info, "givenName").given_name

    @strawberry.field
    def family_name(self, info: Info) -> str | None:
        return self._identity(info, "familyName").family_name

    @strawberry.field
    def birth_date(self, info: Info) -> date | None:
        return self._identity(info, "birthDate").birth_date

    @strawberry.field(description="ISO 639 codes.")
    def languages(self, info: Info) -> list[str] | None:
        return list(self._identity(info, "languages").languages)

    @strawberry.field
    def preferred_language(self, info: Info) -> str | None:
        return self._identity(info, "preferredLanguage").preferred_language

    @strawberry.field
    def phone(self, info: Info) -> str | None:
        return self._identity(info, "phone").phone

    @strawberry.field
    def trusted_contact(self, info: Info) -> str | None:
        return self._identity(info, "trustedContact").trusted_contact

    @strawberry.field
    def exploitation_types(self, info: Info) -> list[ExploitationType] | None:  # type: ignore[valid-type]
        row = self._identity(info, "exploitationTypes")
        return [models.ExploitationType(kind) for kind in row.exploitation_types]

    @strawberry.field
    def referral_source(self, info: Info) -> ReferralSource | None:  # type: ignore[valid-type]
        return self._identity(info, "referralSource").referral_source

    @strawberry.field
    def document_status(self, info: Info) -> DocumentStatus | None:  # type: ignore[valid-type]
        return self._identity(info, "documentStatus").document_status

    @strawberry.field
    def consents(self, info: Info) -> Consents | None:
        row = self._identity(info, "consents")
        return Consents(
            data_processing=row.consent_data_processing,
            share_police=row.consent_share_police,
            share_consulate=row.consent_share_consulate,
            share_partner_ngo=row.consent_share_partner_ngo,
            recorded_at=row.consent_recorded_at,
        )

    @strawberry.field
    def safety(self, info: Info) -> SafetyFlags | None:
        row = self._identity(info, "safety")
        return SafetyFlags(
            do_not_disclose_presence=row.do_not_disclose_presence,
            known_threats=row.known_threats,
        )

    @strawberry.field
    def dietary_needs(self, info: Info) -> DietaryNeeds | None:
        row = self._identity(info, "dietaryNeeds")
        return DietaryNeeds(
            halal=row.diet_halal,
            vegetarian=row.diet_vegetarian,
            infant_food=row.diet_infant_food,
            allergies=row.allergies,
        )

    @strawberry.field(description="The stay now, if the resident is in a shelter you may see.")
    async def current_stay(
        self, info: Info
    ) -> Annotated[Stay, strawberry.lazy("server.schema.stays.types")] | None:
        from server.schema.stays.types import Stay

        row = await info.context.loaders.active_stay_by_resident.load(self.row.id)
        return Stay.from_model(row) if row else None

    @strawberry.field(
        description="Every stay you may see, oldest first, each with its bed history."
    )
    async def stays(
        self, info: Info
    ) -> list[Annotated[Stay, strawberry.lazy("server.schema.stays.types")]]:
        from server.schema.stays.types import Stay

        rows = await info.context.loaders.stays_by_resident.load(self.row.id)
        return [Stay.from_model(row) for row in rows]

    @strawberry.field(
        description="The private notes you may read: medical for medical volunteers, legal for "
        "legal advisers, counselling only your own. Each read is audited."
    )
    async def notes(self, info: Info) -> list[CaseNote]:
        rows = await info.context.loaders.notes_by_resident.load(self.row.id)
        for row in rows:
            info.context.reads.add("read_note", "CaseNote", row.id, resident_id=self.row.id)
        return [CaseNote.from_model(row) for row in rows]

    @strawberry.field(
        description="The services you may read, in the order logged: legal kinds for shelter "
        "staff and legal advisers, the others for every shelter role; none for network roles."
    )
    async def services(
        self, info: Info
    ) -> list[Annotated[ServiceRecord, strawberry.lazy("server.schema.services.types")]]:
        from server.schema.services.types import ServiceRecord

        rows = await info.context.loaders.services_by_resident.load(self.row.id)
        return [ServiceRecord.from_model(row) for row in rows]

    @strawberry.field(
        description="Stays (check-in, transfer, check-out), services (logged, status changes, "
        "stages, court hearings), medical appointments, counselling sessions and hand-outs, "
        "newest first, of what you may read."
    )
    async def timeline(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[Annotated[TimelineKind, strawberry.lazy("server.schema.timeline.types")]]  # type: ignore[valid-type]
        | None = None,
    ) -> Annotated[TimelineConnection, strawberry.lazy("server.schema.timeline.types")]:
        from server.schema.timeline.types import resident_timeline

        return await resident_timeline(info, self.row.id, first=first, after=after, kinds=kinds)

    @strawberry.field(
        description="Referrals to and from partners: for the staff of the person's shelters."
    )
    async def referrals(
        self, info: Info
    ) -> list[Annotated[Referral, strawberry.lazy("server.schema.referrals.types")]]:
        from server.schema.referrals.types import Referral

        rows = await info.context.loaders.referrals_by_resident.load(self.row.id)
        return [Referral.from_model(row) for row in rows]

    # --- Care: medical appointments and counselling sessions ---------------------------------

    @strawberry.field(
        description="Medical appointments, by start time: for the shelter roles of the "
        "resident's shelters (administrators and coordinators see none)."
    )
    async def appointments(
        self, info: Info
    ) -> list[Annotated[MedicalAppointment, strawberry.lazy("server.schema.medical.types")]]:
        from server.schema.medical.types import MedicalAppointment

        rows = await info.context.loaders.appointments_by_resident.load(self.row.id)
        return [MedicalAppointment.from_model(row) for row in rows]

    @strawberry.field(
        description="Counselling sessions the resident is in, by start time: for the shelter "
        "roles of the resident's shelters (administrators and coordinators see none)."
    )
    async def counselling_sessions(
        self, info: Info
    ) -> list[Annotated[CounsellingSession, strawberry.lazy("server.schema.counselling.types")]]:
        from server.schema.counselling.types import CounsellingSession

        rows = await info.context.loaders.sessions_by_resident.load(self.row.id)
        return [CounsellingSession.from_model(row) for row in rows]

    # stock (issue 4)
    @strawberry.field(
        description="What the resident was given in the shelters you see, oldest first. For "
        "shelter roles only: for network roles null, with a FORBIDDEN error beside it."
    )
    async def distributions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[StockMovement] | None:
        if not may_read_recipient(info.context.viewer):
            raise forbidden_field("distributions")
        return await distributions_of(info, self.row.id, first=first, after=after)

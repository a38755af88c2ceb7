"""GraphQL types of a report: typed tables whose rows name their period and area, with every
count that could point to a person hidden (null, ``suppressed: true``)."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from server import models
from server.domain import reports
from server.domain.reports.figures import TRANSFER
from server.domain.reports.tables import (
    ENDED,
    EXITED,
    EXPLOITATION,
    NATIONALITY,
    NETWORK,
    REFERRAL,
    REGION,
    SHELTER,
    TOTAL,
)
from server.schema.context import Info
from server.schema.shelters.types import Region, Shelter

ReportPeriod = strawberry.enum(reports.Period, name="ReportPeriod")


@strawberry.enum(description="Which part of the network a row counts.")
class AreaLevel(Enum):
    NETWORK = NETWORK
    REGION = REGION
    SHELTER = SHELTER


@strawberry.enum(description="How admissions are broken down; TOTAL has category ''.")
class AdmissionBreakdown(Enum):
    TOTAL = TOTAL
    NATIONALITY = NATIONALITY
    EXPLOITATION = EXPLOITATION
    REFERRAL = REFERRAL


@strawberry.enum(description="How services are broken down; TOTAL has category ''.")
class ServiceBreakdown(Enum):
    TOTAL = TOTAL
    KIND = "kind"
    PILLAR = "pillar"


#: Stays ended: the totals, then every exit destination there is (derived, so a destination
#: added to the model is a value here too, not a server error in ``report``).
StayOutcome = strawberry.enum(
    Enum(
        "StayOutcome",
        {
            "STAYS_ENDED": ENDED,
            "TRANSFERRED": TRANSFER,
            "EXITED": EXITED,
            **{destination.name: destination.value for destination in models.ExitDestination},
        },
    ),  # type: ignore[call-overload]
    description="Stays ended: all of them; those that went on in another stay begun the same "
    "day or the next (TRANSFERRED); the rest (EXITED) by exit destination.",
)


@strawberry.type(description="A period of the report, or (whole: true) the whole report.")
class ReportSpan:
    start: date
    end: date
    whole: bool

    @classmethod
    def of(cls, span: reports.Span) -> ReportSpan:
        return cls(start=span.start, end=span.end, whole=span.whole)


@strawberry.type(description="The network, a region or a shelter.")
class ReportArea:
    area: strawberry.Private[reports.Area]
    level: AreaLevel
    name: str

    @classmethod
    def of(cls, area: reports.Area) -> ReportArea:
        return cls(area=area, level=AreaLevel(area.level), name=area.name)

    @strawberry.field
    async def region(self, info: Info) -> Region | None:
        region_id = self.area.id if self.area.level == REGION else self.area.region_id
        row = await info.context.loaders.region_by_id.load(region_id) if region_id else None
        return Region.from_model(row) if row else None

    @strawberry.field
    async def shelter(self, info: Info) -> Shelter | None:
        if self.area.level != SHELTER:
            return None
        row = await info.context.loaders.shelter_by_id.load(self.area.id)
        return Shelter.from_model(row) if row else None


@strawberry.type(description="Bed-nights: beds occupied at 23:59:59.999999 local time.")
class BedNightRow:
    span: ReportSpan
    area: ReportArea
    bed_nights: int | None = strawberry.field(
        description="Occupied bed-nights; null where 1 to 4 people slept (or to protect such a "
        "figure)."
    )
    capacity: int = strawberry.field(description="In-service bed-nights.")
    utilisation: float | None = strawberry.field(description="bedNights / capacity, in percent.")
    suppressed: bool

    @classmethod
    def of(cls, row: reports.OccupancyRow) -> BedNightRow:
        return cls(
            span=ReportSpan.of(row.span),
            area=ReportArea.of(row.area),
            bed_nights=row.bed_nights,
            capacity=row.capacity,
            utilisation=row.utilisation,
            suppressed=row.suppressed,
        )


@strawberry.type(description="Admissions: stays begun with no stay of the person the day before.")
class AdmissionRow:
    span: ReportSpan
    area: ReportArea
    breakdown: AdmissionBreakdown
    category: str = strawberry.field(
        description="Nationality (ISO 3166 code), exploitation type or referral source (enum "
        "name); a person with several exploitation types counts under each."
    )
    count: int | None = strawberry.field(description="Null where hidden.")
    suppressed: bool

    @classmethod
    def of(cls, row: reports.CountRow) -> AdmissionRow:
        category = row.category if row.breakdown == NATIONALITY else row.category.upper()
        return cls(
            span=ReportSpan.of(row.span),
            area=ReportArea.of(row.area),
            breakdown=AdmissionBreakdown(row.breakdown),
            category=category,
            count=row.count,
            suppressed=row.suppressed,
        )


@strawberry.type(description="Stays ended in the period, by what followed.")
class ExitRow:
    span: ReportSpan
    area: ReportArea
    outcome: StayOutcome  # type: ignore[valid-type]
    count: int | None = strawberry.field(description="Null where hidden.")
    suppressed: bool

    @classmethod
    def of(cls, row: reports.CountRow) -> ExitRow:
        return cls(
            span=ReportSpan.of(row.span),
            area=ReportArea.of(row.area),
            outcome=StayOutcome(row.category),
            count=row.count,
            suppressed=row.suppressed,
        )


@strawberry.type(description="Nights slept in the shelter by the stays ended in the period.")
class LengthOfStayRow:
    span: ReportSpan
    area: ReportArea
    stays: int | None = strawberry.field(description="Null where hidden.")
    mean_nights: float | None = strawberry.field(description="Null with fewer than 5 stays.")
    median_nights: float | None = strawberry.field(description="Null with fewer than 5 stays.")
    suppressed: bool

    @classmethod
    def of(cls, row: reports.StayLengthRow) -> LengthOfStayRow:
        return cls(
            span=ReportSpan.of(row.span),
            area=ReportArea.of(row.area),
            stays=row.stays,
            mean_nights=row.mean_nights,
            median_nights=row.median_nights,
            suppressed=row.suppressed,
        )


@strawberry.type(
    description="Services completed in the period, on their completion date. Documents restored "
    "are the kind DOCUMENT_RESTORATION, returns home completed the kind RETURN_HOME."
)
class ServiceRow:
    span: ReportSpan
    area: ReportArea
    breakdown: ServiceBreakdown
    category: str = strawberry.field(description="ServiceKind or Pillar enum name; '' for TOTAL.")
    count: int | None = strawberry.field(description="Null where hidden.")
    suppressed: bool

    @classmethod
    def of(cls, row: reports.CountRow) -> ServiceRow:
        return cls(
            span=ReportSpan.of(row.span),
            area=ReportArea.of(row.area),
            breakdown=ServiceBreakdown(row.breakdown),
            category=row.category.upper(),
            count=row.count,
            suppressed=row.suppressed,
        )


def _at(level: AreaLevel | None, area: reports.Area) -> bool:
    return level is None or area.level == level.value


@strawberry.type(
    description="Aggregates for coordinators and donors. Small counts are always hidden: "
    "every count of 1 to 4 people, and as many more as keep them from being worked out."
)
class Report:
    report: strawberry.Private[reports.Report]
    from_: date = strawberry.field(name="from")
    to: date
    period: ReportPeriod  # type: ignore[valid-type]

    @strawberry.field(
        description="True when every combination of totals was checked, not only each total "
        "minus its parts; false for a report too detailed to check in time (then not offered "
        "as CSV): choose longer periods or a shorter range."
    )
    def fully_checked(self) -> bool:
        return self.report.audited

    @strawberry.field(description="The periods, in order.")
    def periods(self) -> list[ReportSpan]:
        return [ReportSpan.of(span) for span in self.report.spans if not span.whole]

    @strawberry.field
    def bed_nights(self, level: AreaLevel | None = None) -> list[BedNightRow]:
        return [BedNightRow.of(r) for r in self.report.occupancy if _at(level, r.area)]

    @strawberry.field
    def admissions(
        self, level: AreaLevel | None = None, breakdown: AdmissionBreakdown | None = None
    ) -> list[AdmissionRow]:
        return [
            AdmissionRow.of(row)
            for row in self.report.admissions
            if _at(level, row.area) and (breakdown is None or row.breakdown == breakdown.value)
        ]

    @strawberry.field
    def exits(self, level: AreaLevel | None = None) -> list[ExitRow]:
        return [ExitRow.of(row) for row in self.report.exits if _at(level, row.area)]

    @strawberry.field
    def length_of_stay(self, level: AreaLevel | None = None) -> list[LengthOfStayRow]:
        return [LengthOfStayRow.of(r) for r in self.report.length_of_stay if _at(level, r.area)]

    @strawberry.field
    def services(
        self, level: AreaLevel | None = None, breakdown: ServiceBreakdown | None = None
    ) -> list[ServiceRow]:
        return [
            ServiceRow.of(row)
            for row in self.report.services
            if _at(level, row.area) and (breakdown is None or row.breakdown == breakdown.value)
        ]

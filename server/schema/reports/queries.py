"""The report query: administrators and coordinators, always with small counts hidden."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from server.domain import reports
from server.domain.access import Action, require
from server.schema.context import Info
from server.schema.permissions import SignedIn
from server.schema.relay import optional_id
from server.schema.reports.types import Report, ReportPeriod


@strawberry.type
class ReportQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Figures from one date to another (both included, in the shelters' time "
        "zone), per period, shelter, region and network; narrowed to a region or a shelter. "
        "Administrators and coordinators only.",
    )
    async def report(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        period: ReportPeriod = reports.Period.MONTH,  # type: ignore[valid-type]
        region: strawberry.ID | None = None,
        shelter: strawberry.ID | None = None,
    ) -> Report | None:
        require(info.context.viewer, Action.READ_REPORTS)
        region_id = optional_id(region, "Region", "region")
        shelter_id = optional_id(shelter, "Shelter", "shelter")
        span = reports.ReportRange.checked(from_, to, period, info.context.settings.zone)
        built = await reports.build_report(
            info.context.viewer, span, audit_limit=info.context.settings.report_audit_limit
        )
        return Report(
            report=built.only(region_id=region_id, shelter_id=shelter_id),
            from_=from_,
            to=to,
            period=period,
        )

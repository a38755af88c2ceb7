"""CSV downloads of report tables, for spreadsheets: the same bearer token as /graphql.

GET /reports/admissions.csv?from=2026-01-01&to=2026-03-31&period=month[&region=ID][&shelter=ID]

401 without a valid session, 403 for a role that may not read reports, 400 for bad
parameters, 422 for a report too detailed to check every combination of its totals; the file is
always suppressed, like every report.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.callers import bearer, client_of, viewer_for
from server.domain import reports
from server.domain.access import Action, require
from server.domain.audit import record
from server.domain.errors import DomainError, ErrorCode
from server.domain.reports.spreadsheets import TABLES, table_csv
from server.schema.relay import optional_id
from server.settings import Settings

_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.REPORT_TOO_DETAILED: 422,
}


def _day(request: Request, name: str) -> date:
    text = request.query_params.get(name, "")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise DomainError(
            ErrorCode.INVALID_VALUE, [name], f"{name} must be a date such as 2026-01-31."
        ) from error


def _period(request: Request) -> reports.Period:
    text = request.query_params.get("period", reports.Period.MONTH.value).lower()
    try:
        return reports.Period(text)
    except ValueError as error:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["period"], "period must be day, week or month."
        ) from error


async def report_csv(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    table = request.path_params["table"]
    try:
        _, client = client_of(request)
        viewer = await viewer_for(
            bearer(request.headers.get("authorization", "")), client, settings
        )
        require(viewer, Action.READ_REPORTS)
        if table not in TABLES:
            raise DomainError(
                ErrorCode.NOT_FOUND, ["table"], f"No table {table!r}: {', '.join(TABLES)}."
            )
        span = reports.ReportRange.checked(
            _day(request, "from"), _day(request, "to"), _period(request), settings.zone
        )
        region_id = optional_id(request.query_params.get("region"), "Region", "region")
        shelter_id = optional_id(request.query_params.get("shelter"), "Shelter", "shelter")
        report = await reports.build_report_to_publish(
            viewer, span, audit_limit=settings.report_audit_limit
        )
    except DomainError as error:
        status = _STATUS.get(error.code, 404 if error.code is ErrorCode.NOT_FOUND else 400)
        return PlainTextResponse(error.message, status_code=status)
    text = table_csv(report.only(region_id=region_id, shelter_id=shelter_id), table)
    await record(
        viewer,
        "export_report",
        "Report",
        detail=f"{table}.csv {span.start}..{span.end} by {span.period.value}",
    )
    name = f"haven-{table}-{span.start}-{span.end}.csv"
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )

"""Services through the API: kinds and their pillars, stages, status rules, hearings, refusals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

import server.domain.service_progress
from server.domain.clock import now
from server.domain.services import DEFAULT_PILLAR
from server.domain.stays import check_in
from server.models import (
    AuditEvent,
    CourtHearing,
    Pillar,
    Resident,
    Role,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import GraphQLClient, QueryCounter, sign_in
from tests.server.network import Network, build_network, new_resident, staff
from tests.server.side_by_side import side_by_side

SERVICE_FIELDS = """
  id kind pillar status provider outcome startedOn completedOn
  documentType documentStage returnStage
  resident { code } shelter { name }
  hearings { date outcome }
  history { change status documentStage returnStage }
"""

SERVICE_LOG = f"""
mutation ($input: ServiceLogInput!) {{
  serviceLog(input: $input) {{ service {{ {SERVICE_FIELDS} }} errors {{ code field message }} }}
}}"""

UPDATE_STATUS = f"""
mutation ($input: ServiceUpdateStatusInput!) {{
  serviceUpdateStatus(input: $input) {{
    service {{ {SERVICE_FIELDS} }} errors {{ code field message }}
  }}
}}"""

ADVANCE_STAGE = f"""
mutation ($input: ServiceAdvanceStageInput!) {{
  serviceAdvanceStage(input: $input) {{
    service {{ {SERVICE_FIELDS} }} errors {{ code field message }}
  }}
}}"""

HEARING_ADD = """
mutation ($input: CourtHearingAddInput!) {
  courtHearingAdd(input: $input) {
    hearing { date outcome service { kind hearings { date } } } errors { code field message }
  }
}"""

SERVICES = """
query ($shelter: ID, $resident: ID, $kind: ServiceKind, $pillar: Pillar, $status: ServiceStatus) {
  services(shelter: $shelter, resident: $resident, kind: $kind, pillar: $pillar, status: $status,
           first: 100) {
    totalCount edges { node { kind pillar status resident { code } } }
  }
}"""

RESIDENT_SERVICES = """
query ($id: ID!) { resident(id: $id) { services { kind status history { change } } } }"""


async def _world() -> tuple[Network, Resident]:
    """Two shelters; a resident staying in the first."""
    network = await build_network(shelters=2)
    resident = await new_resident()
    await check_in(await staff(), resident.id, network.beds[0].id)
    return network, resident


def _rid(resident: Resident) -> str:
    return encode_id("Resident", resident.id)


async def _log(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    result = await gql.data(SERVICE_LOG, {"input": fields})
    payload: dict[str, Any] = result["serviceLog"]
    return payload


async def _logged(gql: GraphQLClient, resident: Resident, kind: str, **fields: Any) -> str:
    payload = await _log(gql, resident=_rid(resident), kind=kind, **fields)
    assert payload["errors"] == [], payload
    service_id: str = payload["service"]["id"]
    return service_id


async def _rows() -> tuple[int, int, int, int]:
    """Rows of every table a service write touches (the audit trail's too)."""
    return (
        await ServiceRecord.all().count(),
        await ServiceChange.all().count(),
        await CourtHearing.all().count(),
        await AuditEvent.filter(record_type__in=["ServiceRecord", "CourtHearing"]).count(),
    )


def _codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


# --- kinds, pillars, stages ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ServiceKind))
async def test_each_kind_is_logged_with_its_pillar(gql: GraphQLClient, kind: ServiceKind) -> None:
    # given a resident in a shelter
    _, resident = await _world()
    extra = {"documentType": "PASSPORT"} if kind is ServiceKind.DOCUMENT_RESTORATION else {}

    # when staff log a service of that kind, saying nothing of its pillar
    payload = await _log(
        gql, resident=_rid(resident), kind=kind.name, provider="IOM Almaty", **extra
    )

    # then it is planned, at the resident's shelter, under the kind's pillar, with its stages
    assert payload["errors"] == []
    service = payload["service"]
    assert service["kind"] == kind.name
    assert service["pillar"] == DEFAULT_PILLAR[kind].name
    assert service["status"] == "PLANNED"
    assert service["provider"] == "IOM Almaty"
    assert service["shelter"] == {"name": "Shelter 0"}
    assert service["resident"] == {"code": resident.code}
    restoration = kind is ServiceKind.DOCUMENT_RESTORATION
    assert service["documentType"] == ("PASSPORT" if restoration else None)
    assert service["documentStage"] == ("REQUESTED" if restoration else None)
    assert service["returnStage"] == ("REQUESTED" if kind is ServiceKind.RETURN_HOME else None)
    assert service["history"] == [
        {
            "change": "LOGGED",
            "status": "PLANNED",
            "documentStage": service["documentStage"],
            "returnStage": service["returnStage"],
        }
    ]
    row = await ServiceRecord.get(resident_id=resident.id)
    assert (row.kind, row.pillar, row.status) == (kind, DEFAULT_PILLAR[kind], ServiceStatus.PLANNED)
    assert await AuditEvent.filter(
        action="log_service", record_id=row.id, resident_id=resident.id, detail=kind.value
    ).exists()


def test_every_kind_has_a_default_pillar_and_legal_kinds_are_not_prevention() -> None:
    assert set(DEFAULT_PILLAR) == set(ServiceKind)
    assert DEFAULT_PILLAR[ServiceKind.COURT_REPRESENTATION] is Pillar.PROSECUTION
    assert DEFAULT_PILLAR[ServiceKind.VOCATIONAL_TRAINING] is Pillar.PREVENTION


async def test_the_pillar_may_be_chosen_when_logging(gql: GraphQLClient) -> None:
    # given a family tracing done through a partner organisation
    _, resident = await _world()

    # when it is logged as partnership
    payload = await _log(gql, resident=_rid(resident), kind="FAMILY_TRACING", pillar="PARTNERSHIP")

    # then that pillar is stored instead of the kind's
    assert payload["service"]["pillar"] == "PARTNERSHIP"
    assert (await ServiceRecord.get(resident_id=resident.id)).pillar is Pillar.PARTNERSHIP


async def test_a_completed_service_is_logged_with_its_dates(gql: GraphQLClient) -> None:
    # given a hygiene kit handed over three days ago
    _, resident = await _world()
    day = (now() - timedelta(days=3)).date()

    # when it is logged completed on that day
    payload = await _log(
        gql,
        resident=_rid(resident),
        kind="HYGIENE_KIT",
        status="COMPLETED",
        completedOn=day.isoformat(),
        outcome="Kit for a mother and infant",
    )

    # then it started and completed that day
    service = payload["service"]
    assert (service["status"], service["startedOn"], service["completedOn"]) == (
        "COMPLETED",
        day.isoformat(),
        day.isoformat(),
    )


# --- refusals when logging -----------------------------------------------------------------------

WRONG_KIND = [
    ("TRANSPORT", {"documentType": "PASSPORT"}, ["input", "documentType"]),
    ("LEGAL_AID", {"documentStage": "ISSUED"}, ["input", "documentStage"]),
    ("RETURN_HOME", {"documentType": "PASSPORT"}, ["input", "documentType"]),
    ("DOCUMENT_RESTORATION", {"documentType": "PASSPORT", "returnStage": "DEPARTED"}, None),
    ("COURT_REPRESENTATION", {"returnStage": "REQUESTED"}, ["input", "returnStage"]),
]


@pytest.mark.parametrize(("kind", "fields", "where"), WRONG_KIND)
async def test_kind_specific_fields_on_the_wrong_kind_are_refused(
    gql: GraphQLClient, kind: str, fields: dict[str, str], where: list[str] | None
) -> None:
    # given a resident
    _, resident = await _world()
    before = await _rows()

    # when a service is logged with a field that belongs to another kind
    payload = await _log(gql, resident=_rid(resident), kind=kind, **fields)

    # then it is refused, naming the field, and nothing is written
    assert payload["service"] is None
    assert _codes(payload) == [("NOT_FOR_KIND", where or ["input", "returnStage"])]
    assert await _rows() == before


LOG_REFUSALS: list[tuple[str, dict[str, Any], str, list[str]]] = [
    ("no document type", {"kind": "DOCUMENT_RESTORATION"}, "REQUIRED", ["documentType"]),
    ("logged cancelled", {"kind": "TRANSPORT", "status": "CANCELLED"}, "INVALID_VALUE", ["status"]),
    (
        "planned with a start",
        {"kind": "TRANSPORT", "startedOn": "2026-01-05"},
        "INVALID_VALUE",
        ["startedOn"],
    ),
    (
        "completion date while in progress",
        {"kind": "TRANSPORT", "status": "IN_PROGRESS", "completedOn": "2026-01-05"},
        "INVALID_VALUE",
        ["completedOn"],
    ),
    (
        "completed before it started",
        {
            "kind": "TRANSPORT",
            "status": "COMPLETED",
            "startedOn": "2026-01-05",
            "completedOn": "2026-01-04",
        },
        "DATE_BEFORE_HISTORY",
        ["completedOn"],
    ),
    (
        "started tomorrow",
        {"kind": "TRANSPORT", "status": "IN_PROGRESS", "startedOn": "tomorrow"},
        "DATE_IN_FUTURE",
        ["startedOn"],
    ),
    (
        "started in 1999",
        {"kind": "TRANSPORT", "status": "IN_PROGRESS", "startedOn": "1999-12-31"},
        "INVALID_VALUE",
        ["startedOn"],
    ),
    ("provider too long", {"kind": "TRANSPORT", "provider": "x" * 201}, "TOO_LONG", ["provider"]),
    ("NUL in outcome", {"kind": "TRANSPORT", "outcome": "a\x00b"}, "INVALID_VALUE", ["outcome"]),
    ("logged tomorrow", {"kind": "TRANSPORT", "at": "tomorrow-at"}, "DATE_IN_FUTURE", ["at"]),
    (
        "logged in 1990",
        {"kind": "TRANSPORT", "at": "1990-01-01T09:00:00+05:00"},
        "INVALID_VALUE",
        ["at"],
    ),
    ("unknown resident", {"kind": "TRANSPORT", "resident": "missing"}, "NOT_FOUND", ["resident"]),
    ("not a resident ID", {"kind": "TRANSPORT", "resident": "bed"}, "INVALID_ID", ["resident"]),
]


@pytest.mark.parametrize(
    ("case", "fields", "code", "where"), LOG_REFUSALS, ids=[case[0] for case in LOG_REFUSALS]
)
async def test_bad_input_is_refused_and_nothing_is_written(
    gql: GraphQLClient, case: str, fields: dict[str, Any], code: str, where: list[str]
) -> None:
    # given a resident
    network, resident = await _world()
    tomorrow = now() + timedelta(days=1)
    values = {
        "tomorrow": tomorrow.date().isoformat(),
        "tomorrow-at": tomorrow.isoformat(),
        "missing": encode_id("Resident", 999_999),
        "bed": encode_id("Bed", network.beds[0].id),
    }
    fields = {key: values.get(value, value) for key, value in fields.items()}
    before = await _rows()

    # when a service is logged with a mistake
    payload = await _log(gql, **{"resident": _rid(resident), **fields})

    # then it is refused with the field it concerns, and nothing is written
    assert _codes(payload) == [(code, ["input", *where])]
    assert await _rows() == before


async def test_the_shelter_is_where_the_resident_stays_or_must_be_said(gql: GraphQLClient) -> None:
    # given a resident registered at shelter 0 and never checked in, and one staying in 1
    network = await build_network(shelters=3)
    waiting = await new_resident()
    staying = await new_resident("Gulnora", "Tosheva", shelter=network.shelters[1])
    await check_in(await staff(), staying.id, network.beds_of(network.shelters[1])[0].id)
    legal = gql.as_token(await sign_in(Role.LEGAL, network.shelters[:2]))

    # when a legal adviser of shelters 0 and 1 logs a service for each
    for_waiting = await _log(legal, resident=_rid(waiting), kind="LEGAL_AID")
    for_staying = await _log(legal, resident=_rid(staying), kind="LEGAL_AID")
    elsewhere = await _log(
        legal,
        resident=_rid(staying),
        kind="LEGAL_AID",
        shelter=encode_id("Shelter", network.shelters[0].id),
    )
    not_theirs = await _log(
        gql,
        resident=_rid(staying),
        kind="LEGAL_AID",
        shelter=encode_id("Shelter", network.shelters[2].id),
    )

    # then each is logged where the person is (or was registered); a shelter that is not the
    # resident's is refused
    assert for_waiting["service"]["shelter"] == {"name": "Shelter 0"}
    assert for_staying["service"]["shelter"] == {"name": "Shelter 1"}
    assert _codes(elsewhere) == [("NOT_FOUND", ["input", "shelter"])]
    assert _codes(not_theirs) == [("NOT_FOUND", ["input", "shelter"])]


# --- status --------------------------------------------------------------------------------------


async def test_status_moves_forward_and_every_change_is_recorded(gql: GraphQLClient) -> None:
    # given a planned police-statement accompaniment
    _, resident = await _world()
    service = await _logged(gql, resident, "POLICE_STATEMENT")

    # when it starts, then completes with an outcome
    started = await gql.data(
        UPDATE_STATUS, {"input": {"service": service, "status": "IN_PROGRESS"}}
    )
    done = await gql.data(
        UPDATE_STATUS,
        {"input": {"service": service, "status": "COMPLETED", "outcome": "Statement signed"}},
    )

    # then the record shows each step, with its dates, and each step is audited
    assert started["serviceUpdateStatus"]["errors"] == []
    result = done["serviceUpdateStatus"]["service"]
    today = now().astimezone(Settings().zone).date().isoformat()
    assert (result["status"], result["outcome"]) == ("COMPLETED", "Statement signed")
    assert (result["startedOn"], result["completedOn"]) == (today, today)
    assert [(step["change"], step["status"]) for step in result["history"]] == [
        ("LOGGED", "PLANNED"),
        ("STATUS", "IN_PROGRESS"),
        ("STATUS", "COMPLETED"),
    ]
    details = await AuditEvent.filter(action="service_status").values_list("detail", flat=True)
    assert details == ["planned -> in_progress", "in_progress -> completed"]


@pytest.mark.parametrize(
    ("start", "to"),
    [("IN_PROGRESS", "PLANNED"), ("IN_PROGRESS", "IN_PROGRESS"), ("PLANNED", "PLANNED")],
)
async def test_status_does_not_go_back_or_stay(gql: GraphQLClient, start: str, to: str) -> None:
    # given a service planned or in progress
    _, resident = await _world()
    service = await _logged(gql, resident, "INTERPRETATION", status=start)
    before = await _rows()

    # when its status is set back, or to what it is
    result = await gql.data(UPDATE_STATUS, {"input": {"service": service, "status": to}})

    # then it is refused and nothing is written
    assert _codes(result["serviceUpdateStatus"]) == [
        ("STATUS_CHANGE_NOT_ALLOWED", ["input", "status"])
    ]
    assert await _rows() == before


@pytest.mark.parametrize("final", ["COMPLETED", "CANCELLED"])
async def test_a_closed_service_is_not_changed_again(gql: GraphQLClient, final: str) -> None:
    # given a document restoration and a court case, each completed or cancelled
    _, resident = await _world()
    restoration = await _logged(gql, resident, "DOCUMENT_RESTORATION", documentType="ID_CARD")
    court = await _logged(gql, resident, "COURT_REPRESENTATION")
    for service in (restoration, court):
        closed = await gql.data(UPDATE_STATUS, {"input": {"service": service, "status": final}})
        assert closed["serviceUpdateStatus"]["errors"] == []
    before = await _rows()
    rows = await ServiceRecord.all().order_by("id").values()

    # when anyone tries to change them again
    attempts = [
        (UPDATE_STATUS, "serviceUpdateStatus", {"service": restoration, "status": "IN_PROGRESS"}),
        (UPDATE_STATUS, "serviceUpdateStatus", {"service": court, "status": "COMPLETED"}),
        (ADVANCE_STAGE, "serviceAdvanceStage", {"service": restoration, "documentStage": "ISSUED"}),
        (HEARING_ADD, "courtHearingAdd", {"service": court, "date": "2026-01-10"}),
    ]
    results = [(await gql.data(doc, {"input": values}))[root] for doc, root, values in attempts]

    # then each is refused with a clear error, and nothing is written
    for result in results:
        assert _codes(result) == [("SERVICE_CLOSED", ["input", "service"])]
        assert "not changed again" in result["errors"][0]["message"]
    assert await _rows() == before
    assert await ServiceRecord.all().order_by("id").values() == rows


async def test_a_change_before_the_last_one_is_refused(gql: GraphQLClient) -> None:
    # given a service logged an hour ago and started now
    _, resident = await _world()
    service = await _logged(gql, resident, "TRANSPORT", at=(now() - timedelta(hours=1)).isoformat())
    await gql.data(UPDATE_STATUS, {"input": {"service": service, "status": "IN_PROGRESS"}})

    # when it is completed with a time two hours ago
    result = await gql.data(
        UPDATE_STATUS,
        {
            "input": {
                "service": service,
                "status": "COMPLETED",
                "at": (now() - timedelta(hours=2)).isoformat(),
            }
        },
    )

    # then the time is refused
    assert _codes(result["serviceUpdateStatus"]) == [("DATE_BEFORE_HISTORY", ["input", "at"])]


# --- stages --------------------------------------------------------------------------------------


async def test_a_document_restoration_moves_through_its_stages(gql: GraphQLClient) -> None:
    # given a planned restoration of a passport
    _, resident = await _world()
    service = await _logged(gql, resident, "DOCUMENT_RESTORATION", documentType="PASSPORT")

    # when it is filed, then issued (skipping nothing), then an earlier stage is asked for
    filed = await gql.data(
        ADVANCE_STAGE, {"input": {"service": service, "documentStage": "APPLICATION_FILED"}}
    )
    issued = await gql.data(
        ADVANCE_STAGE, {"input": {"service": service, "documentStage": "ISSUED"}}
    )
    back = await gql.data(
        ADVANCE_STAGE, {"input": {"service": service, "documentStage": "APPLICATION_FILED"}}
    )

    # then it moves forward, in progress from its first move, and never back
    assert filed["serviceAdvanceStage"]["service"]["status"] == "IN_PROGRESS"
    result = issued["serviceAdvanceStage"]["service"]
    assert (result["documentStage"], result["status"]) == ("ISSUED", "IN_PROGRESS")
    assert [(step["change"], step["documentStage"]) for step in result["history"]] == [
        ("LOGGED", "REQUESTED"),
        ("STAGE", "APPLICATION_FILED"),
        ("STAGE", "ISSUED"),
    ]
    assert _codes(back["serviceAdvanceStage"]) == [
        ("STATUS_CHANGE_NOT_ALLOWED", ["input", "documentStage"])
    ]
    assert (await ServiceRecord.get(resident_id=resident.id)).document_stage == "issued"


async def test_a_return_home_may_skip_stages(gql: GraphQLClient) -> None:
    # given a return home whose documents are ready
    _, resident = await _world()
    service = await _logged(
        gql, resident, "RETURN_HOME", status="IN_PROGRESS", returnStage="DOCUMENTS_READY"
    )

    # when the person has departed (travel was booked by the embassy, unrecorded)
    result = await gql.data(
        ADVANCE_STAGE, {"input": {"service": service, "returnStage": "DEPARTED"}}
    )

    # then the stage is departed
    assert result["serviceAdvanceStage"]["service"]["returnStage"] == "DEPARTED"
    assert await AuditEvent.filter(action="service_stage", detail="departed").count() == 1


@pytest.mark.parametrize(
    ("kind", "stages", "code", "where"),
    [
        ("DOCUMENT_RESTORATION", {"returnStage": "DEPARTED"}, "NOT_FOR_KIND", "returnStage"),
        ("RETURN_HOME", {"documentStage": "ISSUED"}, "NOT_FOR_KIND", "documentStage"),
        ("TRANSPORT", {"returnStage": "ARRIVED"}, "NOT_FOR_KIND", "returnStage"),
        ("RETURN_HOME", {}, "REQUIRED", "documentStage"),
        (
            "RETURN_HOME",
            {"returnStage": "ARRIVED", "documentStage": "ISSUED"},
            "INVALID_VALUE",
            "documentStage",
        ),
    ],
)
async def test_a_stage_of_another_kind_is_refused(
    gql: GraphQLClient, kind: str, stages: dict[str, str], code: str, where: str
) -> None:
    # given a service
    _, resident = await _world()
    extra = {"documentType": "WORK_PERMIT"} if kind == "DOCUMENT_RESTORATION" else {}
    service = await _logged(gql, resident, kind, **extra)
    before = await _rows()

    # when a stage is given that its kind has not (or none, or two)
    result = await gql.data(ADVANCE_STAGE, {"input": {"service": service, **stages}})

    # then it is refused and nothing is written
    assert _codes(result["serviceAdvanceStage"]) == [(code, ["input", where])]
    assert await _rows() == before


# --- court hearings ------------------------------------------------------------------------------


async def test_court_hearings_past_and_ahead(gql: GraphQLClient) -> None:
    # given a court representation
    _, resident = await _world()
    service = await _logged(gql, resident, "COURT_REPRESENTATION", status="IN_PROGRESS")
    past = (now() - timedelta(days=20)).date().isoformat()
    ahead = (now() + timedelta(days=30)).date().isoformat()

    # when a past hearing with its outcome and one ahead are added
    first = await gql.data(
        HEARING_ADD, {"input": {"service": service, "date": past, "outcome": "Adjourned"}}
    )
    second = await gql.data(HEARING_ADD, {"input": {"service": service, "date": ahead}})

    # then both are on the case, by date
    assert first["courtHearingAdd"]["errors"] == []
    hearing = second["courtHearingAdd"]["hearing"]
    assert hearing["date"] == ahead and hearing["outcome"] == ""
    assert hearing["service"] == {
        "kind": "COURT_REPRESENTATION",
        "hearings": [{"date": past}, {"date": ahead}],
    }
    assert await AuditEvent.filter(action="court_hearing_add").count() == 2


@pytest.mark.parametrize(
    ("case", "kind", "hearing", "code", "where"),
    [
        ("not a court case", "LEGAL_AID", {"date": "2026-01-10"}, "NOT_FOR_KIND", ["service"]),
        (
            "an outcome ahead",
            "COURT_REPRESENTATION",
            {"date": "ahead", "outcome": "Won"},
            "INVALID_VALUE",
            ["outcome"],
        ),
        ("in 1990", "COURT_REPRESENTATION", {"date": "1990-05-01"}, "INVALID_VALUE", ["date"]),
        ("in 2090", "COURT_REPRESENTATION", {"date": "2090-05-01"}, "INVALID_VALUE", ["date"]),
        (
            "an outcome too long",
            "COURT_REPRESENTATION",
            {"date": "2026-01-10", "outcome": "x" * 2001},
            "TOO_LONG",
            ["outcome"],
        ),
    ],
)
async def test_a_bad_hearing_is_refused(
    gql: GraphQLClient,
    case: str,
    kind: str,
    hearing: dict[str, str],
    code: str,
    where: list[str],
) -> None:
    # given a service
    _, resident = await _world()
    service = await _logged(gql, resident, kind)
    ahead = (now() + timedelta(days=30)).date().isoformat()
    hearing = {key: ahead if value == "ahead" else value for key, value in hearing.items()}
    before = await _rows()

    # when a hearing is added to it
    result = await gql.data(HEARING_ADD, {"input": {"service": service, **hearing}})

    # then it is refused and nothing is written
    assert _codes(result["courtHearingAdd"]) == [(code, ["input", *where])]
    assert await _rows() == before


# --- the database holds the rules too ------------------------------------------------------------


async def test_the_database_refuses_what_the_rules_refuse(gql: GraphQLClient) -> None:
    # given a resident, a shelter, a closed service and an open legal aid
    network, resident = await _world()
    base = {
        "resident_id": resident.id,
        "shelter_id": network.shelters[0].id,
        "pillar": Pillar.PROTECTION,
        "recorded_at": now(),
    }
    closed = await ServiceRecord.create(
        kind=ServiceKind.TRANSPORT, status=ServiceStatus.CANCELLED, **base
    )
    legal = await ServiceRecord.create(
        kind=ServiceKind.LEGAL_AID, status=ServiceStatus.PLANNED, **base
    )

    # when a writer goes around the domain rules, then the database refuses each
    with pytest.raises(IntegrityError, match="ck_service_record_document"):
        await ServiceRecord.create(
            kind=ServiceKind.TRANSPORT,
            status=ServiceStatus.PLANNED,
            document_type="passport",
            **base,
        )
    with pytest.raises(IntegrityError, match="ck_service_record_document"):
        await ServiceRecord.create(
            kind=ServiceKind.DOCUMENT_RESTORATION, status=ServiceStatus.PLANNED, **base
        )
    with pytest.raises(IntegrityError, match="ck_service_record_return"):
        await ServiceRecord.create(
            kind=ServiceKind.LEGAL_AID, status=ServiceStatus.PLANNED, return_stage="arrived", **base
        )
    with pytest.raises(IntegrityError, match="ck_service_record_completed"):
        await ServiceRecord.create(
            kind=ServiceKind.TRANSPORT, status=ServiceStatus.COMPLETED, **base
        )
    with pytest.raises(IntegrityError, match="ck_service_record_dates"):
        await ServiceRecord.create(
            kind=ServiceKind.TRANSPORT,
            status=ServiceStatus.COMPLETED,
            started_on=date(2026, 1, 5),
            completed_on=date(2026, 1, 4),
            **base,
        )
    with pytest.raises(IntegrityError, match="service_record_closed"):
        await ServiceRecord.filter(id=closed.id).update(outcome="rewritten")
    with pytest.raises(IntegrityError, match="court_hearing_kind"):
        await CourtHearing.create(
            service_id=legal.id, hearing_on=date(2026, 1, 10), recorded_at=now()
        )
    assert (await ServiceRecord.get(id=closed.id)).outcome == ""
    assert await ServiceRecord.all().count() == 2


# --- lists ---------------------------------------------------------------------------------------


async def test_services_are_filtered_by_shelter_resident_kind_pillar_and_status(
    gql: GraphQLClient,
) -> None:
    # given services for two residents in two shelters
    network, first = await _world()
    second = await new_resident("Gulnora", "Tosheva", shelter=network.shelters[1])
    await _logged(gql, first, "LEGAL_AID")
    await _logged(gql, first, "TRANSPORT", status="COMPLETED")
    await _logged(gql, first, "VOCATIONAL_TRAINING", status="IN_PROGRESS")
    await _logged(gql, second, "TRANSPORT", pillar="PARTNERSHIP")

    async def kinds(**variables: str) -> list[tuple[str, str]]:
        connection = (await gql.data(SERVICES, variables))["services"]
        assert connection["totalCount"] == len(connection["edges"])
        return [(e["node"]["kind"], e["node"]["resident"]["code"]) for e in connection["edges"]]

    # when they are listed with each filter, then each keeps only its own
    one, two = first.code, second.code
    assert await kinds() == [
        ("LEGAL_AID", one),
        ("TRANSPORT", one),
        ("VOCATIONAL_TRAINING", one),
        ("TRANSPORT", two),
    ]
    assert await kinds(kind="TRANSPORT") == [("TRANSPORT", one), ("TRANSPORT", two)]
    assert await kinds(pillar="PREVENTION") == [("VOCATIONAL_TRAINING", one)]
    assert await kinds(pillar="PARTNERSHIP") == [("TRANSPORT", two)]
    assert await kinds(status="COMPLETED") == [("TRANSPORT", one)]
    assert await kinds(resident=_rid(second)) == [("TRANSPORT", two)]
    assert await kinds(shelter=encode_id("Shelter", network.shelters[1].id)) == [("TRANSPORT", two)]
    resident = await gql.data(RESIDENT_SERVICES, {"id": _rid(first)})
    assert [s["kind"] for s in resident["resident"]["services"]] == [
        "LEGAL_AID",
        "TRANSPORT",
        "VOCATIONAL_TRAINING",
    ]


SERVICE_WALK = """
{
  services(first: 100) {
    edges { node {
      kind shelter { name } resident { code services { kind } }
      hearings { date service { kind } } history { change service { status } }
    } }
  }
}"""


async def test_the_service_list_costs_the_same_for_3_and_30_services(gql: GraphQLClient) -> None:
    # given residents with court cases (each with a hearing), then ten times as many
    network, _ = await _world()

    async def statements(count: int) -> int:
        for number in range(count):
            resident = await new_resident(f"Person{number}", "Racer", shelter=network.shelters[1])
            court = await _logged(gql, resident, "COURT_REPRESENTATION")
            await gql.data(HEARING_ADD, {"input": {"service": court, "date": "2026-01-10"}})
        with QueryCounter() as counter:
            await gql.data(SERVICE_WALK)
        return counter.count

    # when services are listed with their shelter, resident, hearings and history
    small = await statements(3)
    large = await statements(27)

    # then the number of statements does not grow
    assert small == large, (small, large)
    assert await ServiceRecord.all().count() == 30


# --- at the same moment --------------------------------------------------------------------------


async def test_two_tablets_closing_one_service_at_once_one_wins(
    gql: GraphQLClient, on_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a service in progress, and two tablets, one completing it and one cancelling it
    _, resident = await _world()
    service = await _logged(gql, resident, "FAMILY_TRACING", status="IN_PROGRESS")
    other = gql.as_token(await sign_in(Role.LEGAL, [(await ServiceRecord.get()).shelter_id]))

    # when both send at once (on PostgreSQL, their transactions open side by side)
    with side_by_side(
        monkeypatch, server.domain.service_progress, parties=2, parallel=on_postgres
    ) as race:
        results = await asyncio.gather(
            gql.data(UPDATE_STATUS, {"input": {"service": service, "status": "COMPLETED"}}),
            other.data(UPDATE_STATUS, {"input": {"service": service, "status": "CANCELLED"}}),
        )

    # then exactly one change is made; the other is told the service is closed
    assert race.peak == (2 if on_postgres else 1)
    payloads = [result["serviceUpdateStatus"] for result in results]
    winners = [p for p in payloads if not p["errors"]]
    assert len(winners) == 1
    assert [_codes(p) for p in payloads if p["errors"]] == [
        [("SERVICE_CLOSED", ["input", "service"])]
    ]
    row = await ServiceRecord.get()
    assert row.status.name == winners[0]["service"]["status"]
    assert await ServiceChange.filter(change="status").count() == 1


async def test_a_resident_the_viewer_does_not_see_is_not_found(gql: GraphQLClient) -> None:
    # given a resident of shelter 1, and staff working only in shelter 0
    network = await build_network(shelters=2)
    other = await new_resident(shelter=network.shelters[1])
    mine = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[0]]))

    # when they log a service for that resident
    payload = await _log(mine, resident=_rid(other), kind="TRANSPORT")

    # then the resident is not found, as if there were none
    assert _codes(payload) == [("NOT_FOUND", ["input", "resident"])]
    assert await ServiceRecord.all().count() == 0


async def test_a_service_logged_late_keeps_its_time(gql: GraphQLClient) -> None:
    # given an interpretation given yesterday, entered from an offline tablet today
    _, resident = await _world()
    yesterday = datetime.now(UTC) - timedelta(days=1)

    # when it is logged with that time
    await _logged(gql, resident, "INTERPRETATION", status="COMPLETED", at=yesterday.isoformat())

    # then the record and its first history step carry that time
    row = await ServiceRecord.get()
    assert abs(row.recorded_at - yesterday) < timedelta(seconds=1)
    change = await ServiceChange.get(service_id=row.id)
    assert change.at == row.recorded_at


# --- replays from an offline tablet ---------------------------------------------------------------

KEYED_LOG = """
mutation ($input: ServiceLogInput!, $key: UUID) {
  serviceLog(input: $input, idempotencyKey: $key) { service { id status } errors { code } }
}"""

KEYED_STATUS = """
mutation ($input: ServiceUpdateStatusInput!, $key: UUID) {
  serviceUpdateStatus(input: $input, idempotencyKey: $key) {
    service { id status history { change } } errors { code }
  }
}"""

KEYED_HEARING = """
mutation ($input: CourtHearingAddInput!, $key: UUID) {
  courtHearingAdd(input: $input, idempotencyKey: $key) { hearing { date } errors { code } }
}"""


async def test_replayed_service_actions_act_once_and_answer_as_the_first_time(
    gql: GraphQLClient,
) -> None:
    # given a tablet's queue: log a court case, add a hearing to it, complete it
    _, resident = await _world()
    log = {"resident": _rid(resident), "kind": "COURT_REPRESENTATION"}
    keys = [str(uuid.uuid4()) for _ in range(3)]

    # when each action is sent twice with its key (the queue replayed after a lost answer)
    logged = [(await gql.data(KEYED_LOG, {"input": log, "key": keys[0]}))["serviceLog"]]
    logged.append((await gql.data(KEYED_LOG, {"input": log, "key": keys[0]}))["serviceLog"])
    service = logged[0]["service"]["id"]
    hearing = {"service": service, "date": "2026-01-12"}
    heard = [
        (await gql.data(KEYED_HEARING, {"input": hearing, "key": keys[1]}))["courtHearingAdd"]
        for _ in range(2)
    ]
    done = {"service": service, "status": "COMPLETED"}
    closed = [
        (await gql.data(KEYED_STATUS, {"input": done, "key": keys[2]}))["serviceUpdateStatus"]
        for _ in range(2)
    ]
    reused = (await gql.data(KEYED_LOG, {"input": {**log, "kind": "LEGAL_AID"}, "key": keys[0]}))[
        "serviceLog"
    ]

    # then each acted once, and the replay got the first answer (not "already closed")
    assert logged[0] == logged[1] and logged[0]["errors"] == []
    assert heard[0] == heard[1] and heard[0]["errors"] == []
    assert closed[1]["errors"] == [] and closed[1]["service"]["status"] == "COMPLETED"
    assert [step["change"] for step in closed[1]["service"]["history"]] == ["LOGGED", "STATUS"]
    assert reused["errors"] == [{"code": "IDEMPOTENCY_KEY_REUSED"}]
    assert (await ServiceRecord.all().count(), await CourtHearing.all().count()) == (1, 1)
    assert await ServiceChange.filter(change="status").count() == 1

"""The audit trail: who read whose identity or notes and who changed what, append-only."""

from __future__ import annotations

import pytest
from tortoise import Tortoise

from server.domain.notes import write_note
from server.domain.stays import check_in
from server.models import AppointmentKind, AuditEvent, NoteKind, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.care import book, local, member, tomorrow
from tests.server.network import build_network, new_resident, staff

RESIDENT = """query ($id: ID!) { resident(id: $id) { code givenName familyName notes { text } } }"""
RESIDENT_CODE = """query ($id: ID!) { resident(id: $id) { code ageBand } }"""
CHECK_IN = """mutation ($resident: ID!, $bed: ID!) {
  checkIn(input: {resident: $resident, bed: $bed}) { stay { id } errors { code } } }"""
AUDIT = """query ($resident: ID, $user: ID) {
  auditEvents(resident: $resident, user: $user, first: 100) {
    totalCount edges { node { action username recordType recordId residentId client } } } }"""


async def test_reading_identity_is_recorded_once_per_request(gql: GraphQLClient) -> None:
    # given a resident the staff may see
    await build_network(shelters=1)
    resident = await new_resident()
    rid = encode_id("Resident", resident.id)

    # when staff read the name twice in one request, and only the code in another
    await gql.data(
        "query ($id: ID!) {"
        " a: resident(id: $id) { givenName } b: resident(id: $id) { familyName } }",
        {"id": rid},
    )
    await gql.data(RESIDENT_CODE, {"id": rid})

    # then one identity read is recorded, for that resident, by that person
    reads = await AuditEvent.filter(action="read_identity")
    assert [(e.resident_id, e.record_type) for e in reads] == [(resident.id, "Resident")]
    assert reads[0].username.startswith("shelter-staff-") and reads[0].user_id is not None


async def test_a_refused_read_records_nothing_and_shows_nothing(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    resident = await new_resident()
    coordinator = gql.as_token(await sign_in(Role.COORDINATOR))

    body = await coordinator.post(RESIDENT, {"id": encode_id("Resident", resident.id)})

    assert body["data"]["resident"]["code"] == resident.code
    assert body["data"]["resident"]["givenName"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert resident.given_name not in str(body)
    assert await AuditEvent.filter(action="read_identity").count() == 0


async def test_writes_and_note_reads_are_recorded(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    resident = await new_resident()
    rid = encode_id("Resident", resident.id)
    await gql.data(CHECK_IN, {"resident": rid, "bed": encode_id("Bed", network.beds[0].id)})
    medic_token = await sign_in(Role.MEDICAL, network.shelters)
    medic = gql.as_token(medic_token)
    from server.domain.accounts import authenticate
    from server.settings import Settings

    author = await authenticate(medic_token, client="tests", settings=Settings())
    await write_note(author, resident_id=resident.id, kind=NoteKind.MEDICAL, text="Sprained ankle")

    notes = (await medic.data(RESIDENT, {"id": rid}))["resident"]["notes"]

    assert notes == [{"text": "Sprained ankle"}]
    actions = (
        await AuditEvent.filter(resident_id=resident.id)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["register_resident", "check_in", "write_note", "read_identity", "read_note"]


async def test_admins_query_the_trail_by_resident_and_user(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    resident = await new_resident()
    await check_in(await staff(), resident.id, network.beds[0].id)
    admin = gql.as_token(await sign_in(Role.ADMIN))

    events = (await admin.data(AUDIT, {"resident": encode_id("Resident", resident.id)}))[
        "auditEvents"
    ]

    assert [e["node"]["action"] for e in events["edges"]] == ["register_resident", "check_in"]
    assert events["edges"][1]["node"]["recordType"] == "Stay"
    assert events["edges"][1]["node"]["residentId"] == encode_id("Resident", resident.id)
    # and nobody else may
    for role in (Role.COORDINATOR, Role.SHELTER_STAFF):
        other = gql.as_token(
            await sign_in(role, [] if role is Role.COORDINATOR else network.shelters)
        )
        body = await other.post(AUDIT, {})
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


AUDIT_DETAIL = """query ($resident: ID) {
  auditEvents(resident: $resident, first: 100) { edges { node { action recordType detail } } } }"""


async def test_admins_see_who_touched_a_persons_care_but_not_what_it_was(
    gql: GraphQLClient,
) -> None:
    # given a resident checked in and booked with a medical volunteer
    network = await build_network(shelters=1)
    resident = await new_resident()
    await check_in(await staff(), resident.id, network.beds[0].id)
    medic = await member(Role.MEDICAL, network.shelters)
    await book(
        medic, resident.id, medic, local(tomorrow(), 10), kind=AppointmentKind.GYNAECOLOGICAL
    )
    admin = gql.as_token(await sign_in(Role.ADMIN))

    # when an administrator reads the person's trail
    edges = (await admin.data(AUDIT_DETAIL, {"resident": encode_id("Resident", resident.id)}))[
        "auditEvents"
    ]["edges"]

    # then the booking is there, by whom and of which record, but not its kind or provider
    details = {edge["node"]["recordType"]: edge["node"]["detail"] for edge in edges}
    assert details["MedicalAppointment"] is None
    assert details["Stay"]  # a bed, not care: still shown
    stored = await AuditEvent.get(record_type="MedicalAppointment", resident_id=resident.id)
    assert "gynaecological" in stored.detail.lower()  # kept in the trail itself
    assert "gynaecological" not in str(edges).lower()


async def test_the_trail_cannot_be_changed_or_deleted(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    await new_resident()
    connection = Tortoise.get_connection("default")
    before = await AuditEvent.all().count()
    assert before > 0

    for statement in ("UPDATE audit_event SET action = 'nothing'", "DELETE FROM audit_event"):
        # raw SQL: asyncpg's RaiseError or sqlite3's IntegrityError, by driver
        with pytest.raises(Exception, match="append-only"):  # noqa: B017
            await connection.execute_script(statement)
    with pytest.raises(Exception, match="append-only"):  # noqa: B017
        await AuditEvent.filter(id__gte=0).update(action="nothing")

    assert await AuditEvent.all().count() == before
    assert await AuditEvent.filter(action="nothing").count() == 0
    # and the schema offers no way to: no mutation touches audit events
    schema = (await gql.post("{ __schema { mutationType { fields { name } } } }"))["data"]
    names = {field["name"] for field in schema["__schema"]["mutationType"]["fields"]}
    assert not {name for name in names if "audit" in name.lower()}


@pytest.mark.parametrize("argument", ["since", "until"])
async def test_a_time_without_its_zone_is_a_clear_error(gql: GraphQLClient, argument: str) -> None:
    # found by the fuzzer: a naive date-time reached the database and failed the server
    admin = gql.as_token(await sign_in(Role.ADMIN))

    body = await admin.post(
        f"query ($v: DateTime) {{ auditEvents({argument}: $v) {{ totalCount }} }}",
        {"v": "2025-01-01T00:00:00"},
    )

    assert body["data"] is None
    assert body["errors"][0]["message"] == "The time must include its time zone."
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VALUE"


async def test_a_time_out_of_range_is_a_clear_error(gql: GraphQLClient) -> None:
    # found by the fuzzer on PostgreSQL: asyncpg cannot carry year 1
    admin = gql.as_token(await sign_in(Role.ADMIN))

    body = await admin.post(
        "query ($v: DateTime) { auditEvents(since: $v) { totalCount } }",
        {"v": "0001-01-01T00:00:00+00:00"},
    )

    assert body["data"] is None
    assert body["errors"][0]["message"] == "The time is out of range."

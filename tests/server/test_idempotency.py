"""Creating mutations with an idempotency key: a replay has no second effect and returns the
first answer; the same key with other input is refused; keys belong to one account."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from server.domain.idempotency import fingerprint, forget_keys
from server.models import AuditEvent, Bed, IdempotencyKey, Resident, Role, Stay
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import build_network, new_resident

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!, $key: UUID) {
  checkIn(input: {resident: $resident, bed: $bed}, idempotencyKey: $key) {
    stay { id active bed { label } resident { code } }
    errors { code field message }
  }
}"""

CHECK_OUT = """
mutation ($stay: ID!, $key: UUID) {
  checkOut(input: {stay: $stay, exitDestination: RETURNED_HOME}, idempotencyKey: $key) {
    stay { id active exitDestination }
    errors { code field message }
  }
}"""

REGISTER = """
mutation ($key: UUID, $given: String!) {
  residentRegister(
    input: {givenName: $given, familyName: "Testova", sex: FEMALE, nationality: "UZ",
            referralSource: HOTLINE, documentStatus: CONFISCATED,
            consents: {dataProcessing: true}},
    idempotencyKey: $key
  ) {
    resident { id code }
    errors { code field message }
  }
}"""


async def _check_in_variables() -> dict[str, str]:
    network = await build_network()
    resident = await new_resident()
    return {
        "resident": encode_id("Resident", resident.id),
        "bed": encode_id("Bed", network.beds[0].id),
    }


async def test_ten_replays_have_one_effect_and_one_answer(gql: GraphQLClient) -> None:
    # given
    variables = {**await _check_in_variables(), "key": str(uuid.uuid4())}

    # when the same request is sent ten times, one after another
    answers = [(await gql.data(CHECK_IN, variables))["checkIn"] for _ in range(10)]

    # then one stay exists, and every answer is the first one
    assert await Stay.all().count() == 1
    assert answers[0]["errors"] == [] and answers[0]["stay"]["active"] is True
    assert all(answer == answers[0] for answer in answers), answers
    assert await AuditEvent.filter(action="check_in").count() == 1
    assert await IdempotencyKey.all().count() == 1


async def test_ten_concurrent_replays_have_one_effect(gql: GraphQLClient) -> None:
    # given
    variables = {**await _check_in_variables(), "key": str(uuid.uuid4())}
    await gql.data("{ viewer { username } }")  # sign in once, before the race

    # when the ten are sent at once (concurrent transactions on PostgreSQL)
    results = await asyncio.gather(*(gql.data(CHECK_IN, variables) for _ in range(10)))

    # then
    answers = [result["checkIn"] for result in results]
    assert await Stay.all().count() == 1
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0]["errors"] == []


async def test_a_key_reused_with_other_input_is_refused_and_writes_nothing(
    gql: GraphQLClient,
) -> None:
    # given a registration made with a key
    await build_network(shelters=1, regions=1)
    key = str(uuid.uuid4())
    first = (await gql.data(REGISTER, {"key": key, "given": "Aziza"}))["residentRegister"]
    assert first["errors"] == []

    # when the key comes back with another name
    second = (await gql.data(REGISTER, {"key": key, "given": "Dilnoza"}))["residentRegister"]

    # then
    assert second["resident"] is None
    assert second["errors"] == [
        {
            "code": "IDEMPOTENCY_KEY_REUSED",
            "field": ["input", "idempotencyKey"],
            "message": "This idempotency key was already used for a different request.",
        }
    ]
    assert await Resident.all().count() == 1


async def test_a_key_reused_for_another_operation_is_refused(gql: GraphQLClient) -> None:
    # given a check-in made with a key
    variables = await _check_in_variables()
    key = str(uuid.uuid4())
    stay = (await gql.data(CHECK_IN, {**variables, "key": key}))["checkIn"]["stay"]

    # when the same key is sent with a check-out
    out = (await gql.data(CHECK_OUT, {"stay": stay["id"], "key": key}))["checkOut"]

    # then the check-out is refused and the stay goes on
    assert [error["code"] for error in out["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await Stay.filter(checked_out_at__isnull=True).count() == 1


async def test_a_check_out_replayed_returns_the_ended_stay_not_a_refusal(
    gql: GraphQLClient,
) -> None:
    # given a stay
    variables = await _check_in_variables()
    stay = (await gql.data(CHECK_IN, variables))["checkIn"]["stay"]
    key = str(uuid.uuid4())

    # when its check-out is sent twice (the tablet never saw the first answer)
    first = (await gql.data(CHECK_OUT, {"stay": stay["id"], "key": key}))["checkOut"]
    again = (await gql.data(CHECK_OUT, {"stay": stay["id"], "key": key}))["checkOut"]

    # then the second is the first answer, not "the stay has already ended"
    assert first["errors"] == [] and again == first
    assert await AuditEvent.filter(action="check_out").count() == 1


async def test_keys_belong_to_one_account(gql: GraphQLClient) -> None:
    # given two people at the same shelter, and one key
    network = await build_network(shelters=1, regions=1)
    key = str(uuid.uuid4())
    other = gql.as_token(await sign_in(Role.SHELTER_STAFF, network.shelters))

    # when both register someone with the same key
    mine = (await gql.data(REGISTER, {"key": key, "given": "Aziza"}))["residentRegister"]
    theirs = (await other.data(REGISTER, {"key": key, "given": "Aziza"}))["residentRegister"]

    # then both registrations happened: a key is only ever compared with its own account's
    assert mine["errors"] == [] and theirs["errors"] == []
    assert mine["resident"]["id"] != theirs["resident"]["id"]
    assert await Resident.all().count() == 2


async def test_a_refused_request_is_not_remembered(gql: GraphQLClient) -> None:
    # given a bed taken by someone else
    network = await build_network()
    bed = encode_id("Bed", network.beds[0].id)
    first_person, second_person = await new_resident(), await new_resident()
    await gql.data(CHECK_IN, {"resident": encode_id("Resident", first_person.id), "bed": bed})
    key = str(uuid.uuid4())
    variables = {"resident": encode_id("Resident", second_person.id), "bed": bed, "key": key}

    # when the second check-in is refused, the bed is freed, and the request is sent again
    refused = (await gql.data(CHECK_IN, variables))["checkIn"]
    stay_id = (await Stay.get(resident_id=first_person.id)).id
    await gql.data(CHECK_OUT, {"stay": encode_id("Stay", stay_id)})
    again = (await gql.data(CHECK_IN, variables))["checkIn"]

    # then the refusal wrote nothing, and the replay acted on the bed as it is now
    assert [error["code"] for error in refused["errors"]] == ["BED_OCCUPIED"]
    assert again["errors"] == [] and again["stay"]["resident"]["code"] == second_person.code
    assert await IdempotencyKey.filter(key=key).count() == 1


async def test_a_malformed_key_is_a_request_error(gql: GraphQLClient) -> None:
    variables = {**await _check_in_variables(), "key": "not-a-uuid"}
    body = await gql.post(CHECK_IN, variables)
    assert body["data"] is None
    assert "UUID" in body["errors"][0]["message"]
    assert await Stay.all().count() == 0


def test_the_fingerprint_is_canonical() -> None:
    a = fingerprint("checkIn", {"resident": "UmVzaWRlbnQ6MQ==", "bed": "QmVkOjE=", "at": None})
    b = fingerprint("checkIn", {"at": None, "bed": "QmVkOjE=", "resident": "UmVzaWRlbnQ6MQ=="})
    assert a == b
    assert a != fingerprint("checkOut", {"resident": "UmVzaWRlbnQ6MQ==", "bed": "QmVkOjE="})
    assert a != fingerprint("checkIn", {"resident": "UmVzaWRlbnQ6MQ==", "bed": "QmVkOjI="})


def test_a_field_left_null_does_not_change_the_fingerprint() -> None:
    # a check-in queued before CheckInInput gained `hold`, replayed after the upgrade
    before = fingerprint("checkIn", {"resident": "UmVzaWRlbnQ6MQ==", "bed": "QmVkOjE="})
    after = fingerprint(
        "checkIn", {"resident": "UmVzaWRlbnQ6MQ==", "bed": "QmVkOjE=", "hold": None, "at": None}
    )
    assert before == after
    assert before != fingerprint(
        "checkIn", {"resident": "UmVzaWRlbnQ6MQ==", "bed": "QmVkOjE=", "hold": "QmVkSG9sZDox"}
    )


async def test_keys_older_than_the_kept_days_are_forgotten(gql: GraphQLClient) -> None:
    # given two keys used, one of them 91 days ago
    variables = await _check_in_variables()
    await gql.data(CHECK_IN, {**variables, "key": str(uuid.uuid4())})
    assert await IdempotencyKey.all().count() == 1
    await IdempotencyKey.all().update(created_at=datetime.now(UTC) - timedelta(days=91))
    resident = await new_resident("Zarina")
    bed = (await Bed.all().order_by("id"))[1]
    recent = {"resident": encode_id("Resident", resident.id), "bed": encode_id("Bed", bed.id)}
    await gql.data(CHECK_IN, {**recent, "key": str(uuid.uuid4())})

    # when keys older than 90 days are forgotten (each server process does it hourly)
    forgotten = await forget_keys(timedelta(days=90))

    # then the old one went, the recent one stays, and the stays themselves are untouched
    assert forgotten == 1
    assert await IdempotencyKey.all().count() == 1
    assert await Stay.all().count() == 2

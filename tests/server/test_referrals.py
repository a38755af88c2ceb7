"""Referrals in and out: the consent each outgoing one needs, their statuses, who sees them,
and a case that moves with a person transferred to another shelter."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from server.domain.stays import check_in, transfer
from server.models import AuditEvent, Referral, Resident, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter, sign_in
from tests.server.network import Network, build_network, new_resident, staff

REFER = """
mutation ($resident: ID!, $direction: ReferralDirection!, $partner: PartnerKind!,
          $organisation: String!, $key: UUID) {
  referralCreate(
    input: {resident: $resident, direction: $direction, partner: $partner,
            organisation: $organisation, reason: "Passport restoration"},
    idempotencyKey: $key
  ) {
    referral { id direction partner organisation status shelter { name } resident { code } }
    errors { code field message }
  }
}"""

SET_STATUS = """
mutation ($referral: ID!, $status: ReferralStatus!) {
  referralSetStatus(input: {referral: $referral, status: $status}) {
    referral { status closedAt }
    errors { code field message }
  }
}"""

REFERRALS = """
query ($shelter: ID, $partner: PartnerKind) {
  referrals(first: 100, shelter: $shelter, partner: $partner) {
    totalCount
    edges { node { organisation partner resident { code } shelter { name } } }
  }
}"""

RESIDENT_REFERRALS = """
query ($id: ID!) { resident(id: $id) { code referrals { organisation status } } }
"""


async def _refer(
    gql: GraphQLClient,
    resident: Resident,
    partner: str = "EMBASSY",
    *,
    direction: str = "OUTGOING",
    organisation: str = "Consulate of Uzbekistan, Almaty",
    key: str | None = None,
) -> dict[str, Any]:
    variables = {
        "resident": encode_id("Resident", resident.id),
        "direction": direction,
        "partner": partner,
        "organisation": organisation,
        "key": key,
    }
    payload: dict[str, Any] = (await gql.data(REFER, variables))["referralCreate"]
    return payload


async def _consenting(**consents: bool) -> Resident:
    resident = await new_resident()
    await Resident.filter(id=resident.id).update(**consents)
    return await Resident.get(id=resident.id)


@pytest.mark.parametrize(
    ("partner", "consent"),
    [
        ("POLICE", "consent_share_police"),
        ("EMBASSY", "consent_share_consulate"),
        ("PARTNER_NGO", "consent_share_partner_ngo"),
    ],
)
async def test_an_outgoing_referral_needs_the_matching_consent(
    gql: GraphQLClient, partner: str, consent: str
) -> None:
    # given a person who consented to every other kind of sharing, but not this one
    await build_network(shelters=1, regions=1)
    others = {"consent_share_police", "consent_share_consulate", "consent_share_partner_ngo"}
    person = await _consenting(**{name: True for name in others - {consent}})

    # when
    refused = await _refer(gql, person, partner)

    # then refused, and nothing written
    assert refused["referral"] is None
    assert [error["code"] for error in refused["errors"]] == ["CONSENT_REQUIRED"]
    assert await Referral.all().count() == 0

    # when the person consents
    await Resident.filter(id=person.id).update(**{consent: True})
    made = await _refer(gql, person, partner)

    # then
    assert made["errors"] == []
    assert made["referral"]["status"] == "OPEN"
    assert made["referral"]["shelter"] == {"name": "Shelter 0"}
    assert await AuditEvent.filter(action="refer", resident_id=person.id).count() == 1


async def test_a_hospital_referral_and_an_incoming_one_need_no_sharing_consent(
    gql: GraphQLClient,
) -> None:
    await build_network(shelters=1, regions=1)
    person = await new_resident()  # consented to data processing only

    hospital = await _refer(gql, person, "HOSPITAL", organisation="City hospital No. 4")
    from_police = await _refer(gql, person, "POLICE", direction="INCOMING")

    assert hospital["errors"] == [] and from_police["errors"] == []
    assert await Referral.filter(resident_id=person.id).count() == 2


async def test_statuses_move_forward_and_end(gql: GraphQLClient) -> None:
    # given
    await build_network(shelters=1, regions=1)
    person = await new_resident()
    referral = (await _refer(gql, person, "HOSPITAL"))["referral"]

    async def set_status(status: str) -> dict[str, Any]:
        variables = {"referral": referral["id"], "status": status}
        result: dict[str, Any] = (await gql.data(SET_STATUS, variables))["referralSetStatus"]
        return result

    # when / then
    assert (await set_status("COMPLETED"))["errors"][0]["code"] == "STATUS_CHANGE_NOT_ALLOWED"
    accepted = await set_status("ACCEPTED")
    assert accepted["errors"] == [] and accepted["referral"]["closedAt"] is None
    completed = await set_status("COMPLETED")
    assert completed["errors"] == [] and completed["referral"]["closedAt"] is not None
    again = await set_status("DECLINED")
    assert again["referral"] is None
    assert again["errors"] == [
        {
            "code": "STATUS_CHANGE_NOT_ALLOWED",
            "field": ["input", "status"],
            "message": "A completed referral cannot become declined.",
        }
    ]
    assert (await Referral.get()).status.value == "completed"


async def test_bad_input_is_refused_and_writes_nothing(gql: GraphQLClient) -> None:
    await build_network(shelters=1, regions=1)
    person = await new_resident()

    blank = await _refer(gql, person, "HOSPITAL", organisation="   ")
    long = await _refer(gql, person, "HOSPITAL", organisation="x" * 201)
    stranger = await _refer(gql, Resident(id=10**6), "HOSPITAL")

    assert blank["errors"][0]["code"] == "REQUIRED"
    assert blank["errors"][0]["field"] == ["input", "organisation"]
    assert long["errors"][0]["code"] == "TOO_LONG"
    assert stranger["errors"][0]["code"] == "NOT_FOUND"
    assert await Referral.all().count() == 0


async def test_a_replayed_referral_is_made_once(gql: GraphQLClient) -> None:
    await build_network(shelters=1, regions=1)
    person = await new_resident()
    key = str(uuid.uuid4())

    answers = [await _refer(gql, person, "HOSPITAL", key=key) for _ in range(3)]

    assert all(answer == answers[0] for answer in answers)
    assert await Referral.all().count() == 1


async def _world() -> tuple[Network, Resident]:
    """Shelters 0 and 1; a person checked in at 0 with a hospital referral made there."""
    network = await build_network(shelters=2, regions=1)
    person = await new_resident(shelter=network.shelters[0])
    await check_in(await staff(), person.id, network.beds_of(network.shelters[0])[0].id)
    return network, person


@pytest.mark.parametrize(
    ("role", "shelter", "sees"),
    [
        (Role.SHELTER_STAFF, 0, True),
        (Role.MEDICAL, 0, True),
        (Role.COUNSELLOR, 0, True),
        (Role.LEGAL, 0, True),
        (Role.SHELTER_STAFF, 1, False),
        (Role.COORDINATOR, None, False),
        (Role.ADMIN, None, False),
    ],
)
async def test_who_sees_referrals(
    gql: GraphQLClient, role: Role, shelter: int | None, sees: bool
) -> None:
    # given
    network, person = await _world()
    await _refer(gql.as_token(await sign_in(Role.LEGAL, [network.shelters[0]])), person, "HOSPITAL")
    shelters = [] if shelter is None else [network.shelters[shelter]]
    viewer = gql.as_token(await sign_in(role, shelters))

    # when
    listed = (await viewer.data(REFERRALS))["referrals"]
    on_resident = (await viewer.data(RESIDENT_REFERRALS, {"id": encode_id("Resident", person.id)}))[
        "resident"
    ]
    node = await viewer.post(
        "query ($id: ID!) { node(id: $id) { ... on Referral { organisation } } }",
        {"id": encode_id("Referral", (await Referral.get()).id)},
    )

    # then
    assert listed["totalCount"] == (1 if sees else 0)
    assert (node["data"]["node"] is not None) is sees
    if sees:
        assert on_resident["referrals"] == [
            {"organisation": "Consulate of Uzbekistan, Almaty", "status": "OPEN"}
        ]
    elif on_resident is not None:  # network roles see the person, not their referrals
        assert on_resident["referrals"] == []


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
async def test_network_roles_may_not_refer(gql: GraphQLClient, role: Role) -> None:
    _, person = await _world()
    viewer = gql.as_token(await sign_in(role))

    refused = await _refer(viewer, person, "HOSPITAL")

    assert [error["code"] for error in refused["errors"]] == ["FORBIDDEN"]
    assert await Referral.all().count() == 0


async def test_staff_of_another_shelter_may_not_refer_the_person(gql: GraphQLClient) -> None:
    network, person = await _world()
    other = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[1]]))

    refused = await _refer(other, person, "HOSPITAL")

    assert [error["code"] for error in refused["errors"]] == ["NOT_FOUND"]


async def test_the_case_moves_with_a_person_transferred_to_another_shelter(
    gql: GraphQLClient,
) -> None:
    # given a referral made at shelter 0
    network, person = await _world()
    await _refer(gql.as_token(await sign_in(Role.LEGAL, [network.shelters[0]])), person, "HOSPITAL")
    staff_of_1 = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[1]]))
    variables = {"id": encode_id("Resident", person.id)}
    assert (await staff_of_1.data(RESIDENT_REFERRALS, variables))["resident"] is None

    # when the person moves to shelter 1
    stay = await person.stays.all().first()
    assert stay is not None
    await transfer(await staff(), stay.id, network.beds_of(network.shelters[1])[0].id)

    # then shelter 1's staff see the person with the referral made before, and may refer anew
    seen = (await staff_of_1.data(RESIDENT_REFERRALS, variables))["resident"]
    assert seen["referrals"] == [
        {"organisation": "Consulate of Uzbekistan, Almaty", "status": "OPEN"}
    ]
    made = await _refer(staff_of_1, person, "HOSPITAL")
    assert made["errors"] == [] and made["referral"]["shelter"] == {"name": "Shelter 1"}


async def test_listing_referrals_costs_the_same_for_2_and_20(gql: GraphQLClient) -> None:
    network, person = await _world()

    async def statements() -> int:
        with QueryCounter() as counter:
            await gql.data(REFERRALS)
        return counter.count

    await _refer(gql, person, "HOSPITAL")
    await _refer(gql, person, "POLICE", direction="INCOMING")
    few = await statements()
    for _ in range(18):
        await _refer(gql, person, "HOSPITAL")
    many = await statements()

    assert few == many
    assert network

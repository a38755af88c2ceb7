"""Registering residents and finding them: consent, validation, search, node lookups."""

from __future__ import annotations

from typing import Any

from server.domain.stays import check_in
from server.models import Resident
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident, staff

REGISTER = """
mutation ($input: ResidentRegisterInput!) {
  residentRegister(input: $input) {
    resident { id code givenName familyName nationality languages ageBand sex
      exploitationTypes consents { dataProcessing sharePolice } safety { doNotDisclosePresence }
      currentStay { id } stays { id } }
    errors { code field message }
  }
}"""

SEARCH = """
query ($search: String, $shelter: ID, $inShelter: Boolean, $first: Int, $after: String) {
  residents(
    search: $search, shelter: $shelter, inShelter: $inShelter, first: $first, after: $after
  ) {
    totalCount
    edges { cursor node { code givenName } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""

RESIDENT = """
query ($id: ID!) {
  resident(id: $id) {
    code stays { shelter { name } bedHistory { bed { label } endedAt } }
    currentStay { bed { label } }
  }
}"""

NODE = """
query ($id: ID!) {
  node(id: $id) { id ... on Resident { code } ... on Bed { label status } ... on Shelter { name } }
}
"""


def registration(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "givenName": "Malika",
        "familyName": "Yusupova",
        "birthDate": "1998-04-12",
        "sex": "FEMALE",
        "nationality": "uz",
        "languages": ["uz", "ru"],
        "preferredLanguage": "uz",
        "referralSource": "HOTLINE",
        "documentStatus": "CONFISCATED",
        "exploitationTypes": ["LABOUR", "SEXUAL"],
        "consents": {"dataProcessing": True, "sharePolice": False},
    }
    values.update(changes)
    return values


async def test_register_gives_a_pseudonymous_code(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    payload = (await gql.data(REGISTER, {"input": registration()}))["residentRegister"]

    assert payload["errors"] == []
    resident = payload["resident"]
    assert resident["code"].startswith("HV-20") and len(resident["code"]) == len("HV-2026-000123")
    assert resident["nationality"] == "UZ"
    assert resident["ageBand"] == "AGE_25_34"
    assert resident["exploitationTypes"] == ["LABOUR", "SEXUAL"]
    assert resident["currentStay"] is None and resident["stays"] == []


async def test_register_without_consent_is_refused_and_nothing_stored(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    payload = (
        await gql.data(REGISTER, {"input": registration(consents={"dataProcessing": False})})
    )["residentRegister"]

    assert payload["resident"] is None
    assert payload["errors"] == [
        {
            "code": "CONSENT_REQUIRED",
            "field": ["input", "consents", "dataProcessing"],
            "message": "Consent to data processing is required to register a resident.",
        }
    ]
    assert await Resident.all().count() == 0


async def test_bad_input_names_the_field(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    cases = [
        ({"givenName": "x" * 101}, "TOO_LONG", ["input", "givenName"]),
        ({"givenName": "   "}, "REQUIRED", ["input", "givenName"]),
        ({"nationality": "Uzbekistan"}, "INVALID_VALUE", ["input", "nationality"]),
        ({"languages": ["uz", "Uzbek"]}, "INVALID_VALUE", ["input", "languages", "1"]),
        ({"birthDate": "2999-01-01"}, "DATE_IN_FUTURE", ["input", "birthDate"]),
        ({"birthDate": "1850-01-01"}, "INVALID_VALUE", ["input", "birthDate"]),
        ({"phone": "1" * 41}, "TOO_LONG", ["input", "phone"]),
        ({"knownThreats": "nul\x00byte"}, "INVALID_VALUE", ["input", "knownThreats"]),
    ]
    for change, code, field in cases:
        payload = (await gql.data(REGISTER, {"input": registration(**change)}))["residentRegister"]
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], change
    assert await Resident.all().count() == 0


async def test_search_by_code_name_shelter_and_presence(gql: GraphQLClient) -> None:
    network = await build_network()
    inside = await new_resident("Zarina", "Rakhimova")
    outside = await new_resident("Aigerim", "Nurlanova")
    await check_in(await staff(), inside.id, network.beds_of(network.shelters[0])[0].id)

    async def codes(**variables: Any) -> list[str]:
        result = await gql.data(SEARCH, variables)
        return [edge["node"]["code"] for edge in result["residents"]["edges"]]

    assert await codes(search="rakhim") == [inside.code]
    assert await codes(search="ZARINA rakhimova") == [inside.code]
    assert await codes(search=outside.code) == [outside.code]
    assert await codes(inShelter=True) == [inside.code]
    assert await codes(inShelter=False) == [outside.code]
    assert await codes(shelter=encode_id("Shelter", network.shelters[0].id)) == [inside.code]
    assert await codes(shelter=encode_id("Shelter", network.shelters[1].id)) == []


async def test_pages_follow_cursors_and_are_capped(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    for number in range(5):
        await new_resident(f"Person{number}")

    first = (await gql.data(SEARCH, {"first": 2}))["residents"]
    second = (await gql.data(SEARCH, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "residents"
    ]
    last = (await gql.data(SEARCH, {"first": 2, "after": second["pageInfo"]["endCursor"]}))[
        "residents"
    ]
    huge = (await gql.data(SEARCH, {"first": 1_000_000}))["residents"]

    names = [e["node"]["givenName"] for page in (first, second, last) for e in page["edges"]]
    assert names == [f"Person{n}" for n in range(5)]
    assert first["pageInfo"]["hasNextPage"] and not last["pageInfo"]["hasNextPage"]
    assert second["pageInfo"]["hasPreviousPage"]
    assert first["totalCount"] == 5 and len(huge["edges"]) == 5
    for bad in ({"first": 0}, {"after": "bm90IGEgY3Vyc29y"}, {"after": "%%%"}):
        body = await gql.post(SEARCH, bad)
        assert body["data"] is None and body["errors"][0]["message"], bad


async def test_resident_shows_stays_and_bed_history(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = await new_resident()
    await check_in(await staff(), resident.id, network.beds[0].id)

    result = (await gql.data(RESIDENT, {"id": encode_id("Resident", resident.id)}))["resident"]

    assert result["code"] == resident.code
    assert result["currentStay"]["bed"]["label"] == network.beds[0].label
    assert result["stays"][0]["bedHistory"] == [
        {"bed": {"label": network.beds[0].label}, "endedAt": None}
    ]


async def test_node_finds_every_kind_and_refuses_nonsense(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = await new_resident()

    assert (await gql.data(NODE, {"id": encode_id("Resident", resident.id)}))["node"][
        "code"
    ] == resident.code
    assert (await gql.data(NODE, {"id": encode_id("Bed", network.beds[0].id)}))["node"][
        "status"
    ] == "FREE"
    assert (await gql.data(NODE, {"id": encode_id("Shelter", 424242)}))["node"] is None
    assert (await gql.data(NODE, {"id": encode_id("Shelter", 10**12)}))["node"] is None
    for nonsense in ("", "garbage", encode_id("Nope", 1)):
        body = await gql.post(NODE, {"id": nonsense})
        assert body["data"]["node"] is None and "not an ID" in body["errors"][0]["message"]

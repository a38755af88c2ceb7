"""The GraphQL surface against abuse: limits, production mode, malformed requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from server.domain import stays
from server.models import Role
from server.schema import MAX_ALIASES, MAX_DEPTH
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import build_network, new_resident

DEEP = (
    "{ shelters { edges { node { "
    + "rooms { shelter { " * MAX_DEPTH
    + "name"
    + " } }" * MAX_DEPTH
    + " } } } }"
)
ALIASES = "{ " + " ".join(f"a{n}: regions {{ name }}" for n in range(MAX_ALIASES + 1)) + " }"
TYPO = "{ regions { nam } }"
INTROSPECTION = "{ __schema { types { name } } }"
CHECK_IN = """mutation ($resident: ID!, $bed: ID!) {
  checkIn(input: {resident: $resident, bed: $bed}) { stay { id } errors { code } } }"""


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(replace(settings, environment="production"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
            yield http


async def _post(http: httpx.AsyncClient, token: str, query: str, **variables: object) -> dict:  # type: ignore[type-arg]
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code < 500, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_depth_and_aliases_are_limited_every_time(gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    for _ in range(2):  # the second time from the validation cache
        deep = await gql.post(DEEP)
        assert (
            deep["data"] is None
            and "exceeds maximum operation depth" in deep["errors"][0]["message"]
        )
        aliases = await gql.post(ALIASES)
        assert aliases["data"] is None and "aliases" in aliases["errors"][0]["message"].lower()


async def test_oversized_batched_and_non_object_bodies_are_refused(
    client: httpx.AsyncClient,
) -> None:
    big = json.dumps({"query": "{ regions { name } }", "variables": {"x": "y" * 70_000}})
    batched = json.dumps([{"query": "{ regions { name } }"}, {"query": "{ regions { name } }"}])
    headers = {"content-type": "application/json"}

    assert (await client.post("/graphql", content=big, headers=headers)).status_code == 413
    assert (await client.post("/graphql", content=batched, headers=headers)).status_code == 400
    assert (await client.post("/graphql", content='"x"', headers=headers)).status_code == 400


async def test_development_shows_graphiql_and_suggestions(
    gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    typo = await gql.post(TYPO)

    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "Did you mean 'name'?" in typo["errors"][0]["message"]


async def test_production_hides_the_schema_and_masks_the_unexpected(
    production: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a signed-in member of staff, on a production server
    network = await build_network(shelters=1)
    resident = await new_resident()
    token = await sign_in(Role.SHELTER_STAFF, network.shelters)

    # then there is no GraphiQL, no introspection and no suggestion
    page = await production.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    introspection = await _post(production, token, INTROSPECTION)
    assert introspection.get("data") is None
    assert "introspection" in introspection["errors"][0]["message"].lower()
    typo = await _post(production, token, TYPO)
    assert typo["errors"][0]["message"] == "Cannot query field 'nam' on type 'Region'."

    # and refusals stay readable while a crash says nothing of itself
    refused = await _post(production, token, "{ residents(first: 0) { totalCount } }")
    assert refused["errors"][0]["message"] == "first must be at least 1."

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection to 10.0.0.5 lost, table resident locked")

    monkeypatch.setattr(stays, "check_in", broken)
    crashed = await _post(
        production,
        token,
        CHECK_IN,
        resident=encode_id("Resident", resident.id),
        bed=encode_id("Bed", network.beds[0].id),
    )
    assert crashed["errors"][0]["message"] == "Unexpected error."
    assert "10.0.0.5" not in json.dumps(crashed) and "Traceback" not in json.dumps(crashed)


async def test_anonymous_requests_get_nothing_but_viewer_and_login(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    resident = await new_resident()
    anonymous = gql.as_token(None)

    viewer = await anonymous.post("{ viewer { username } }")
    regions = await anonymous.post("{ regions { name } }")
    check_in = await anonymous.post(
        CHECK_IN,
        {
            "resident": encode_id("Resident", resident.id),
            "bed": encode_id("Bed", network.beds[0].id),
        },
    )

    assert viewer == {"data": {"viewer": None}}
    assert (
        regions["data"] is None and regions["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    )
    assert [e["code"] for e in check_in["data"]["checkIn"]["errors"]] == ["UNAUTHENTICATED"]

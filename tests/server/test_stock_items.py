"""The item catalogue through the API: administrators create and edit items, everyone signed in
reads it; sizes and seasons are for clothing only, perishability for food only."""

from __future__ import annotations

from typing import Any

import pytest

from server.domain.access import SHELTER_ROLES
from server.models import AuditEvent, Item, ItemCategory, ItemUnit, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import build_network
from tests.server.stock_network import new_item

ITEM = "id name category unit clothingSize season perishable"

ITEM_CREATE = f"""
mutation ($input: ItemCreateInput!, $key: UUID) {{
  itemCreate(input: $input, idempotencyKey: $key) {{
    item {{ {ITEM} }} errors {{ code field message }}
  }}
}}"""

ITEM_UPDATE = f"""
mutation ($input: ItemUpdateInput!) {{
  itemUpdate(input: $input) {{ item {{ {ITEM} }} errors {{ code field message }} }}
}}"""

ITEMS = """
query ($category: ItemCategory, $search: String, $after: String, $first: Int) {
  items(category: $category, search: $search, after: $after, first: $first) {
    totalCount edges { node { name clothingSize } } pageInfo { hasNextPage endCursor }
  }
}"""

ITEM_NODE = "query ($id: ID!) { node(id: $id) { id ... on Item { name unit } } }"


@pytest.fixture
async def admin(gql: GraphQLClient) -> GraphQLClient:
    return gql.as_token(await sign_in(Role.ADMIN))


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


async def test_an_administrator_adds_food_clothing_and_hygiene_items(admin: GraphQLClient) -> None:
    inputs = [
        {"name": " Rice ", "category": "FOOD", "unit": "KG"},
        {"name": "Bread", "category": "FOOD", "unit": "PIECE", "perishable": True},
        {
            "name": "Winter boots",
            "category": "CLOTHING",
            "unit": "PAIR",
            "clothingSize": "42",
            "season": "WINTER",
        },
        {"name": "Headscarf", "category": "CLOTHING", "unit": "PIECE"},
        {"name": "Hygiene kit", "category": "HYGIENE", "unit": "KIT"},
    ]

    created = [(await admin.data(ITEM_CREATE, {"input": i}))["itemCreate"] for i in inputs]

    assert [payload["errors"] for payload in created] == [[]] * 5
    assert [{k: v for k, v in payload["item"].items() if k != "id"} for payload in created] == [
        {
            "name": "Rice",
            "category": "FOOD",
            "unit": "KG",
            "clothingSize": None,
            "season": None,
            "perishable": False,
        },
        {
            "name": "Bread",
            "category": "FOOD",
            "unit": "PIECE",
            "clothingSize": None,
            "season": None,
            "perishable": True,
        },
        {
            "name": "Winter boots",
            "category": "CLOTHING",
            "unit": "PAIR",
            "clothingSize": "42",
            "season": "WINTER",
            "perishable": False,
        },
        {
            "name": "Headscarf",
            "category": "CLOTHING",
            "unit": "PIECE",
            "clothingSize": None,
            "season": "ALL_SEASON",
            "perishable": False,
        },
        {
            "name": "Hygiene kit",
            "category": "HYGIENE",
            "unit": "KIT",
            "clothingSize": None,
            "season": None,
            "perishable": False,
        },
    ]
    assert await Item.all().count() == 5
    assert await AuditEvent.filter(action="item_create").count() == 5


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "FOOD", "clothingSize": "M"}, "clothingSize"),
        ({"category": "HYGIENE", "season": "WINTER"}, "season"),
        ({"category": "CLOTHING", "perishable": True}, "perishable"),
        ({"category": "MEDICAL_SUPPLY", "perishable": True}, "perishable"),
        ({"category": "CLOTHING", "clothingSize": "x" * 21}, "clothingSize"),
    ],
)
async def test_fields_of_another_category_are_refused(
    admin: GraphQLClient, fields: dict[str, Any], field: str
) -> None:
    payload = (
        await admin.data(ITEM_CREATE, {"input": {"name": "Thing", "unit": "PIECE", **fields}})
    )["itemCreate"]

    assert payload["item"] is None
    assert codes(payload) == [
        ("TOO_LONG" if "x" * 21 in str(fields) else "INVALID_VALUE", ["input", field])
    ]
    assert await Item.all().count() == 0


@pytest.mark.parametrize(
    ("name", "code"), [("", "REQUIRED"), ("   ", "REQUIRED"), ("x" * 101, "TOO_LONG")]
)
async def test_a_name_is_required_and_short(admin: GraphQLClient, name: str, code: str) -> None:
    payload = (
        await admin.data(ITEM_CREATE, {"input": {"name": name, "category": "FOOD", "unit": "KG"}})
    )["itemCreate"]

    assert codes(payload) == [(code, ["input", "name"])]
    assert await Item.all().count() == 0


async def test_the_same_name_and_size_twice_is_refused_in_any_case(admin: GraphQLClient) -> None:
    await new_item("Rice")
    await new_item("T-shirt", category=ItemCategory.CLOTHING, clothing_size="M")

    again = (
        await admin.data(ITEM_CREATE, {"input": {"name": "RICE", "category": "FOOD", "unit": "KG"}})
    )["itemCreate"]
    other_size = (
        await admin.data(
            ITEM_CREATE,
            {
                "input": {
                    "name": "T-shirt",
                    "category": "CLOTHING",
                    "unit": "PIECE",
                    "clothingSize": "L",
                }
            },
        )
    )["itemCreate"]

    assert again["errors"] == [
        {
            "code": "ITEM_ALREADY_EXISTS",
            "field": ["input", "name"],
            "message": "RICE is already in the catalogue.",
        }
    ]
    assert other_size["errors"] == []
    assert await Item.all().count() == 3


async def test_the_unique_index_refuses_a_duplicate_that_raced_past_the_check(
    admin: GraphQLClient,
) -> None:
    await new_item("Rice")

    with pytest.raises(Exception, match="uq_item_name_size|UNIQUE"):  # noqa: B017
        await Item.create(name="rice", category=ItemCategory.FOOD, unit=ItemUnit.KG)

    assert await Item.all().count() == 1


@pytest.mark.parametrize("role", [role for role in Role if role is not Role.ADMIN])
async def test_only_administrators_keep_the_catalogue(gql: GraphQLClient, role: Role) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    shelters = network.shelters[:1] if role in SHELTER_ROLES else []
    person = gql.as_token(await sign_in(role, shelters))

    created = (
        await person.data(
            ITEM_CREATE, {"input": {"name": "Flour", "category": "FOOD", "unit": "KG"}}
        )
    )["itemCreate"]
    updated = (
        await person.data(ITEM_UPDATE, {"input": {"item": encode_id("Item", rice.id), "name": "X"}})
    )["itemUpdate"]

    assert created == {
        "item": None,
        "errors": [{"code": "FORBIDDEN", "field": None, "message": "Your role may not do this."}],
    }
    assert updated["errors"][0]["code"] == "FORBIDDEN"
    assert await Item.all().values_list("name", flat=True) == ["Rice"]


async def test_an_administrator_renames_and_resizes_an_item(admin: GraphQLClient) -> None:
    boots = await new_item("Boots", category=ItemCategory.CLOTHING, unit=ItemUnit.PAIR)
    bread = await new_item("Bread")
    ids = {"boots": encode_id("Item", boots.id), "bread": encode_id("Item", bread.id)}

    renamed = (
        await admin.data(
            ITEM_UPDATE,
            {
                "input": {
                    "item": ids["boots"],
                    "name": "Winter boots",
                    "clothingSize": "40",
                    "season": "WINTER",
                }
            },
        )
    )["itemUpdate"]
    perishable = (
        await admin.data(ITEM_UPDATE, {"input": {"item": ids["bread"], "perishable": True}})
    )["itemUpdate"]
    sized_bread = (
        await admin.data(ITEM_UPDATE, {"input": {"item": ids["bread"], "clothingSize": "L"}})
    )["itemUpdate"]
    missing = (
        await admin.data(ITEM_UPDATE, {"input": {"item": encode_id("Item", 999_999), "name": "X"}})
    )["itemUpdate"]

    assert renamed["item"] == {
        "id": ids["boots"],
        "name": "Winter boots",
        "category": "CLOTHING",
        "unit": "PAIR",
        "clothingSize": "40",
        "season": "WINTER",
        "perishable": False,
    }
    assert perishable["item"]["perishable"] is True
    assert codes(sized_bread) == [("INVALID_VALUE", ["input", "clothingSize"])]
    assert codes(missing) == [("NOT_FOUND", ["input", "item"])]
    await bread.refresh_from_db()
    assert (bread.perishable, bread.clothing_size) == (True, "")


@pytest.mark.parametrize("role", list(Role))
async def test_every_signed_in_role_reads_the_catalogue(gql: GraphQLClient, role: Role) -> None:
    await new_item("Rice")
    await new_item("Rice flour")
    await new_item("Soap", category=ItemCategory.HYGIENE)
    tshirt = await new_item("T-shirt", category=ItemCategory.CLOTHING, clothing_size="S")
    network = await build_network(shelters=1)
    person = gql.as_token(await sign_in(role, network.shelters if role in SHELTER_ROLES else []))

    everything = (await person.data(ITEMS))["items"]
    rice = (await person.data(ITEMS, {"search": "rice"}))["items"]
    food_flour = (await person.data(ITEMS, {"category": "FOOD", "search": "FLOUR rice"}))["items"]
    hygiene = (await person.data(ITEMS, {"category": "HYGIENE"}))["items"]
    node = (await person.data(ITEM_NODE, {"id": encode_id("Item", tshirt.id)}))["node"]

    assert everything["totalCount"] == 4
    assert [edge["node"]["name"] for edge in rice["edges"]] == ["Rice", "Rice flour"]
    assert [edge["node"]["name"] for edge in food_flour["edges"]] == ["Rice flour"]
    assert [edge["node"]["name"] for edge in hygiene["edges"]] == ["Soap"]
    assert node == {"id": encode_id("Item", tshirt.id), "name": "T-shirt", "unit": "PACK"}


async def test_the_catalogue_pages_and_is_closed_to_nobody_signed_in(gql: GraphQLClient) -> None:
    for number in range(5):
        await new_item(f"Item {number}")

    first = (await gql.data(ITEMS, {"first": 3}))["items"]
    rest = (await gql.data(ITEMS, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["items"]
    anonymous = await gql.as_token(None).post(ITEMS)

    assert [e["node"]["name"] for e in first["edges"]] == ["Item 0", "Item 1", "Item 2"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["name"] for e in rest["edges"]] == ["Item 3", "Item 4"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

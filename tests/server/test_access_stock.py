"""Who may see and do what with stock, cell by cell: every viewer × every stock query, field and
mutation, with exactly what comes back.

The rules (DESIGN.md "Who may see what", server/domain/access.py's stock block):

* the catalogue: every signed-in role;
* stock levels, thresholds, movements and their quantities: network roles every shelter's,
  shelter roles their own shelters' (anyone else: not listed, null);
* who received a distribution (``StockMovement.resident``, ``Resident.distributions``): shelter
  roles only, like a resident's identity: network roles get null with FORBIDDEN;
* receive, distribute, transfer (from), count, write off: shelter staff of the shelter;
  thresholds: its shelter staff or an administrator; items: administrators.

The people world is test_access_matrix.py's (shelters A, B, C; residents ``in_a``, ``moved`` (A
then B), ``in_b``, ``hidden`` (in A, do-not-disclose), ``waiting``; the same ten viewers). On it:

* items rice (food, pack), bread (perishable food, piece), soap (hygiene, piece);
* A: 20 rice and 10 bread (expiring in 3 days) received; 2 rice to ``in_a``, 1 to ``hidden``;
  4 rice sent to B; rice low at 30;
* B: 5 rice received, 4 from A, 1 to ``moved``;
* C: 7 soap received; soap low at 10.

Every response to a network role is searched (``World.ask``) for names and notes, as in the
main matrix. Mutations that succeed change the world: it is built anew after them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from server.app import create_app
from server.domain.clock import now
from server.domain.stock import distribute, receive, set_threshold, transfer_stock
from server.models import Item, ItemCategory, ItemUnit, StockLevel, StockMovement
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import DATA_KEY, GraphQLClient, empty_tables
from tests.server.network import staff
from tests.server.stock_network import new_item
from tests.server.test_access_matrix import (
    ADMIN,
    ANONYMOUS,
    NETWORK,
    NOBODY,
    PEOPLE,
    SHELTER_BOUND,
    SHELTER_SEEN_BY,
    STAFF,
    STAFF_AB,
    STAFF_B,
    VIEWERS,
    World,
    assert_ok,
    assert_unauthenticated,
    cells,
    refusals,
    seed,
    snapshot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# --- the stock world -----------------------------------------------------------------------------

ITEMS = {
    "rice": ("Rice", ItemCategory.FOOD, ItemUnit.PACK, False),
    "bread": ("Bread", ItemCategory.FOOD, ItemUnit.PIECE, True),
    "soap": ("Soap", ItemCategory.HYGIENE, ItemUnit.PIECE, False),
}


@dataclass(frozen=True)
class Level:
    shelter: str
    item: str
    on_hand: int
    threshold: int | None

    @property
    def low(self) -> bool:
        return self.threshold is not None and self.on_hand <= self.threshold


#: Every level, in the order made (id order).
LEVELS = {
    "rice@A": Level("A", "rice", 13, 30),
    "bread@A": Level("A", "bread", 10, None),
    "rice@B": Level("B", "rice", 8, None),
    "soap@C": Level("C", "soap", 7, 10),
}


@dataclass(frozen=True)
class Move:
    level: str
    kind: str
    change: int
    resident: str | None = None

    @property
    def shelter(self) -> str:
        return LEVELS[self.level].shelter


#: Every movement, in the order made (id order).
MOVES = {
    "rice in A": Move("rice@A", "RECEIPT", 20),
    "bread in A": Move("bread@A", "RECEIPT", 10),
    "rice in B": Move("rice@B", "RECEIPT", 5),
    "soap in C": Move("soap@C", "RECEIPT", 7),
    "rice to in_a": Move("rice@A", "DISTRIBUTION", -2, "in_a"),
    "rice to hidden": Move("rice@A", "DISTRIBUTION", -1, "hidden"),
    "rice A to B": Move("rice@A", "TRANSFER_OUT", -4),
    "rice B from A": Move("rice@B", "TRANSFER_IN", 4),
    "rice to moved": Move("rice@B", "DISTRIBUTION", -1, "moved"),
}
OTHER_END = {"rice A to B": "rice B from A", "rice B from A": "rice A to B"}
#: What each resident was given, and where: (movement, shelter).
GIVEN = {
    resident: [key for key, move in MOVES.items() if move.resident == resident]
    for resident in PEOPLE
}


def sees(viewer: str, shelter: str) -> bool:
    return viewer in SHELTER_SEEN_BY[shelter]


@dataclass
class StockWorld:
    people: World
    items: dict[str, Item] = field(default_factory=dict)
    levels: dict[str, StockLevel] = field(default_factory=dict)
    moves: dict[str, StockMovement] = field(default_factory=dict)

    def id(self, kind: str, key: str) -> str:
        rows: dict[str, Any] = {
            "Item": self.items,
            "StockLevel": self.levels,
            "StockMovement": self.moves,
        }
        if kind in rows:
            return encode_id(kind, rows[kind][key].id)
        return self.people.id(kind, key)

    async def ask(
        self, viewer: str, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await self.people.ask(viewer, document, variables)


async def seed_stock(people: World) -> StockWorld:
    world = StockWorld(people)
    for key, (name, category, unit, perishable) in ITEMS.items():
        world.items[key] = await new_item(name, category=category, unit=unit, perishable=perishable)
    hand = await staff()
    shelters, residents = people.shelters, people.residents
    expiry = (now() + timedelta(days=3)).date()

    async def received(key: str, shelter: str, item: str, quantity: int) -> None:
        world.moves[key] = await receive(
            hand,
            shelter_id=shelters[shelter].id,
            item_id=world.items[item].id,
            quantity=quantity,
            donor="Red Crescent",
            expires_on=expiry if ITEMS[item][3] else None,
        )

    async def given(key: str, shelter: str, resident: str, quantity: int) -> None:
        world.moves[key] = await distribute(
            hand,
            shelter_id=shelters[shelter].id,
            item_id=world.items["rice"].id,
            resident_id=residents[resident].id,
            quantity=quantity,
        )

    await received("rice in A", "A", "rice", 20)
    await received("bread in A", "A", "bread", 10)
    await received("rice in B", "B", "rice", 5)
    await received("soap in C", "C", "soap", 7)
    await given("rice to in_a", "A", "in_a", 2)
    await given("rice to hidden", "A", "hidden", 1)
    world.moves["rice A to B"] = await transfer_stock(
        hand,
        from_shelter_id=shelters["A"].id,
        to_shelter_id=shelters["B"].id,
        item_id=world.items["rice"].id,
        quantity=4,
    )
    world.moves["rice B from A"] = await StockMovement.get(
        transfer_of_id=world.moves["rice A to B"].id
    )
    await given("rice to moved", "B", "moved", 1)
    for level in LEVELS.values():
        if level.threshold is not None:
            await set_threshold(
                hand,
                shelter_id=shelters[level.shelter].id,
                item_id=world.items[level.item].id,
                threshold=level.threshold,
            )
    for key, level in LEVELS.items():
        world.levels[key] = await StockLevel.get(
            shelter_id=shelters[level.shelter].id, item_id=world.items[level.item].id
        )
        assert (world.levels[key].on_hand, world.levels[key].threshold) == (
            level.on_hand,
            level.threshold,
        )
    assert list(world.moves) == list(MOVES)
    return world


@dataclass
class Stage:
    gql: GraphQLClient
    settings: Settings
    current: StockWorld | None = None

    async def world(self) -> StockWorld:
        if self.current is None:
            await empty_tables()
            self.current = await seed_stock(await seed(self.gql, self.settings))
        return self.current


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(database_url: str) -> AsyncIterator[Stage]:
    settings = Settings(
        database_url=database_url,
        environment="test",
        database_pool_size=60,
        data_key=DATA_KEY,
        login_delay_seconds=0.0,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
            yield Stage(GraphQLClient(http), settings)


@pytest_asyncio.fixture(loop_scope="module")
async def world(stage: Stage) -> StockWorld:
    return await stage.world()


async def stock_snapshot() -> dict[str, Any]:
    """Every row a request could write (the audit trail apart, which grows with reads)."""
    tables = await snapshot()
    del tables["AuditEvent"]
    for model in (Item, StockLevel, StockMovement):
        tables[model.__name__] = await model.all().order_by("id").values()
    return tables


# --- documents -----------------------------------------------------------------------------------

ITEMS_LIST = "{ items(first: 100) { totalCount edges { node { id name category unit } } } }"
NODE = """
query ($id: ID!) {
  node(id: $id) {
    id
    ... on Item { name perishable }
    ... on StockLevel { onHand threshold low shelter { name } item { name } }
    ... on StockMovement { kind quantity change shelter { name } item { name } resident { code } }
  }
}"""
STOCK = """
query ($shelter: ID!) {
  stock(shelter: $shelter, first: 100) {
    totalCount edges { node { id onHand threshold low item { name } } }
  }
}"""
LOW = "{ lowStock(first: 100) { totalCount edges { node { id shelter { name } onHand } } } }"
EXPIRING = """
{ expiringStock(first: 100) {
    totalCount edges { node { id stillOnHand expiresOn shelter { name } } }
} }"""
MOVEMENTS = """
{ stockMovements(first: 100) {
    totalCount edges { node { id kind change shelter { name } resident { code } } }
} }"""
COUNTERPART = """
query ($id: ID!) {
  node(id: $id) { ... on StockMovement { kind counterpart { id kind shelter { name } } } }
}"""
DISTRIBUTIONS = """
query ($id: ID!) {
  resident(id: $id) {
    code distributions { totalCount edges { node { id quantity shelter { name } } } }
  }
}"""

# --- reads ---------------------------------------------------------------------------------------


def expected_move(world: StockWorld, viewer: str, key: str) -> dict[str, Any]:
    move = MOVES[key]
    recipient = None
    if move.resident is not None and viewer in SHELTER_BOUND:
        recipient = {"code": world.people.code(move.resident)}
    return {
        "id": world.id("StockMovement", key),
        "kind": move.kind,
        "change": move.change,
        "shelter": {"name": f"Shelter {move.shelter}"},
        "resident": recipient,
    }


def recipient_refusals(viewer: str, keys: list[str], path: Callable[[int], tuple[Any, ...]]) -> Any:
    """FORBIDDEN at each listed distribution's ``resident``, for a network role."""
    if viewer not in NETWORK:
        return []
    return sorted(
        ("FORBIDDEN", path(index))
        for index, key in enumerate(keys)
        if MOVES[key].resident is not None
    )


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_the_catalogue(world: StockWorld, viewer: str) -> None:
    body = await world.ask(viewer, ITEMS_LIST)

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "items")
        return
    assert [edge["node"]["name"] for edge in assert_ok(body)["items"]["edges"]] == [
        "Rice",
        "Bread",
        "Soap",
    ]


@pytest.mark.parametrize(("viewer", "item"), cells(VIEWERS, list(ITEMS)))
async def test_an_item_by_node(world: StockWorld, viewer: str, item: str) -> None:
    body = await world.ask(viewer, NODE, {"id": world.id("Item", item)})

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
        return
    assert assert_ok(body)["node"] == {
        "id": world.id("Item", item),
        "name": ITEMS[item][0],
        "perishable": ITEMS[item][3],
    }


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_stock_of_a_shelter(world: StockWorld, viewer: str, shelter: str) -> None:
    body = await world.ask(viewer, STOCK, {"shelter": world.id("Shelter", shelter)})

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "stock")
        return
    expected = [
        {
            "id": world.id("StockLevel", key),
            "onHand": level.on_hand,
            "threshold": level.threshold,
            "low": level.low,
            "item": {"name": ITEMS[level.item][0]},
        }
        for key, level in LEVELS.items()
        if level.shelter == shelter and sees(viewer, shelter)
    ]
    assert assert_ok(body)["stock"] == {
        "totalCount": len(expected),
        "edges": [{"node": node} for node in expected],
    }


@pytest.mark.parametrize(("viewer", "level"), cells(VIEWERS, list(LEVELS)))
async def test_a_stock_level_by_node(world: StockWorld, viewer: str, level: str) -> None:
    body = await world.ask(viewer, NODE, {"id": world.id("StockLevel", level)})

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
        return
    expected = LEVELS[level]
    if not sees(viewer, expected.shelter):
        assert assert_ok(body) == {"node": None}
        return
    assert assert_ok(body)["node"] == {
        "id": world.id("StockLevel", level),
        "onHand": expected.on_hand,
        "threshold": expected.threshold,
        "low": expected.low,
        "shelter": {"name": f"Shelter {expected.shelter}"},
        "item": {"name": ITEMS[expected.item][0]},
    }


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_low_stock_everywhere(world: StockWorld, viewer: str) -> None:
    body = await world.ask(viewer, LOW)

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "lowStock")
        return
    expected = [
        {
            "id": world.id("StockLevel", key),
            "shelter": {"name": f"Shelter {level.shelter}"},
            "onHand": level.on_hand,
        }
        for key, level in LEVELS.items()
        if level.low and sees(viewer, level.shelter)
    ]
    assert [edge["node"] for edge in assert_ok(body)["lowStock"]["edges"]] == expected


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_food_expiring_soon(world: StockWorld, viewer: str) -> None:
    body = await world.ask(viewer, EXPIRING)

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "expiringStock")
        return
    expected = []
    if sees(viewer, "A"):
        expected = [
            {
                "id": world.id("StockMovement", "bread in A"),
                "stillOnHand": 10,
                "expiresOn": (now() + timedelta(days=3)).date().isoformat(),
                "shelter": {"name": "Shelter A"},
            }
        ]
    assert [edge["node"] for edge in assert_ok(body)["expiringStock"]["edges"]] == expected


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_the_ledger_and_who_received_what(world: StockWorld, viewer: str) -> None:
    body = await world.ask(viewer, MOVEMENTS)

    # then the movements of the shelters the viewer sees, with quantities; the recipient for
    # shelter roles, null with FORBIDDEN for network roles
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "stockMovements")
        return
    keys = [key for key, move in MOVES.items() if sees(viewer, move.shelter)]
    assert body["data"]["stockMovements"] == {
        "totalCount": len(keys),
        "edges": [{"node": expected_move(world, viewer, key)} for key in keys],
    }
    assert refusals(body) == recipient_refusals(
        viewer,
        keys,
        lambda index: ("stockMovements", "edges", index, "node", "resident"),
    )


@pytest.mark.parametrize(("viewer", "move"), cells(VIEWERS, list(MOVES)))
async def test_a_movement_by_node(world: StockWorld, viewer: str, move: str) -> None:
    body = await world.ask(viewer, NODE, {"id": world.id("StockMovement", move)})

    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
        return
    if not sees(viewer, MOVES[move].shelter):
        assert assert_ok(body) == {"node": None}
        return
    expected = expected_move(world, viewer, move)
    assert body["data"]["node"] == {
        **expected,
        "quantity": abs(MOVES[move].change),
        "item": {"name": ITEMS[LEVELS[MOVES[move].level].item][0]},
    }
    assert refusals(body) == recipient_refusals(viewer, [move], lambda _: ("node", "resident"))


@pytest.mark.parametrize(("viewer", "move"), cells(VIEWERS, list(OTHER_END)))
async def test_the_other_end_of_a_transfer(world: StockWorld, viewer: str, move: str) -> None:
    body = await world.ask(viewer, COUNTERPART, {"id": world.id("StockMovement", move)})

    # then each end shows to who sees its shelter, and links to the other end if they see that
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
        return
    if not sees(viewer, MOVES[move].shelter):
        assert assert_ok(body) == {"node": None}
        return
    other = OTHER_END[move]
    counterpart = None
    if sees(viewer, MOVES[other].shelter):
        counterpart = {
            "id": world.id("StockMovement", other),
            "kind": MOVES[other].kind,
            "shelter": {"name": f"Shelter {MOVES[other].shelter}"},
        }
    assert assert_ok(body)["node"] == {"kind": MOVES[move].kind, "counterpart": counterpart}


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, list(PEOPLE)))
async def test_a_residents_distributions(world: StockWorld, viewer: str, resident: str) -> None:
    body = await world.ask(viewer, DISTRIBUTIONS, {"id": world.id("Resident", resident)})

    # then shelter roles who see the person get what was given in their shelters; network
    # roles null with FORBIDDEN; anyone else no resident
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
        return
    if viewer not in PEOPLE[resident].seen_by:
        assert assert_ok(body) == {"resident": None}
        return
    code = world.people.code(resident)
    if viewer in NETWORK:
        assert body["data"]["resident"] == {"code": code, "distributions": None}
        assert refusals(body) == [("FORBIDDEN", ("resident", "distributions"))]
        return
    given = [key for key in GIVEN[resident] if sees(viewer, MOVES[key].shelter)]
    assert assert_ok(body)["resident"] == {
        "code": code,
        "distributions": {
            "totalCount": len(given),
            "edges": [
                {
                    "node": {
                        "id": world.id("StockMovement", key),
                        "quantity": -MOVES[key].change,
                        "shelter": {"name": f"Shelter {MOVES[key].shelter}"},
                    }
                }
                for key in given
            ],
        },
    }


# --- writes --------------------------------------------------------------------------------------

MOVEMENT_RESULT = "movement { kind quantity onHandAfter shelter { name } } errors { code }"


def mutation(root: str, input_type: str, selection: str = MOVEMENT_RESULT) -> str:
    return f"mutation ($input: {input_type}!) {{ {root}(input: $input) {{ {selection} }} }}"


@dataclass(frozen=True)
class Attempt:
    """One mutation on given objects: who may, who is told the shelter is not found, and what
    an allowed one returns."""

    name: str
    document: str
    input: Callable[[StockWorld], dict[str, Any]]
    result: str
    allowed: frozenset[str]
    expect: Any
    not_found: frozenset[str] = NOBODY

    @property
    def root(self) -> str:
        return self.document.split("{", 1)[1].split("(", 1)[0].strip()


def _on(shelter: str, item: str) -> Callable[[StockWorld], dict[str, Any]]:
    return lambda world: {
        "shelter": world.id("Shelter", shelter),
        "item": world.id("Item", item),
    }


def _moved(kind: str, quantity: int, after: int, shelter: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "quantity": quantity,
        "onHandAfter": after,
        "shelter": {"name": f"Shelter {shelter}"},
    }


A_STAFF = frozenset({STAFF, STAFF_AB})
#: Shelter staff who do not work in A: to them A does not exist.
NOT_OF_A = frozenset({STAFF_B})

ATTEMPTS = [
    Attempt(
        "itemCreate",
        mutation("itemCreate", "ItemCreateInput", "item { name } errors { code }"),
        lambda world: {"name": "Flour", "category": "FOOD", "unit": "KG"},
        "item",
        frozenset({ADMIN}),
        {"name": "Flour"},
    ),
    Attempt(
        "itemUpdate",
        mutation("itemUpdate", "ItemUpdateInput", "item { name } errors { code }"),
        lambda world: {"item": world.id("Item", "rice"), "name": "Long-grain rice"},
        "item",
        frozenset({ADMIN}),
        {"name": "Long-grain rice"},
    ),
    Attempt(
        "stockReceive in A",
        mutation("stockReceive", "StockReceiveInput"),
        lambda world: {**_on("A", "rice")(world), "quantity": 6, "donor": "Mosque"},
        "movement",
        A_STAFF,
        _moved("RECEIPT", 6, 19, "A"),
        not_found=NOT_OF_A,
    ),
    Attempt(
        "stockReceive in C",
        mutation("stockReceive", "StockReceiveInput"),
        lambda world: {**_on("C", "soap")(world), "quantity": 6, "donor": "Mosque"},
        "movement",
        NOBODY,
        None,
        not_found=frozenset({STAFF, STAFF_B, STAFF_AB}),
    ),
    Attempt(
        "stockDistribute in A to in_a",
        mutation("stockDistribute", "StockDistributeInput"),
        lambda world: {
            **_on("A", "rice")(world),
            "resident": world.id("Resident", "in_a"),
            "quantity": 3,
        },
        "movement",
        A_STAFF,
        _moved("DISTRIBUTION", 3, 10, "A"),
        not_found=NOT_OF_A,
    ),
    Attempt(
        "stockTransfer from A to B",
        mutation("stockTransfer", "StockTransferInput"),
        lambda world: {
            "fromShelter": world.id("Shelter", "A"),
            "toShelter": world.id("Shelter", "B"),
            "item": world.id("Item", "rice"),
            "quantity": 5,
        },
        "movement",
        A_STAFF,
        _moved("TRANSFER_OUT", 5, 8, "A"),
        not_found=NOT_OF_A,
    ),
    Attempt(
        "stockTransfer from A to C (which staff of A do not see)",
        mutation("stockTransfer", "StockTransferInput"),
        lambda world: {
            "fromShelter": world.id("Shelter", "A"),
            "toShelter": world.id("Shelter", "C"),
            "item": world.id("Item", "bread"),
            "quantity": 5,
        },
        "movement",
        A_STAFF,
        _moved("TRANSFER_OUT", 5, 5, "A"),
        not_found=NOT_OF_A,
    ),
    Attempt(
        "stockTransfer from B to A",
        mutation("stockTransfer", "StockTransferInput"),
        lambda world: {
            "fromShelter": world.id("Shelter", "B"),
            "toShelter": world.id("Shelter", "A"),
            "item": world.id("Item", "rice"),
            "quantity": 1,
        },
        "movement",
        frozenset({STAFF_B, STAFF_AB}),
        _moved("TRANSFER_OUT", 1, 7, "B"),
        not_found=frozenset({STAFF}),
    ),
    Attempt(
        "stockCount in A",
        mutation("stockCount", "StockCountInput"),
        lambda world: {**_on("A", "rice")(world), "counted": 12},
        "movement",
        A_STAFF,
        _moved("ADJUSTMENT", 1, 12, "A"),
        not_found=NOT_OF_A,
    ),
    Attempt(
        "stockWriteOff in A",
        mutation("stockWriteOff", "StockWriteOffInput"),
        lambda world: {**_on("A", "bread")(world), "quantity": 2, "reason": "EXPIRED"},
        "movement",
        A_STAFF,
        _moved("WRITE_OFF", 2, 8, "A"),
        not_found=NOT_OF_A,
    ),
    *[
        Attempt(
            f"stockThresholdSet in {shelter}",
            mutation(
                "stockThresholdSet",
                "StockThresholdSetInput",
                "level { threshold shelter { name } } errors { code }",
            ),
            lambda world, shelter=shelter: {
                **_on(shelter, "rice")(world),
                "threshold": 3,
            },
            "level",
            allowed,
            {"threshold": 3, "shelter": {"name": f"Shelter {shelter}"}},
            not_found=not_found,
        )
        for shelter, allowed, not_found in (
            ("A", frozenset({ADMIN, STAFF, STAFF_AB}), NOT_OF_A),
            ("C", frozenset({ADMIN}), frozenset({STAFF, STAFF_B, STAFF_AB})),
        )
    ],
]


@pytest.mark.parametrize(
    ("attempt", "viewer"),
    [
        pytest.param(attempt, viewer, id=f"{attempt.name}-{viewer}")
        for attempt in ATTEMPTS
        for viewer in VIEWERS
    ],
)
async def test_mutation(stage: Stage, attempt: Attempt, viewer: str) -> None:
    # given the world, and the objects the mutation names
    world = await stage.world()
    before = await stock_snapshot()

    # when the viewer tries it
    body = await world.ask(viewer, attempt.document, {"input": attempt.input(world)})

    # then only the allowed succeed (and change the world, built anew for the next cell);
    # anyone else is refused and nothing is written
    payload = assert_ok(body)[attempt.root]
    if viewer in attempt.allowed:
        stage.current = None
        assert payload == {attempt.result: attempt.expect, "errors": []}
        assert await stock_snapshot() != before
        return
    code = (
        "UNAUTHENTICATED"
        if viewer == ANONYMOUS
        else "NOT_FOUND"
        if viewer in attempt.not_found
        else "FORBIDDEN"
    )
    assert payload == {attempt.result: None, "errors": [{"code": code}]}
    assert await stock_snapshot() == before


async def test_every_stock_mutation_has_cells() -> None:
    roots = {attempt.root for attempt in ATTEMPTS}
    assert roots == {
        "itemCreate",
        "itemUpdate",
        "stockReceive",
        "stockDistribute",
        "stockTransfer",
        "stockCount",
        "stockWriteOff",
        "stockThresholdSet",
    }

"""Meals: counts per shelter, day and meal, corrections that keep the first count, refusals, and
the dietary needs of the residents present each day, checked by hand on a small world."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

import server.domain.meals
from server.domain.clock import now
from server.domain.residents import Consents, Registration, register_resident
from server.domain.stays import check_in, check_out
from server.models import (
    AuditEvent,
    DocumentStatus,
    ExitDestination,
    MealRecord,
    ReferralSource,
    Resident,
    Role,
    Sex,
)
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import GraphQLClient, QueryCounter, sign_in
from tests.server.network import Network, build_network, staff
from tests.server.side_by_side import side_by_side

ZONE = Settings().zone

MEAL_RECORD = """
mutation ($input: MealRecordInput!) {
  mealRecord(input: $input) {
    mealRecord { id day meal served halal vegetarian allergySafe infant supersededAt
                 shelter { name } corrects { id } }
    errors { code field message }
  }
}"""

MEAL_CORRECT = """
mutation ($input: MealCorrectInput!) {
  mealCorrect(input: $input) {
    mealRecord { id served halal supersededAt corrects { id served supersededAt } }
    errors { code field message }
  }
}"""

MEALS = """
query ($shelter: ID!, $from: Date, $to: Date) {
  meals(shelter: $shelter, from: $from, to: $to, first: 100) {
    totalCount
    edges { node { day meal served halal
      dietaryNeeds { day present halal vegetarian infantFood allergies } } }
  }
}"""

SHELTER_NEEDS = """
query ($id: ID!, $on: Date) {
  shelter(id: $id) { dietaryNeeds(on: $on) { day present halal vegetarian infantFood allergies } }
}"""

REGISTER = """
mutation ($input: ResidentRegisterInput!) {
  residentRegister(input: $input) {
    resident { code dietaryNeeds { halal vegetarian infantFood allergies } } errors { code field }
  }
}"""


def _sid(network: Network, index: int = 0) -> str:
    return encode_id("Shelter", network.shelters[index].id)


def today() -> date:
    return now().astimezone(ZONE).date()


async def _record(gql: GraphQLClient, network: Network, **fields: Any) -> dict[str, Any]:
    values = {"shelter": _sid(network), "day": today().isoformat(), "meal": "LUNCH", **fields}
    payload: dict[str, Any] = (await gql.data(MEAL_RECORD, {"input": values}))["mealRecord"]
    return payload


def _codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


async def _rows() -> tuple[list[dict[str, Any]], int]:
    return (
        await MealRecord.all().order_by("id").values(),
        await AuditEvent.filter(record_type="MealRecord").count(),
    )


# --- recording and correcting --------------------------------------------------------------------


async def test_a_meal_is_recorded_once(gql: GraphQLClient) -> None:
    # given a shelter
    network = await build_network()

    # when lunch is recorded, then recorded again
    first = await _record(gql, network, served=18, halal=12, vegetarian=2, infant=1)
    before = await _rows()
    again = await _record(gql, network, served=20)

    # then the first count stands; the second is refused, pointing at the correction
    assert first["errors"] == []
    meal = first["mealRecord"]
    assert (meal["served"], meal["halal"], meal["vegetarian"], meal["allergySafe"]) == (
        18,
        12,
        2,
        0,
    )
    assert meal["shelter"] == {"name": "Shelter 0"} and meal["supersededAt"] is None
    assert _codes(again) == [("MEAL_ALREADY_RECORDED", ["input", "meal"])]
    assert "correct it" in again["errors"][0]["message"]
    assert await _rows() == before
    assert await AuditEvent.filter(action="record_meal").count() == 1


async def test_a_correction_supersedes_the_count_and_keeps_it(gql: GraphQLClient) -> None:
    # given lunch recorded as 18
    network = await build_network()
    first = (await _record(gql, network, served=18, halal=12))["mealRecord"]

    # when it is corrected to 19, then the old count is corrected again
    fixed = (await gql.data(MEAL_CORRECT, {"input": {"mealRecord": first["id"], "served": 19}}))[
        "mealCorrect"
    ]
    stale = (await gql.data(MEAL_CORRECT, {"input": {"mealRecord": first["id"], "served": 25}}))[
        "mealCorrect"
    ]
    same = (
        await gql.data(
            MEAL_CORRECT, {"input": {"mealRecord": fixed["mealRecord"]["id"], "served": 19}}
        )
    )["mealCorrect"]

    # then the correction is current and names what it corrects, which is kept, superseded;
    # correcting a superseded count, or changing nothing, is refused
    assert fixed["errors"] == []
    assert (fixed["mealRecord"]["served"], fixed["mealRecord"]["halal"]) == (19, 0)
    assert fixed["mealRecord"]["corrects"]["id"] == first["id"]
    assert fixed["mealRecord"]["corrects"]["served"] == 18
    assert fixed["mealRecord"]["corrects"]["supersededAt"] is not None
    assert _codes(stale) == [("MEAL_SUPERSEDED", ["input", "mealRecord"])]
    assert _codes(same) == [("INVALID_VALUE", ["input", "served"])]
    rows = await MealRecord.all().order_by("id").values_list("served", "superseded_at")
    assert [served for served, _ in rows] == [18, 19]
    assert rows[0][1] is not None and rows[1][1] is None
    listed = (await gql.data(MEALS, {"shelter": _sid(network)}))["meals"]
    assert [edge["node"]["served"] for edge in listed["edges"]] == [19]
    assert await AuditEvent.filter(action="correct_meal").count() == 1


BAD_COUNTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("negative served", {"served": -1}, "INVALID_VALUE", "served"),
    ("absurd served", {"served": 5000}, "INVALID_VALUE", "served"),
    ("negative diet", {"served": 10, "vegetarian": -2}, "INVALID_VALUE", "vegetarian"),
    ("halal above served", {"served": 10, "halal": 11}, "INVALID_VALUE", "halal"),
    ("infant above served", {"served": 3, "infant": 4}, "INVALID_VALUE", "infant"),
    ("allergy above served", {"served": 0, "allergySafe": 1}, "INVALID_VALUE", "allergySafe"),
    ("tomorrow", {"served": 10, "day": "tomorrow"}, "DATE_IN_FUTURE", "day"),
    ("two years ago", {"served": 10, "day": "long ago"}, "INVALID_VALUE", "day"),
    ("unknown shelter", {"served": 10, "shelter": "missing"}, "NOT_FOUND", "shelter"),
    ("not a shelter ID", {"served": 10, "shelter": "a bed"}, "INVALID_ID", "shelter"),
]


@pytest.mark.parametrize(
    ("case", "fields", "code", "where"), BAD_COUNTS, ids=[case[0] for case in BAD_COUNTS]
)
async def test_bad_counts_are_refused_and_nothing_is_written(
    gql: GraphQLClient, case: str, fields: dict[str, Any], code: str, where: str
) -> None:
    # given a shelter
    network = await build_network()
    values = {
        "tomorrow": (today() + timedelta(days=1)).isoformat(),
        "long ago": (today() - timedelta(days=800)).isoformat(),
        "missing": encode_id("Shelter", 999_999),
        "a bed": encode_id("Bed", network.beds[0].id),
    }
    fields = {key: values.get(value, value) for key, value in fields.items()}
    before = await _rows()

    # when a meal is recorded with a mistake
    payload = await _record(gql, network, **fields)

    # then it is refused with the field it concerns, and nothing is written
    assert _codes(payload) == [(code, ["input", where])]
    assert await _rows() == before


async def test_a_bad_correction_is_refused_and_nothing_is_written(gql: GraphQLClient) -> None:
    # given lunch recorded
    network = await build_network()
    meal = (await _record(gql, network, served=10))["mealRecord"]
    before = await _rows()

    # when it is corrected with a diet above the plates served
    payload = (
        await gql.data(MEAL_CORRECT, {"input": {"mealRecord": meal["id"], "served": 8, "halal": 9}})
    )["mealCorrect"]

    # then it is refused, and the count stands
    assert _codes(payload) == [("INVALID_VALUE", ["input", "halal"])]
    assert await _rows() == before


async def test_only_staff_of_the_shelter_record_meals(gql: GraphQLClient) -> None:
    # given two shelters, staff of the second, and a counsellor of the first
    network = await build_network()
    other = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[1]]))
    counsellor = gql.as_token(await sign_in(Role.COUNSELLOR, [network.shelters[0]]))

    # when each records lunch at the first
    by_other = await _record(other, network, served=5)
    by_counsellor = await _record(counsellor, network, served=5)

    # then neither may
    assert _codes(by_other) == [("NOT_FOUND", ["input", "shelter"])]
    assert _codes(by_counsellor) == [("FORBIDDEN", None)]
    assert await MealRecord.all().count() == 0


async def test_two_tablets_recording_the_same_meal_at_once_one_wins(
    gql: GraphQLClient, on_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a shelter and two tablets of its staff
    network = await build_network()
    second = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[0]]))
    await _record(second, network, meal="BREAKFAST", served=1)  # both signed in

    # when both record today's dinner at once (on PostgreSQL, both transactions find no dinner
    # recorded yet, and the unique index refuses the second)
    with side_by_side(monkeypatch, server.domain.meals, parties=2, parallel=on_postgres) as race:
        results = await asyncio.gather(
            _record(gql, network, meal="DINNER", served=12),
            _record(second, network, meal="DINNER", served=13),
        )

    # then one count is stored; the other tablet is told the meal is already recorded
    assert race.peak == (2 if on_postgres else 1)
    assert sorted(len(payload["errors"]) for payload in results) == [0, 1]
    loser = next(payload for payload in results if payload["errors"])
    assert _codes(loser) == [("MEAL_ALREADY_RECORDED", ["input", "meal"])]
    assert await MealRecord.filter(meal="dinner").count() == 1


# --- dietary needs of who was there ---------------------------------------------------------------


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


@dataclass(frozen=True)
class Needs:
    present: int
    halal: int = 0
    vegetarian: int = 0
    infant_food: int = 0
    allergies: int = 0

    def shown(self, day: date) -> dict[str, Any]:
        return {
            "day": day.isoformat(),
            "present": self.present,
            "halal": self.halal,
            "vegetarian": self.vegetarian,
            "infantFood": self.infant_food,
            "allergies": self.allergies,
        }


async def _person(
    network: Network, name: str, *, shelter: int = 0, hidden: bool = False, **needs: Any
) -> Resident:
    return await register_resident(
        await staff(),
        Registration(
            given_name=name,
            sex=Sex.FEMALE,
            nationality="UZ",
            referral_source=ReferralSource.NGO,
            document_status=DocumentStatus.LOST,
            consents=Consents(data_processing=True),
            do_not_disclose_presence=hidden,
            **needs,
        ),
        shelter_id=network.shelters[shelter].id,
    )


async def _stay(
    network: Network, person: Resident, bed: int, start: datetime, end: datetime | None = None
) -> None:
    hand = await staff()
    stay = await check_in(hand, person.id, network.beds[bed].id, at=start)
    if end is not None:
        await check_out(hand, stay.id, ExitDestination.OTHER, at=end)


@pytest.fixture
async def days_in_shelter_0() -> tuple[Network, list[date]]:
    """Shelter 0 (beds 0-5) and 1 (beds 6-11), over three days D1-D3 (a week ago), local time:

    | resident | needs                  | stay (shelter 0 unless said)     | D1 | D2 | D3 | today |
    | Aziza    | halal                  | D1 - 10 days, still there        | x  | x  | x  | x     |
    | Bobur    | vegetarian, allergies  | D2 23:30, still there            |    | x  | x  | x     |
    | Charos   | halal, infant food     | D1 - 3 days until D3 00:30       | x  | x  | x  |       |
    | Dilshod  | halal                  | shelter 1, D1 - 5 days, still    |    |    |    |       |
    | Elmira   | halal, hidden          | D1 10:00 until D2 00:00          | x  |    |    |       |
    | Farida   | vegetarian             | D2 00:00 until D3 00:00          |    | x  |    |       |
    """
    network = await build_network()
    d1 = today() - timedelta(days=7)
    d2, d3 = d1 + timedelta(days=1), d1 + timedelta(days=2)
    aziza = await _person(network, "Aziza", diet_halal=True)
    bobur = await _person(network, "Bobur", diet_vegetarian=True, allergies="peanuts")
    charos = await _person(network, "Charos", diet_halal=True, diet_infant_food=True)
    dilshod = await _person(network, "Dilshod", shelter=1, diet_halal=True)
    elmira = await _person(network, "Elmira", hidden=True, diet_halal=True)
    farida = await _person(network, "Farida", diet_vegetarian=True)
    await _stay(network, aziza, 0, local(d1, 9) - timedelta(days=10))
    await _stay(network, bobur, 1, local(d2, 23, 30))
    await _stay(network, charos, 2, local(d1, 9) - timedelta(days=3), local(d3, 0, 30))
    await _stay(network, dilshod, 6, local(d1, 9) - timedelta(days=5))
    await _stay(network, elmira, 3, local(d1, 10), local(d2, 0))
    await _stay(network, farida, 4, local(d2, 0), local(d3, 0))
    return network, [d1, d2, d3]


#: Counted by hand from the table above.
EXPECTED = {
    "D1": Needs(present=3, halal=3, infant_food=1),
    "D2": Needs(present=4, halal=2, vegetarian=2, infant_food=1, allergies=1),
    "D3": Needs(present=3, halal=2, vegetarian=1, infant_food=1, allergies=1),
    "today": Needs(present=2, halal=1, vegetarian=1, allergies=1),
    "D2 in shelter 1": Needs(present=1, halal=1),
}


async def test_each_meal_shows_the_needs_of_who_was_there_that_day(
    gql: GraphQLClient, days_in_shelter_0: tuple[Network, list[date]]
) -> None:
    # given three days of residents coming and going in shelter 0, and lunch each day
    network, days = days_in_shelter_0
    for number, day in enumerate(days):
        payload = await _record(gql, network, day=day.isoformat(), served=3 + number, halal=2)
        assert payload["errors"] == []
    await _record(gql, network, day=days[1].isoformat(), meal="DINNER", served=4, halal=2)
    await _record(gql, network, day=today().isoformat(), served=2)

    # when the meals of D1 to D3 are listed
    listed = (
        await gql.data(
            MEALS,
            {"shelter": _sid(network), "from": days[0].isoformat(), "to": days[2].isoformat()},
        )
    )["meals"]

    # then each carries the needs of the residents present that day, counted by hand
    names = dict(zip(days, ["D1", "D2", "D3"], strict=True))
    assert [(e["node"]["day"], e["node"]["meal"]) for e in listed["edges"]] == [
        (days[0].isoformat(), "LUNCH"),
        (days[1].isoformat(), "LUNCH"),
        (days[2].isoformat(), "LUNCH"),
        (days[1].isoformat(), "DINNER"),
    ]
    assert listed["totalCount"] == 4
    for edge in listed["edges"]:
        day = date.fromisoformat(edge["node"]["day"])
        assert edge["node"]["dietaryNeeds"] == EXPECTED[names[day]].shown(day), names[day]


async def test_a_shelter_shows_the_needs_present_on_a_day(
    gql: GraphQLClient, days_in_shelter_0: tuple[Network, list[date]]
) -> None:
    # given the same three days
    network, days = days_in_shelter_0

    # when each shelter is asked for its needs on a day, and today
    async def needs(index: int, on: date | None) -> dict[str, Any]:
        variables = {"id": _sid(network, index), "on": on.isoformat() if on else None}
        result: dict[str, Any] = (await gql.data(SHELTER_NEEDS, variables))["shelter"]
        return result["dietaryNeeds"]  # type: ignore[no-any-return]

    # then they are the hand counts; a hidden resident is counted, and named nowhere
    for day, name in zip(days, ["D1", "D2", "D3"], strict=True):
        assert await needs(0, day) == EXPECTED[name].shown(day), name
    assert await needs(0, None) == EXPECTED["today"].shown(today())
    assert await needs(1, days[1]) == EXPECTED["D2 in shelter 1"].shown(days[1])
    tomorrow = await gql.post(
        SHELTER_NEEDS, {"id": _sid(network), "on": (today() + timedelta(days=1)).isoformat()}
    )
    assert tomorrow["data"]["shelter"]["dietaryNeeds"] is None
    assert tomorrow["errors"][0]["extensions"]["code"] == "DATE_IN_FUTURE"
    long_ago = await gql.post(SHELTER_NEEDS, {"id": _sid(network), "on": "0001-01-01"})
    assert long_ago["data"]["shelter"]["dietaryNeeds"] is None
    assert long_ago["errors"][0]["extensions"]["code"] == "INVALID_VALUE"


async def test_the_meals_list_is_bounded_by_its_days(gql: GraphQLClient) -> None:
    # given lunch on five days
    network = await build_network()
    days = [today() - timedelta(days=n) for n in range(5)]
    for day in days:
        await _record(gql, network, day=day.isoformat(), served=7)

    # when two days are asked for, or a span backwards
    span = await gql.data(
        MEALS, {"shelter": _sid(network), "from": days[3].isoformat(), "to": days[2].isoformat()}
    )
    backwards = await gql.post(
        MEALS, {"shelter": _sid(network), "from": days[0].isoformat(), "to": days[4].isoformat()}
    )

    # then only those days are listed; a backward span is an error
    listed = [edge["node"]["day"] for edge in span["meals"]["edges"]]
    assert sorted(listed) == sorted([days[3].isoformat(), days[2].isoformat()])
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID_VALUE"


async def test_meals_with_their_needs_cost_the_same_for_3_and_30_days(gql: GraphQLClient) -> None:
    # given a shelter with residents, and lunch recorded on 3 days, then on 30
    network = await build_network()
    for bed in range(3):
        person = await _person(network, f"Person{bed}", diet_halal=bed % 2 == 0)
        await _stay(network, person, bed, now() - timedelta(days=40))

    async def statements(count: int) -> int:
        recorded = await MealRecord.all().count()
        for number in range(recorded, recorded + count):
            await _record(
                gql, network, day=(today() - timedelta(days=number)).isoformat(), served=3
            )
        with QueryCounter() as counter:
            result = await gql.data(MEALS, {"shelter": _sid(network)})
        assert {e["node"]["dietaryNeeds"]["present"] for e in result["meals"]["edges"]} == {3}
        return counter.count

    # when the meals are listed with the needs of each day
    small = await statements(3)
    large = await statements(27)

    # then the number of statements does not grow
    assert small == large, (small, large)


async def test_a_residents_dietary_needs_are_registered_and_read_by_their_staff(
    gql: GraphQLClient,
) -> None:
    # given a shelter
    network = await build_network()

    # when a resident is registered with dietary needs
    result = await gql.data(
        REGISTER,
        {
            "input": {
                "givenName": "Nodira",
                "sex": "FEMALE",
                "nationality": "UZ",
                "referralSource": "HOTLINE",
                "documentStatus": "LOST",
                "consents": {"dataProcessing": True},
                "shelter": _sid(network),
                "dietaryNeeds": {"halal": True, "infantFood": True, "allergies": " lactose "},
            }
        },
    )

    # then staff read them back, and they are stored
    resident = result["residentRegister"]["resident"]
    assert resident["dietaryNeeds"] == {
        "halal": True,
        "vegetarian": False,
        "infantFood": True,
        "allergies": "lactose",
    }
    row = await Resident.get(code=resident["code"])
    assert (row.diet_halal, row.diet_vegetarian, row.diet_infant_food, row.allergies) == (
        True,
        False,
        True,
        "lactose",
    )


KEYED_MEAL = """
mutation ($input: MealRecordInput!, $key: UUID) {
  mealRecord(input: $input, idempotencyKey: $key) { mealRecord { id served } errors { code } }
}"""


async def test_a_replayed_meal_count_is_recorded_once_and_answered_as_the_first_time(
    gql: GraphQLClient,
) -> None:
    # given a count queued on an offline tablet
    network = await build_network()
    count = {"shelter": _sid(network), "day": today().isoformat(), "meal": "DINNER", "served": 9}
    key = str(uuid.uuid4())

    # when the queue is replayed twice
    answers = [
        (await gql.data(KEYED_MEAL, {"input": count, "key": key}))["mealRecord"] for _ in range(3)
    ]

    # then the meal is recorded once and every answer is the first (not "already recorded")
    assert answers[0]["errors"] == [] and answers.count(answers[0]) == 3
    assert await MealRecord.all().count() == 1

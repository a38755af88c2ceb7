"""Meals served per shelter, day and meal, and the dietary needs of the residents there that day.

    lunch = await record_meal(viewer, shelter_id, day, Meal.LUNCH, MealCount(served=18, halal=12))
    fixed = await correct_meal(viewer, lunch.id, MealCount(served=19, halal=12))
    needs = await dietary_needs([(shelter_id, day)], zone)      # {(shelter_id, day): DietaryNeeds}

A meal is recorded once. Recording it again is refused: a wrong count is corrected, which adds a
row that supersedes the old one (kept, with when it was superseded), so no count is ever lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, require, sees_shelter, shelter_scope
from server.domain.audit import record
from server.domain.clock import local_today, now
from server.domain.errors import DomainError, ErrorCode, refusal_for
from server.models import Meal, MealRecord, Shelter, Stay

#: More plates than any shelter serves at one meal: a typing mistake.
MAX_SERVED = 500
#: How far back a count may still be recorded.
RECORDABLE_DAYS = 366


@dataclass(frozen=True)
class MealCount:
    """Plates served, and how many of them each special diet (each at most ``served``)."""

    served: int
    halal: int = 0
    vegetarian: int = 0
    allergy_safe: int = 0
    infant: int = 0

    def validated(self) -> dict[str, int]:
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        if not 0 <= self.served <= MAX_SERVED:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["served"], f"served must be 0 to {MAX_SERVED}."
            )
        for name, value in values.items():
            field = _camel(name)
            if value < 0:
                raise DomainError(ErrorCode.INVALID_VALUE, [field], f"{field} cannot be negative.")
            if value > self.served:
                raise DomainError(
                    ErrorCode.INVALID_VALUE,
                    [field],
                    f"{field} ({value}) is more than the meals served ({self.served}).",
                )
        return values


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _shelter(viewer: Viewer, shelter_id: int) -> int:
    require(viewer, Action.RECORD_MEALS)
    if not sees_shelter(viewer, shelter_id) or not await Shelter.exists(id=shelter_id):
        raise DomainError(ErrorCode.NOT_FOUND, ["shelter"], "No such shelter.")
    require(viewer, Action.RECORD_MEALS, shelter_ids=(shelter_id,))
    return shelter_id


async def record_meal(
    viewer: Viewer, shelter_id: int, day: date, meal: Meal, count: MealCount, *, zone: tzinfo = UTC
) -> MealRecord:
    """Record how many were served at one meal; refused if that meal is already recorded."""
    await _shelter(viewer, shelter_id)
    today = local_today(zone)
    if day > today:
        raise DomainError(ErrorCode.DATE_IN_FUTURE, ["day"], "The day is in the future.")
    if day < today - timedelta(days=RECORDABLE_DAYS):
        raise DomainError(ErrorCode.INVALID_VALUE, ["day"], "The day is more than a year ago.")
    values = count.validated()
    try:
        async with in_transaction() as connection:
            if (
                await MealRecord.filter(
                    shelter_id=shelter_id, day=day, meal=meal, superseded_at__isnull=True
                )
                .using_db(connection)
                .exists()
            ):
                raise DomainError(
                    ErrorCode.MEAL_ALREADY_RECORDED,
                    ["meal"],
                    f"{meal.value.title()} of {day.isoformat()} is already recorded: "
                    "correct it instead.",
                )
            row = await MealRecord.create(
                shelter_id=shelter_id,
                day=day,
                meal=meal,
                recorded_by_id=viewer.user_id,
                recorded_at=now(),
                using_db=connection,
                **values,
            )
            await record(
                viewer,
                "record_meal",
                "MealRecord",
                row.id,
                detail=f"{day.isoformat()} {meal.value}: {count.served}",
                connection=connection,
            )
            return row
    except IntegrityError as error:
        raise refusal_for(error) from error


async def correct_meal(viewer: Viewer, meal_record_id: int, count: MealCount) -> MealRecord:
    """Replace a recorded count by a corrected one; the old row is kept, superseded."""
    require(viewer, Action.RECORD_MEALS)
    found = await MealRecord.filter(shelter_scope(viewer, "shelter_id"), id=meal_record_id).first()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["mealRecord"], "No such meal record.")
    await _shelter(viewer, found.shelter_id)
    values = count.validated()
    try:
        async with in_transaction() as connection:
            old = (
                await MealRecord.filter(id=meal_record_id)
                .using_db(connection)
                .select_for_update()
                .first()
            )
            assert old is not None  # meal records are never deleted
            if old.superseded_at is not None:
                raise DomainError(
                    ErrorCode.MEAL_SUPERSEDED,
                    ["mealRecord"],
                    "That count was already corrected: correct the current one.",
                )
            if all(getattr(old, name) == value for name, value in values.items()):
                raise DomainError(
                    ErrorCode.INVALID_VALUE, ["served"], "The correction changes nothing."
                )
            old.superseded_at = now()
            await old.save(using_db=connection, update_fields=["superseded_at"])
            row = await MealRecord.create(
                shelter_id=old.shelter_id,
                day=old.day,
                meal=old.meal,
                corrects_id=old.id,
                recorded_by_id=viewer.user_id,
                recorded_at=old.superseded_at,
                using_db=connection,
                **values,
            )
            await record(
                viewer,
                "correct_meal",
                "MealRecord",
                row.id,
                detail=f"corrects {old.id}: {old.served} -> {count.served}",
                connection=connection,
            )
            return row
    except IntegrityError as error:
        raise refusal_for(error) from error


def find_meals(
    viewer: Viewer, shelter_id: int, *, since: date | None = None, until: date | None = None
) -> QuerySet[MealRecord]:
    """The current counts of a shelter the viewer sees, from ``since`` to ``until`` (both
    included), in the order they were recorded."""
    if since is not None and until is not None and since > until:
        raise DomainError(ErrorCode.INVALID_VALUE, ["from"], "from is after to.")
    query = MealRecord.filter(
        shelter_scope(viewer, "shelter_id"), shelter_id=shelter_id, superseded_at__isnull=True
    )
    if since is not None:
        query = query.filter(day__gte=since)
    if until is not None:
        query = query.filter(day__lte=until)
    return query.order_by("id")


@dataclass(frozen=True)
class DietaryNeeds:
    """How many residents present at a shelter on a day need each diet. Present: a stay there
    at any moment of that day, in the shelters' time zone."""

    day: date
    present: int = 0
    halal: int = 0
    vegetarian: int = 0
    infant_food: int = 0
    allergies: int = 0


def _day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The day's first instant and the next day's, in UTC like every stored instant."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


async def dietary_needs(
    keys: Sequence[tuple[int, date]], zone: tzinfo
) -> dict[tuple[int, date], DietaryNeeds]:
    """The needs of the residents present at each (shelter, day), in one query. Residents whose
    presence is not disclosed are counted: a count names nobody."""
    if not keys:
        return {}
    bounds = {key: _day_bounds(key[1], zone) for key in keys}
    rows = await Stay.filter(
        Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=min(s for s, _ in bounds.values())),
        shelter_id__in=sorted({shelter for shelter, _ in keys}),
        checked_in_at__lt=max(e for _, e in bounds.values()),
    ).values(
        "shelter_id",
        "resident_id",
        "checked_in_at",
        "checked_out_at",
        "resident__diet_halal",
        "resident__diet_vegetarian",
        "resident__diet_infant_food",
        "resident__allergies",
    )
    present: dict[tuple[int, date], dict[int, dict[str, object]]] = defaultdict(dict)
    for key, (start, end) in bounds.items():
        for row in rows:
            out = row["checked_out_at"]
            if (
                row["shelter_id"] == key[0]
                and row["checked_in_at"] < end
                and (out is None or out > start)
            ):
                present[key][row["resident_id"]] = row
    return {key: _tally(key[1], list(present[key].values())) for key in keys}


def _tally(day: date, people: list[dict[str, object]]) -> DietaryNeeds:
    return DietaryNeeds(
        day=day,
        present=len(people),
        halal=sum(1 for row in people if row["resident__diet_halal"]),
        vegetarian=sum(1 for row in people if row["resident__diet_vegetarian"]),
        infant_food=sum(1 for row in people if row["resident__diet_infant_food"]),
        allergies=sum(1 for row in people if row["resident__allergies"]),
    )

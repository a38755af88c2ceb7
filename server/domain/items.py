"""The item catalogue: what shelters stock and hand out. Administrators keep it; every
signed-in role reads it.

    rice = await create_item(admin, ItemSpec("Rice", ItemCategory.FOOD, ItemUnit.KG))
    boots = await create_item(
        admin,
        ItemSpec("Winter boots", ItemCategory.CLOTHING, ItemUnit.PAIR, clothing_size="42",
                 season=Season.WINTER),
    )
    await update_item(admin, rice.id, ItemChange(perishable=True))
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, require, require_signed_in
from server.domain.audit import record
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.models import Item, ItemCategory, ItemUnit, Season

MAX_NAME = 100
MAX_SIZE = 20


@dataclass(frozen=True)
class ItemSpec:
    """A catalogue entry. Size and season are for clothing only, ``perishable`` for food only."""

    name: str
    category: ItemCategory
    unit: ItemUnit
    clothing_size: str = ""
    season: Season | None = None
    perishable: bool = False


@dataclass(frozen=True)
class ItemChange:
    """What an administrator may change; None leaves a field as it is. Category and unit stay:
    the ledger's quantities were counted in that unit."""

    name: str | None = None
    clothing_size: str | None = None
    season: Season | None = None
    perishable: bool | None = None


def label(item: Item) -> str:
    """How messages name an item: ``Rice``, ``Winter boots (size 42)``."""
    return f"{item.name} (size {item.clothing_size})" if item.clothing_size else item.name


def _checked(spec: ItemSpec) -> ItemSpec:
    """The spec with its text cleaned, or the refusal naming the field that does not fit."""
    name = require_text(spec.name, ["name"], max_length=MAX_NAME, required=True)
    size = require_text(spec.clothing_size, ["clothingSize"], max_length=MAX_SIZE)
    clothing = spec.category is ItemCategory.CLOTHING
    if not clothing and size:
        raise DomainError(ErrorCode.INVALID_VALUE, ["clothingSize"], "Only clothing has a size.")
    if not clothing and spec.season is not None:
        raise DomainError(ErrorCode.INVALID_VALUE, ["season"], "Only clothing has a season.")
    if spec.perishable and spec.category is not ItemCategory.FOOD:
        raise DomainError(ErrorCode.INVALID_VALUE, ["perishable"], "Only food is perishable.")
    season = (spec.season or Season.ALL_SEASON) if clothing else None
    return replace(spec, name=name, clothing_size=size, season=season)


async def _refuse_duplicate(
    spec: ItemSpec, connection: BaseDBAsyncClient, *, other_than: int | None = None
) -> None:
    """A friendly refusal for a name and size taken (any case); the unique index refuses the
    ones that race past."""
    query = Item.filter(name__iexact=spec.name, clothing_size=spec.clothing_size).using_db(
        connection
    )
    if other_than is not None:
        query = query.exclude(id=other_than)
    if await query.exists():
        size = f" in size {spec.clothing_size}" if spec.clothing_size else ""
        raise DomainError(
            ErrorCode.ITEM_ALREADY_EXISTS,
            ["name"],
            f"{spec.name}{size} is already in the catalogue.",
        )


async def create_item(viewer: Viewer, spec: ItemSpec) -> Item:
    require(viewer, Action.MANAGE_ITEMS)
    spec = _checked(spec)
    try:
        async with in_transaction() as connection:
            await _refuse_duplicate(spec, connection)
            item = await Item.create(
                name=spec.name,
                category=spec.category,
                unit=spec.unit,
                clothing_size=spec.clothing_size,
                season=spec.season,
                perishable=spec.perishable,
                using_db=connection,
            )
            await record(
                viewer,
                "item_create",
                "Item",
                item.id,
                detail=f"{spec.category.value}, {spec.unit.value}",
                connection=connection,
            )
            return item
    except IntegrityError as error:
        raise refusal_for(error) from error


async def update_item(viewer: Viewer, item_id: int, change: ItemChange) -> Item:
    require(viewer, Action.MANAGE_ITEMS)
    try:
        async with in_transaction() as connection:
            item = await Item.filter(id=item_id).using_db(connection).select_for_update().first()
            if item is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["item"], "No such item.")
            current = ItemSpec(
                name=item.name,
                category=item.category,
                unit=item.unit,
                clothing_size=item.clothing_size,
                season=item.season,
                perishable=item.perishable,
            )
            spec = _checked(
                replace(
                    current,
                    **{name: value for name, value in vars(change).items() if value is not None},
                )
            )
            await _refuse_duplicate(spec, connection, other_than=item.id)
            changed = [name for name in vars(change) if getattr(spec, name) != getattr(item, name)]
            for name in changed:
                setattr(item, name, getattr(spec, name))
            if changed:
                await item.save(using_db=connection, update_fields=changed)
            await record(
                viewer,
                "item_update",
                "Item",
                item.id,
                detail=", ".join(changed),
                connection=connection,
            )
            return item
    except IntegrityError as error:
        raise refusal_for(error) from error


def find_items(
    viewer: Viewer, *, category: ItemCategory | None = None, search: str | None = None
) -> QuerySet[Item]:
    """The catalogue, by id, optionally of one category and matching every word of ``search``.

    >>> await find_items(viewer, category=ItemCategory.HYGIENE, search="kit")
    """
    require_signed_in(viewer)
    query = Item.all()
    if category is not None:
        query = query.filter(category=category)
    if search:
        for word in require_text(search, ["search"], max_length=MAX_NAME).split():
            query = query.filter(Q(name__icontains=word))
    return query.order_by("id")

"""The GraphQL schema: root types composed from each domain's queries and mutations.

schema = build_schema(Settings())          # extensions depend on the environment
print(sdl())                               # what server/schema/schema.graphql holds
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.relay import GlobalID, GlobalIDValueError, Node

from server.domain.errors import DomainError, ErrorCode
from server.schema.accounts.mutations import AccountMutations
from server.schema.accounts.queries import AccountQueries
from server.schema.accounts.types import User
from server.schema.context import Info
from server.schema.counselling.mutations import CounsellingMutations
from server.schema.counselling.queries import CounsellingQueries
from server.schema.counselling.types import CounsellingSession
from server.schema.events.extension import Realtime
from server.schema.events.subscriptions import EventSubscriptions
from server.schema.holds.mutations import HoldMutations
from server.schema.holds.queries import HoldQueries
from server.schema.holds.types import BedHold
from server.schema.meals.mutations import MealMutations
from server.schema.meals.queries import MealQueries
from server.schema.meals.types import MealRecord
from server.schema.medical.mutations import MedicalMutations
from server.schema.medical.queries import MedicalQueries
from server.schema.medical.types import MedicalAppointment
from server.schema.notes.mutations import NoteMutations
from server.schema.permissions import HideSuggestions, RequestEnd, SignedIn, shown_in_production
from server.schema.referrals.mutations import ReferralMutations
from server.schema.referrals.queries import ReferralQueries
from server.schema.referrals.types import Referral
from server.schema.relay import LoadedNode
from server.schema.residents.mutations import ResidentMutations
from server.schema.residents.queries import ResidentQueries
from server.schema.residents.types import Resident
from server.schema.services.mutations import ServiceMutations
from server.schema.services.queries import ServiceQueries
from server.schema.services.types import ServiceRecord
from server.schema.shelters.mutations import ShelterMutations
from server.schema.shelters.queries import ShelterQueries
from server.schema.shelters.types import Bed, Region, Room, Shelter
from server.schema.stays.mutations import StayMutations
from server.schema.stays.types import Stay
from server.schema.stock.mutations import StockMutations
from server.schema.stock.queries import StockQueries
from server.schema.stock.types import Item, StockLevel, StockMovement
from server.settings import Settings

SDL_PATH = Path(__file__).with_name("schema.graphql")

#: Deep enough for shelters → rooms → beds → current stay → resident → stays → bed history.
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 3000
#: Parsed and validated documents kept per process; bounded so unique queries cannot grow memory.
CACHED_DOCUMENTS = 256


NODE_TYPES: dict[str, type[LoadedNode]] = {
    node_type.__name__: node_type
    for node_type in (
        Region,
        Shelter,
        Room,
        Bed,
        Resident,
        Stay,
        User,
        Referral,
        BedHold,
        MedicalAppointment,
        CounsellingSession,
        ServiceRecord,
        MealRecord,
        Item,
        StockLevel,
        StockMovement,
    )
}


@strawberry.type
class Query(
    AccountQueries,
    ShelterQueries,
    ResidentQueries,
    ReferralQueries,
    HoldQueries,
    MedicalQueries,
    CounsellingQueries,
    ServiceQueries,
    MealQueries,
    StockQueries,
):
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Any object you may see, by its global ID; null if there is no such object.",
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        try:
            global_id = GlobalID.from_id(id)
        except GlobalIDValueError as error:
            raise DomainError(ErrorCode.INVALID_ID, ["id"], f"{id!r} is not an ID.") from error
        node_type = NODE_TYPES.get(global_id.type_name)
        if node_type is None:
            raise DomainError(ErrorCode.INVALID_ID, ["id"], f"{id!r} is not an ID.")
        nodes = await node_type.resolve_nodes(info=info, node_ids=[global_id.node_id])
        found: Node | None = nodes[0]
        return found


@strawberry.type
class Mutation(
    AccountMutations,
    ShelterMutations,
    ResidentMutations,
    StayMutations,
    NoteMutations,
    ServiceMutations,
    MealMutations,
    ReferralMutations,
    HoldMutations,
    MedicalMutations,
    CounsellingMutations,
    StockMutations,
):
    pass


@strawberry.type
class Subscription(EventSubscriptions):
    pass


def build_schema(settings: Settings) -> strawberry.Schema:
    # The rule classes are made once: the validation cache keys on them, so rules made anew
    # per request would never hit it (measured: validation was 15-25% of a request).
    rules = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        RequestEnd,
        Realtime,
    ]
    if settings.production:
        extensions += [
            DisableIntrospection,
            HideSuggestions,
            lambda: MaskErrors(should_mask_error=lambda error: not shown_in_production(error)),
        ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(NODE_TYPES.values()),
        extensions=extensions,
    )


def sdl() -> str:
    return build_schema(Settings()).as_str() + "\n"

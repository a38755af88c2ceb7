"""GraphQL types for users and audit events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from server import models
from server.domain.access import may_read_audit_detail
from server.schema.context import Info
from server.schema.relay import LoadedNode, encode_id
from server.schema.shelters.types import Shelter

Role = strawberry.enum(models.Role)


@strawberry.type(description="A person who uses Haven. One account per person, never shared.")
class User(LoadedNode, relay.Node):
    loader = "user_by_id"
    row: strawberry.Private[models.User]
    id: relay.NodeID[int]
    username: str
    full_name: str
    role: Role  # type: ignore[valid-type]
    active: bool

    @classmethod
    def from_model(cls, row: models.User) -> User:
        return cls(
            row=row,
            id=row.id,
            username=row.username,
            full_name=row.full_name,
            role=row.role,
            active=row.is_active,
        )

    @strawberry.field(description="The shelters this person works in (visible to you).")
    async def shelters(self, info: Info) -> list[Shelter]:
        ids = await info.context.loaders.shelter_ids_by_user.load(self.row.id)
        rows = await info.context.loaders.shelter_by_id.load_many(ids)
        return [Shelter.from_model(row) for row in rows if row is not None]


@strawberry.type(
    description="One entry of the append-only audit trail. For a resident the reader may not "
    "see (presence not to be disclosed), which record and resident it concerns stay hidden."
)
class AuditEvent:
    row: strawberry.Private[models.AuditEvent]
    at: datetime
    username: str
    action: str
    record_type: str
    client: str

    @classmethod
    def from_model(cls, row: models.AuditEvent) -> AuditEvent:
        return cls(
            row=row,
            at=row.at,
            username=row.username,
            action=row.action,
            record_type=row.record_type,
            client=row.client,
        )

    async def _discloses(self, info: Info) -> bool:
        """Whether the event's record may be named: its resident, if any, is one the reader sees."""
        resident_id = self.row.resident_id
        return resident_id is None or (
            await info.context.loaders.resident_by_id.load(resident_id) is not None
        )

    @strawberry.field(
        description="What was done, in more words (a bed, a reason), if any. Null for records "
        "of a person's care (medical, counselling, legal, referrals, hand-outs)."
    )
    async def detail(self, info: Info) -> str | None:
        if not may_read_audit_detail(self.row.record_type, self.row.resident_id):
            return None
        return self.row.detail if await self._discloses(info) else None

    @strawberry.field(description="The global ID of the record concerned, if any.")
    async def record_id(self, info: Info) -> strawberry.ID | None:
        if self.row.record_id is None or not self.row.record_type:
            return None
        if not await self._discloses(info):
            return None
        return strawberry.ID(encode_id(self.row.record_type, self.row.record_id))

    @strawberry.field(description="The resident concerned, by ID, if any.")
    async def resident_id(self, info: Info) -> strawberry.ID | None:
        if self.row.resident_id is None or not await self._discloses(info):
            return None
        return strawberry.ID(encode_id("Resident", self.row.resident_id))

"""GraphQL types for users and audit events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from server import models
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


@strawberry.type(description="One entry of the append-only audit trail.")
class AuditEvent:
    row: strawberry.Private[models.AuditEvent]
    at: datetime
    username: str
    action: str
    record_type: str
    client: str
    detail: str

    @classmethod
    def from_model(cls, row: models.AuditEvent) -> AuditEvent:
        return cls(
            row=row,
            at=row.at,
            username=row.username,
            action=row.action,
            record_type=row.record_type,
            client=row.client,
            detail=row.detail,
        )

    @strawberry.field(description="The global ID of the record concerned, if any.")
    def record_id(self) -> strawberry.ID | None:
        if self.row.record_id is None or not self.row.record_type:
            return None
        return strawberry.ID(encode_id(self.row.record_type, self.row.record_id))

    @strawberry.field(description="The resident concerned, by ID, if any.")
    def resident_id(self) -> strawberry.ID | None:
        if self.row.resident_id is None:
            return None
        return strawberry.ID(encode_id("Resident", self.row.resident_id))

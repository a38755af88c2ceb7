"""Queries for the signed-in person, accounts, and the audit trail."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server import models
from server.domain.access import Action, require
from server.domain.audit import AuditFilter, find_events
from server.schema.accounts.types import AuditEvent, Role, User
from server.schema.context import Info
from server.schema.relay import Connection, optional_id, page_size, paginate


def _first(info: Info, first: int | None) -> int:
    settings = info.context.settings
    return page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in person; null when nobody is signed in.")
    async def viewer(self, info: Info) -> User | None:
        user_id = info.context.viewer.user_id
        if user_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(user_id)
        return User.from_model(row) if row else None

    @strawberry.field(description="Accounts, for administrators.")
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        role: Role | None = None,  # type: ignore[valid-type]
    ) -> Connection[User]:
        require(info.context.viewer, Action.MANAGE_ACCOUNTS)
        query = models.User.all() if role is None else models.User.filter(role=role)
        return await paginate(
            query.order_by("id"), User.from_model, first=_first(info, first), after=after
        )

    @strawberry.field(description="The audit trail, for administrators; oldest first.")
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        user: strawberry.ID | None = None,
        resident: strawberry.ID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Connection[AuditEvent]:
        require(info.context.viewer, Action.READ_AUDIT)
        criteria = AuditFilter(
            user_id=optional_id(user, "User", "user"),
            resident_id=optional_id(resident, "Resident", "resident"),
            since=since,
            until=until,
        )
        return await paginate(
            find_events(info.context.viewer, criteria),
            AuditEvent.from_model,
            first=_first(info, first),
            after=after,
        )

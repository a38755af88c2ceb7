"""Sign-in, sign-out and account administration."""

from __future__ import annotations

import strawberry

from server.domain import accounts
from server.schema.accounts.types import Role, User
from server.schema.context import Info
from server.schema.relay import UserError, attempt, decode_id


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer <token>`. Keep it for this session only."
    )
    user: User | None
    errors: list[UserError]


@strawberry.type
class LogoutPayload:
    errors: list[UserError]


@strawberry.input
class UserCreateInput:
    username: str
    full_name: str
    role: Role  # type: ignore[valid-type]
    password: str = strawberry.field(description="12 to 256 characters.")
    shelters: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Where a shelter role works; none for network roles."
    )


@strawberry.type
class UserCreatePayload:
    user: User | None
    errors: list[UserError]


@strawberry.input
class UserInput:
    user: strawberry.ID


@strawberry.type
class UserDeactivatePayload:
    user: User | None
    errors: list[UserError]


@strawberry.type
class UserRevokeSessionsPayload:
    revoked: int | None = strawberry.field(description="How many open sessions were ended.")
    errors: list[UserError]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Sign in. The same refusal for a wrong password and an unknown name."
    )
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        context = info.context
        result, errors = await attempt(
            accounts.login(
                input.username,
                input.password,
                client=context.viewer.client,
                address=context.address,
                settings=context.settings,
            )
        )
        if result is None:
            return LoginPayload(token=None, user=None, errors=errors)
        token, viewer = result
        context.signed_in_as(viewer)
        row = await context.loaders.user_by_id.load(viewer.user_id or 0)
        return LoginPayload(token=token, user=User.from_model(row) if row else None, errors=[])

    @strawberry.mutation(description="End this session.")
    async def logout(self, info: Info) -> LogoutPayload:
        context = info.context
        _, errors = await attempt(accounts.logout(context.token, context.viewer), prefix=())
        return LogoutPayload(errors=errors)

    @strawberry.mutation(description="Create an account (administrators).")
    async def user_create(self, info: Info, input: UserCreateInput) -> UserCreatePayload:
        async def run() -> User:
            shelter_ids = [
                decode_id(value, "Shelter", ["shelters", str(index)])
                for index, value in enumerate(input.shelters)
            ]
            row = await accounts.create_user(
                info.context.viewer,
                input.username,
                input.full_name,
                input.role,
                input.password,
                shelter_ids,
            )
            return User.from_model(row)

        user, errors = await attempt(run())
        return UserCreatePayload(user=user, errors=errors)

    @strawberry.mutation(description="Close an account and end its sessions (administrators).")
    async def user_deactivate(self, info: Info, input: UserInput) -> UserDeactivatePayload:
        async def run() -> User:
            row = await accounts.deactivate(
                info.context.viewer, decode_id(input.user, "User", ["user"])
            )
            return User.from_model(row)

        user, errors = await attempt(run())
        return UserDeactivatePayload(user=user, errors=errors)

    @strawberry.mutation(
        description="End every session of an account, e.g. a lost tablet (administrators)."
    )
    async def user_revoke_sessions(self, info: Info, input: UserInput) -> UserRevokeSessionsPayload:
        async def run() -> int:
            user_id = decode_id(input.user, "User", ["user"])
            return await accounts.revoke_sessions(info.context.viewer, user_id)

        revoked, errors = await attempt(run())
        return UserRevokeSessionsPayload(revoked=revoked, errors=errors)

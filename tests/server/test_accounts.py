"""Accounts and sessions through the HTTP API: Argon2 passwords, opaque bearer tokens stored as
SHA-256, idle and absolute expiry, revocation and deactivation by administrators, sign-in
throttling (lock per name and per address, slowing), and the audit trail of every sign-in."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from tortoise import Tortoise

from server.app import create_app
from server.domain import accounts
from server.domain.access import Viewer
from server.domain.accounts import MAX_PASSWORD, create_user, deactivate
from server.models import AuditEvent, AuthToken, LoginThrottle, Role, User
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import PASSWORD, GraphQLClient, empty_tables, sign_in
from tests.server.network import build_network

LOGIN = """
mutation ($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) {
    token
    user { id username role }
    errors { code field message }
  }
}"""

LOGIN_WITH_SHELTERS = """
mutation ($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) {
    token user { username shelters { name } } errors { code }
  }
}"""

LOGOUT = "mutation { logout { errors { code field message } } }"

VIEWER = "{ viewer { id username fullName role active shelters { name } } }"

#: Any query that needs a signed-in person.
REGIONS = "{ regions { name } }"

USER_CREATE = """
mutation (
  $username: String!, $fullName: String!, $role: Role!, $password: String!, $shelters: [ID!]! = []
) {
  userCreate(input: {
    username: $username, fullName: $fullName, role: $role, password: $password, shelters: $shelters
  }) {
    user { id username fullName role active shelters { name } }
    errors { code field message }
  }
}"""

USER_DEACTIVATE = """
mutation ($user: ID!) {
  userDeactivate(input: {user: $user}) { user { username active } errors { code field message } }
}"""

USER_REVOKE_SESSIONS = """
mutation ($user: ID!) {
  userRevokeSessions(input: {user: $user}) { revoked errors { code field message } }
}"""

USERS = "{ users(first: 100) { edges { node { username role active } } } }"

NODE_USER = """
query ($id: ID!) { node(id: $id) { ... on User { username fullName role } } }"""

AUDIT = """
{ auditEvents(first: 100) { edges { node { action username client recordType recordId } } } }"""

#: What every refused sign-in says, whether or not the name is an account.
WRONG = ("LOGIN_FAILED", "Wrong username or password.")
LOCKED = ("LOGIN_LOCKED", "Too many failed sign-ins. Try again in a while.")


@pytest.fixture(autouse=True)
def quick_dummy_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash checked for names that are no account, as cheap as the tests' own hashes
    (it is made at import, before conftest makes hashing quick)."""
    monkeypatch.setattr(accounts, "_DUMMY_HASH", accounts._hasher.hash("not a password"))


def operator() -> Viewer:
    return Viewer.operator("tests")


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def refusal(payload: dict[str, Any]) -> tuple[str, str]:
    """The one error of a refused sign-in, as (code, message)."""
    assert payload["token"] is None and payload["user"] is None, payload
    [error] = payload["errors"]
    assert error["field"] is None, error
    return error["code"], error["message"]


async def sign_in_over_http(
    client: GraphQLClient, username: str, password: str = PASSWORD
) -> dict[str, Any]:
    """The ``login`` payload, asked for by nobody signed in."""
    data = await client.as_token(None).data(LOGIN, {"username": username, "password": password})
    payload: dict[str, Any] = data["login"]
    return payload


async def token_of(client: GraphQLClient, username: str, password: str = PASSWORD) -> str:
    payload = await sign_in_over_http(client, username, password)
    assert payload["errors"] == [], payload
    token: str = payload["token"]
    return token


async def works(client: GraphQLClient, token: str) -> bool:
    """Whether ``token`` is a live session: the viewer is someone and a query is answered.
    A dead one must fail both ways: viewer null, and the query UNAUTHENTICATED."""
    as_holder = client.as_token(token)
    viewer = (await as_holder.data(VIEWER))["viewer"]
    body = await as_holder.post(REGIONS)
    if viewer is None:
        assert body["data"] is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
        return False
    assert "errors" not in body, body
    return True


async def session_of(token: str) -> AuthToken:
    return await AuthToken.get(token_hash=hashlib.sha256(token.encode()).hexdigest())


async def table(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Tortoise.get_connection("default").execute_query_dict(
        f"SELECT * FROM {name}"
    )
    return rows


async def new_account(
    username: str, role: Role = Role.COORDINATOR, shelter_ids: list[int] | None = None
) -> User:
    return await create_user(
        operator(), username, f"Test {username}", role, PASSWORD, shelter_ids or []
    )


@asynccontextmanager
async def app_with(settings: Settings) -> AsyncIterator[Starlette]:
    """The app with other settings, inside its lifespan, over empty tables (like ``app``)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await empty_tables()
        yield application


@asynccontextmanager
async def client_from(
    application: Starlette, address: str = "127.0.0.1", agent: str = "HavenTablet/1.0"
) -> AsyncIterator[GraphQLClient]:
    """Nobody signed in, calling from ``address`` with the user agent ``agent``."""
    transport = httpx.ASGITransport(app=application, client=(address, 40123))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://haven.test", headers={"user-agent": agent}
    ) as http:
        yield GraphQLClient(http).as_token(None)


# --- what is stored ---------------------------------------------------------------------------


async def test_password_is_stored_as_an_argon2id_hash_and_the_token_as_its_sha256(
    gql: GraphQLClient,
) -> None:
    # given an account made through the API by an administrator
    admin = gql.as_token(await sign_in(Role.ADMIN))
    password = "pomegranate orchard 1987"
    created = (
        await admin.data(
            USER_CREATE,
            {
                "username": "coord.aliya",
                "fullName": "Aliya K.",
                "role": "COORDINATOR",
                "password": password,
            },
        )
    )["userCreate"]
    assert created["errors"] == []

    # when she signs in twice
    first = await token_of(gql, "coord.aliya", password)
    second = await token_of(gql, "coord.aliya", password)

    # then the account keeps an Argon2id hash that verifies, never the password
    [account] = [row for row in await table("account") if row["username"] == "coord.aliya"]
    assert account["password_hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(account["password_hash"], password)
    for name in ("account", "auth_token", "audit_event"):
        assert password not in repr(await table(name)), name
    # and each token is opaque, new each time, and stored only as its SHA-256
    assert first != second and len(first) >= 40 and len(second) >= 40
    assert "aliya" not in first.lower() and "aliya" not in second.lower()
    stored = await table("auth_token")
    for token in (first, second):
        assert token not in repr(stored) and token not in repr(await table("audit_event"))
    assert {hashlib.sha256(t.encode()).hexdigest() for t in (first, second)} <= {
        row["token_hash"] for row in stored
    }


# --- sign-in, viewer, sign-out ----------------------------------------------------------------


async def test_login_gives_a_token_viewer_is_the_user_and_logout_ends_that_session(
    gql: GraphQLClient,
) -> None:
    # given a medical volunteer working in two shelters, signed in on a tablet and a laptop
    network = await build_network(shelters=3)
    medic = await new_account("medic.dana", Role.MEDICAL, [s.id for s in network.shelters[:2]])
    signed_in = await sign_in_over_http(gql, "  Medic.Dana ", PASSWORD)
    tablet = signed_in["token"]
    laptop = await token_of(gql, "medic.dana")

    # then login answered with a token and the user, and viewer is that user
    assert signed_in["errors"] == [] and isinstance(tablet, str)
    assert signed_in["user"] == {
        "id": encode_id("User", medic.id),
        "username": "medic.dana",
        "role": "MEDICAL",
    }
    assert (await gql.as_token(tablet).data(VIEWER))["viewer"] == {
        "id": encode_id("User", medic.id),
        "username": "medic.dana",
        "fullName": "Test medic.dana",
        "role": "MEDICAL",
        "active": True,
        "shelters": [{"name": "Shelter 0"}, {"name": "Shelter 1"}],
    }
    assert await works(gql, tablet)

    # when she signs out on the tablet
    logout = (await gql.as_token(tablet).data(LOGOUT))["logout"]

    # then that session is over, the laptop's is not
    assert logout["errors"] == []
    assert not await works(gql, tablet)
    assert (await session_of(tablet)).revoked_at is not None
    assert await works(gql, laptop)
    # and nobody signed in is nobody
    assert (await gql.as_token(None).data(VIEWER))["viewer"] is None
    assert not await works(gql, "not-a-token")


async def test_wrong_password_and_unknown_name_get_the_same_refusal(gql: GraphQLClient) -> None:
    # given an account
    await new_account("coord.erlan")

    # when someone signs in with a wrong password, and with a name that is no account
    wrong = await sign_in_over_http(gql, "coord.erlan", "not the password at all")
    unknown = await sign_in_over_http(gql, "coord.nobody", PASSWORD)

    # then both are refused alike, and no session is opened
    assert refusal(wrong) == refusal(unknown) == WRONG
    assert await AuthToken.all().count() == 0


# --- expiry -----------------------------------------------------------------------------------


async def test_a_token_unused_for_longer_than_the_idle_time_stops_working(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given two sessions, one last used just within the idle time, one just beyond it
    await new_account("coord.idle")
    kept, idle = await token_of(gql, "coord.idle"), await token_of(gql, "coord.idle")
    minutes = settings.token_idle_minutes
    within = datetime.now(UTC) - timedelta(minutes=minutes - 2)
    await AuthToken.filter(id=(await session_of(kept)).id).update(last_used_at=within)
    await AuthToken.filter(id=(await session_of(idle)).id).update(
        last_used_at=datetime.now(UTC) - timedelta(minutes=minutes + 1)
    )

    # then the idle one is dead; the other works, and using it starts its idle time again
    assert not await works(gql, idle)
    assert await works(gql, kept)
    assert (await session_of(kept)).last_used_at > datetime.now(UTC) - timedelta(minutes=1)
    await AuthToken.filter(id=(await session_of(kept)).id).update(last_used_at=within)
    assert await works(gql, kept)


async def test_a_token_older_than_its_lifetime_stops_working_even_if_used_all_along(
    gql: GraphQLClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a clock the sessions read, and a session opened at its start
    start = datetime.now(UTC)
    clock = SimpleNamespace(at=start)
    monkeypatch.setattr("server.domain.accounts.now", lambda: clock.at)
    await new_account("coord.busy")
    token = await token_of(gql, "coord.busy")

    # when it is used every hour, never idle, for the whole of its lifetime
    lifetime = settings.token_lifetime_hours
    for hour in range(1, lifetime):
        clock.at = start + timedelta(hours=hour)
        assert await works(gql, token), f"dead after {hour} h"

    # then it stops working once the lifetime is over, although it was used an hour ago
    clock.at = start + timedelta(hours=lifetime, minutes=1)
    assert not await works(gql, token)


async def test_a_session_past_its_expiry_is_dead_even_if_just_used(gql: GraphQLClient) -> None:
    # given a session opened 25 hours ago, used a moment ago
    await new_account("coord.old")
    token = await token_of(gql, "coord.old")
    await AuthToken.filter(id=(await session_of(token)).id).update(
        created_at=hours_ago(25), expires_at=hours_ago(1), last_used_at=hours_ago(0.01)
    )

    # then it no longer works
    assert not await works(gql, token)


# --- administration ---------------------------------------------------------------------------


async def test_admin_revokes_every_session_of_a_user(gql: GraphQLClient) -> None:
    # given a counsellor signed in on a tablet (then lost) and a laptop, and a colleague
    network = await build_network(shelters=1)
    counsellor = await new_account("couns.gulnara", Role.COUNSELLOR, [network.shelters[0].id])
    await new_account("couns.colleague", Role.COUNSELLOR, [network.shelters[0].id])
    tablet, laptop = await token_of(gql, "couns.gulnara"), await token_of(gql, "couns.gulnara")
    colleague = await token_of(gql, "couns.colleague")
    admin = gql.as_token(await sign_in(Role.ADMIN))

    # when an administrator ends her sessions
    result = (await admin.data(USER_REVOKE_SESSIONS, {"user": encode_id("User", counsellor.id)}))[
        "userRevokeSessions"
    ]

    # then both die, the colleague's lives on, and she may sign in again
    assert result == {"revoked": 2, "errors": []}
    assert not await works(gql, tablet) and not await works(gql, laptop)
    assert await works(gql, colleague)
    assert await works(gql, await token_of(gql, "couns.gulnara"))
    [event] = await AuditEvent.filter(action="revoke_sessions")
    assert event.record_id == counsellor.id and event.username.startswith("admin-")


async def test_admin_deactivates_an_account(gql: GraphQLClient) -> None:
    # given a legal adviser signed in
    network = await build_network(shelters=1)
    adviser = await new_account("legal.timur", Role.LEGAL, [network.shelters[0].id])
    session = await token_of(gql, "legal.timur")
    admin = gql.as_token(await sign_in(Role.ADMIN))

    # when an administrator closes the account
    result = (await admin.data(USER_DEACTIVATE, {"user": encode_id("User", adviser.id)}))[
        "userDeactivate"
    ]

    # then the session dies and the right password is refused like a wrong one
    assert result == {"user": {"username": "legal.timur", "active": False}, "errors": []}
    assert not await works(gql, session)
    assert refusal(await sign_in_over_http(gql, "legal.timur")) == WRONG
    assert await AuthToken.filter(user_id=adviser.id, revoked_at__isnull=True).count() == 0
    users = (await admin.data(USERS))["users"]["edges"]
    assert {"username": "legal.timur", "role": "LEGAL", "active": False} in [
        e["node"] for e in users
    ]


async def test_admin_actions_on_no_such_user_are_errors(gql: GraphQLClient) -> None:
    # given an administrator
    admin = gql.as_token(await sign_in(Role.ADMIN))
    for document, name in (
        (USER_REVOKE_SESSIONS, "userRevokeSessions"),
        (USER_DEACTIVATE, "userDeactivate"),
    ):
        # when she names an account that does not exist, and an ID that is not an account's
        missing = (await admin.data(document, {"user": encode_id("User", 999_999)}))[name]
        not_a_user = (await admin.data(document, {"user": encode_id("Shelter", 1)}))[name]

        # then each is an error on the user field
        assert [(e["code"], e["field"]) for e in missing["errors"]] == [
            ("NOT_FOUND", ["input", "user"])
        ]
        assert [(e["code"], e["field"]) for e in not_a_user["errors"]] == [
            ("INVALID_ID", ["input", "user"])
        ]


@pytest.mark.parametrize(
    "role",
    [Role.COORDINATOR, Role.SHELTER_STAFF, Role.MEDICAL, Role.COUNSELLOR, Role.LEGAL, None],
    ids=lambda role: role.value if role else "anonymous",
)
async def test_only_administrators_manage_accounts(gql: GraphQLClient, role: Role | None) -> None:
    # given shelter staff with an open session, and someone of another role (or nobody)
    network = await build_network(shelters=1)
    shelters = [network.shelters[0]] if role not in (Role.COORDINATOR, None) else []
    target = await new_account("staff.target", Role.SHELTER_STAFF, [network.shelters[0].id])
    session = await token_of(gql, "staff.target")
    caller = gql.as_token(await sign_in(role, shelters) if role else None)
    expected = "FORBIDDEN" if role else "UNAUTHENTICATED"
    accounts_before = await User.all().count()

    # when they try to end the sessions, close the account, make an account, list accounts
    target_id = encode_id("User", target.id)
    revoke = (await caller.data(USER_REVOKE_SESSIONS, {"user": target_id}))["userRevokeSessions"]
    close = (await caller.data(USER_DEACTIVATE, {"user": target_id}))["userDeactivate"]
    create = (
        await caller.data(
            USER_CREATE,
            {
                "username": "sneaky.admin",
                "fullName": "Sneaky",
                "role": "ADMIN",
                "password": PASSWORD,
            },
        )
    )["userCreate"]
    listing = await caller.post(USERS)

    # then each is refused, and nothing changed
    assert revoke["revoked"] is None
    assert [(e["code"], e["field"]) for e in revoke["errors"]] == [(expected, None)]
    assert close["user"] is None and [e["code"] for e in close["errors"]] == [expected]
    assert create["user"] is None and [e["code"] for e in create["errors"]] == [expected]
    assert listing["data"] is None and [e["extensions"]["code"] for e in listing["errors"]] == [
        expected
    ]
    assert await works(gql, session)
    assert (await User.get(id=target.id)).is_active
    assert await User.all().count() == accounts_before
    assert not await User.filter(username="sneaky.admin").exists()
    assert await AuditEvent.filter(action__in=["revoke_sessions", "deactivate_user"]).count() == 0


# --- creating accounts ------------------------------------------------------------------------


async def test_admin_creates_an_account_that_can_sign_in(gql: GraphQLClient) -> None:
    # given a shelter
    network = await build_network(shelters=2)
    admin = gql.as_token(await sign_in(Role.ADMIN))

    # when an administrator makes a shelter staff account there
    created = (
        await admin.data(
            USER_CREATE,
            {
                "username": " Staff.Madina ",
                "fullName": "Madina B.",
                "role": "SHELTER_STAFF",
                "password": "twelve chars",
                "shelters": [encode_id("Shelter", network.shelters[1].id)],
            },
        )
    )["userCreate"]

    # then it exists, named in lower case, and she can sign in and sees her shelter
    assert created["errors"] == []
    assert created["user"] | {"id": None} == {
        "id": None,
        "username": "staff.madina",
        "fullName": "Madina B.",
        "role": "SHELTER_STAFF",
        "active": True,
        "shelters": [{"name": "Shelter 1"}],
    }
    token = await token_of(gql, "staff.madina", "twelve chars")
    assert (await gql.as_token(token).data(VIEWER))["viewer"]["shelters"] == [{"name": "Shelter 1"}]
    [event] = await AuditEvent.filter(action="create_user", detail="shelter_staff")
    assert event.username.startswith("admin-") and event.client.startswith("127.0.0.1 ")


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        pytest.param(
            {"password": "eleven char"}, "INVALID_VALUE", ["input", "password"], id="short-password"
        ),
        pytest.param(
            {"password": "x" * (MAX_PASSWORD + 1)},
            "INVALID_VALUE",
            ["input", "password"],
            id="long-password",
        ),
        pytest.param(
            {"username": "ann smith"},
            "INVALID_VALUE",
            ["input", "username"],
            id="space-in-username",
        ),
        pytest.param(
            {"username": "a"}, "INVALID_VALUE", ["input", "username"], id="one-letter-username"
        ),
        pytest.param(
            {"username": "айгерим"}, "INVALID_VALUE", ["input", "username"], id="cyrillic-username"
        ),
        pytest.param(
            {"username": "Aigerim"}, "INVALID_VALUE", ["input", "username"], id="taken-username"
        ),
        pytest.param({"fullName": "   "}, "REQUIRED", ["input", "fullName"], id="blank-name"),
        pytest.param(
            {"shelters": []}, "REQUIRED", ["input", "shelters"], id="shelter-role-without-shelters"
        ),
        pytest.param(
            {"role": "COORDINATOR"},
            "INVALID_VALUE",
            ["input", "shelters"],
            id="network-role-with-shelters",
        ),
        pytest.param(
            {"role": "ADMIN"}, "INVALID_VALUE", ["input", "shelters"], id="admin-with-shelters"
        ),
        pytest.param(
            {"shelters": ["bm90IGFuIGlk"]},
            "INVALID_ID",
            ["input", "shelters", "0"],
            id="not-a-shelter-id",
        ),
        pytest.param(
            {"shelters": [encode_id("Shelter", 999_999)]},
            "NOT_FOUND",
            ["input", "shelters"],
            id="no-such-shelter",
        ),
    ],
)
async def test_user_create_errors_name_the_field(
    gql: GraphQLClient, change: dict[str, Any], code: str, field: list[str]
) -> None:
    # given an account named aigerim, and a shelter
    network = await build_network(shelters=1)
    await new_account("aigerim")
    admin = gql.as_token(await sign_in(Role.ADMIN))
    accounts_before = await User.all().count()
    valid = {
        "username": "staff.new",
        "fullName": "New Staff",
        "role": "SHELTER_STAFF",
        "password": "a good long passphrase",
        "shelters": [encode_id("Shelter", network.shelters[0].id)],
    }

    # when an administrator makes an account with one thing wrong
    result = (await admin.data(USER_CREATE, valid | change))["userCreate"]

    # then the error names that field, and no account was made
    assert result["user"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [(code, field)]
    assert result["errors"][0]["message"]
    assert await User.all().count() == accounts_before


# --- brute force ------------------------------------------------------------------------------


async def test_twenty_wrong_passwords_in_a_row_lock_the_account_for_a_while(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given an account; 19 wrong passwords and then the right one break the row
    await new_account("coord.target")
    limit = settings.login_account_limit
    assert limit == 20
    for attempt in range(limit - 1):
        assert (
            refusal(await sign_in_over_http(gql, "coord.target", f"guess number {attempt}"))
            == WRONG
        )
    assert await works(gql, await token_of(gql, "coord.target"))

    # when someone then tries 20 wrong passwords in a row
    answers = [
        refusal(await sign_in_over_http(gql, "coord.target", f"another guess {attempt}"))
        for attempt in range(limit)
    ]

    # then each is refused, and after them even the right password does not sign in
    assert answers == [WRONG] * limit
    assert refusal(await sign_in_over_http(gql, "coord.target")) == LOCKED
    assert refusal(await sign_in_over_http(gql, "Coord.Target ")) == LOCKED
    assert await AuthToken.all().count() == 1  # the session from before the lock
    # and the lock is in the audit trail
    failed = await AuditEvent.filter(action="login_failed", username="coord.target").count()
    assert failed == 2 * limit - 1
    assert await AuditEvent.filter(action="login_locked", username="coord.target").count() == 2

    # when the lock has run out
    lock = await LoginThrottle.get(key="account:coord.target")
    assert lock.locked_until is not None
    assert lock.locked_until - datetime.now(UTC) > timedelta(
        minutes=settings.login_lock_minutes - 1
    )
    await LoginThrottle.filter(id=lock.id).update(
        locked_until=datetime.now(UTC) - timedelta(seconds=1)
    )

    # then the right password signs in again
    assert await works(gql, await token_of(gql, "coord.target"))


async def test_the_lock_does_not_tell_whether_an_account_exists(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given an account, a closed account, and a name that was never an account
    await new_account("coord.real")
    closed = await new_account("coord.closed")
    await deactivate(operator(), closed.id)

    # when each is tried with wrong passwords until locked, then with the right one
    def attempts(name: str) -> list[str]:
        wrong = [f"wrong password {n} for {name}" for n in range(settings.login_account_limit)]
        return [*wrong, PASSWORD, PASSWORD]

    answers = {
        name: [refusal(await sign_in_over_http(gql, name, password)) for password in attempts(name)]
        for name in ("coord.real", "coord.closed", "coord.ghost")
    }

    # then the answers are the same, code and message, at the same points
    expected = [WRONG] * settings.login_account_limit + [LOCKED, LOCKED]
    assert answers["coord.real"] == expected
    assert answers["coord.closed"] == expected
    assert answers["coord.ghost"] == expected


async def test_failures_from_one_address_across_many_names_lock_the_address(
    settings: Settings,
) -> None:
    # given an app that locks an address after 5 failures, and an account
    async with app_with(replace(settings, login_address_limit=5)) as application:
        await new_account("coord.victim")
        async with (
            client_from(application, "203.0.113.7") as attacker,
            client_from(application, "198.51.100.20") as office,
        ):
            # when one address tries five names, one wrong password each
            answers = [
                refusal(await sign_in_over_http(attacker, f"name.{n}", "password123456"))
                for n in range(5)
            ]

            # then it is locked: even a right password from there does not sign in
            assert answers == [WRONG] * 5
            assert refusal(await sign_in_over_http(attacker, "coord.victim")) == LOCKED
            # while the account itself is not locked for anyone else
            assert (await sign_in_over_http(office, "coord.victim"))["errors"] == []

            # when that lock runs out, the address may sign in again
            await LoginThrottle.filter(key="address:203.0.113.7").update(
                locked_until=datetime.now(UTC) - timedelta(seconds=1)
            )
            assert (await sign_in_over_http(attacker, "coord.victim"))["errors"] == []


async def test_each_failure_in_a_row_slows_the_next_attempt_more(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given slowing after 3 failures, half a second at first, and a sleep that only records
    delays: list[float] = []

    async def record_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("server.domain.accounts.asyncio.sleep", record_sleep)
    slow = replace(settings, login_slow_after=3, login_delay_seconds=0.5)
    async with app_with(slow) as application, client_from(application) as client:
        await new_account("coord.slow")

        # when wrong passwords come one after another
        waited = []
        for attempt in range(9):
            before = len(delays)
            assert (
                refusal(await sign_in_over_http(client, "coord.slow", f"guess {attempt}xxxxx"))
                == WRONG
            )
            waited.append(sum(delays[before:]))

        # then the first three are not slowed, and each further one waits twice as long, up to 8 s
        assert waited == [0, 0, 0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
        # and the right password is slowed as much (the wait comes before the check)
        delays.clear()
        assert (await sign_in_over_http(client, "coord.slow"))["errors"] == []
        assert delays == [8.0]


# --- audit ------------------------------------------------------------------------------------


async def test_every_sign_in_and_failed_sign_in_is_in_the_audit_trail(app: Starlette) -> None:
    # given an account, and a tablet that calls from 127.0.0.1
    user = await new_account("coord.audited")
    async with client_from(app, agent="HavenTablet/1.0") as tablet:
        # when it signs in, fails with a wrong password, and with an unknown name
        token = await token_of(tablet, "coord.audited")
        await sign_in_over_http(tablet, "Coord.Audited", "wrong password!!")
        await sign_in_over_http(tablet, "coord.unknown", "wrong password!!")
        await tablet.as_token(token).data(LOGOUT)

        # then an administrator reads each, with the name and the client
        admin = tablet.as_token(await sign_in(Role.ADMIN))
        edges = (await admin.data(AUDIT))["auditEvents"]["edges"]
    events = [
        e["node"] for e in edges if e["node"]["username"] in ("coord.audited", "coord.unknown")
    ]
    client = "127.0.0.1 HavenTablet/1.0"
    user_id = encode_id("User", user.id)
    assert events == [
        {
            "action": "login",
            "username": "coord.audited",
            "client": client,
            "recordType": "User",
            "recordId": user_id,
        },
        {
            "action": "login_failed",
            "username": "coord.audited",
            "client": client,
            "recordType": "User",
            "recordId": user_id,
        },
        {
            "action": "login_failed",
            "username": "coord.unknown",
            "client": client,
            "recordType": "User",
            "recordId": None,
        },
        {
            "action": "logout",
            "username": "coord.audited",
            "client": client,
            "recordType": "User",
            "recordId": user_id,
        },
    ]


# --- bugs the first version had, fixed; these keep them fixed ------------------------------


async def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(
    gql: GraphQLClient, settings: Settings
) -> None:
    # given an account
    await new_account("coord.burst")

    # when 40 wrong passwords arrive at once
    anonymous = gql.as_token(None)
    bodies = await asyncio.gather(
        *(
            anonymous.data(LOGIN, {"username": "coord.burst", "password": f"parallel guess {n}"})
            for n in range(40)
        )
    )

    # then no more than the limit were checked; the rest were refused as locked
    codes = [refusal(body["login"])[0] for body in bodies]
    assert codes.count("LOGIN_FAILED") <= settings.login_account_limit, codes


async def test_a_longer_password_than_the_real_one_is_wrong(gql: GraphQLClient) -> None:
    # given an account whose password is as long as allowed
    password = "correct horse " * 18 + "abcd"
    assert len(password) == MAX_PASSWORD
    await create_user(operator(), "coord.long", "Long", Role.COORDINATOR, password)

    # when someone signs in with that password and more after it
    answer = await sign_in_over_http(gql, "coord.long", password + " and then some")

    # then it is refused
    assert refusal(answer) == WRONG


async def test_the_login_payload_lists_the_shelters_the_user_works_in(gql: GraphQLClient) -> None:
    # given shelter staff working in one shelter
    network = await build_network(shelters=2)
    await new_account("staff.login", Role.SHELTER_STAFF, [network.shelters[0].id])

    # when she signs in
    data = await gql.as_token(None).data(
        LOGIN_WITH_SHELTERS, {"username": "staff.login", "password": PASSWORD}
    )

    # then the user in the answer shows her shelter, as viewer does
    assert data["login"]["user"]["shelters"] == [{"name": "Shelter 0"}]


async def test_only_administrators_read_other_accounts_through_node(gql: GraphQLClient) -> None:
    # given an administrator's account and a medical volunteer signed in
    network = await build_network(shelters=1)
    admin = await new_account("admin.secret", Role.ADMIN)
    medic = gql.as_token(await sign_in(Role.MEDICAL, network.shelters))

    # when the volunteer asks for the administrator's account by its ID
    body = await medic.post(NODE_USER, {"id": encode_id("User", admin.id)})

    # then nothing of it is shown
    assert "admin.secret" not in str(body)

"""Accounts and sessions: Argon2 passwords, bearer tokens stored hashed, sign-in throttling.

user = await create_user(admin, "aigerim", "Aigerim S.", Role.SHELTER_STAFF, "passphrase", [1])
token, viewer = await login("aigerim", "long passphrase", client="127.0.0.1", settings=settings)
viewer = await authenticate(token, client="127.0.0.1", settings=settings)
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, require, require_signed_in
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode, require_text
from server.models import AuthToken, LoginThrottle, Role, Shelter, User
from server.settings import Settings

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so both answers take as long.
_DUMMY_HASH = _hasher.hash("not a password of anyone's")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256
#: Sessions are touched at most this often, so reads do not write on every request.
_TOUCH_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _storable(text: str) -> str:
    """Text any database and Argon2 accept: lone surrogates become "?", NULs go."""
    return text.encode("utf-8", "replace").decode().replace("\x00", "")


def _check_password(password: str) -> None:
    if _storable(password) != password:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["password"],
            "The password has characters that cannot be stored.",
        )
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["password"],
            f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
        )


async def create_user(
    viewer: Viewer,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    shelter_ids: Iterable[int] = (),
) -> User:
    require(viewer, Action.MANAGE_ACCOUNTS)
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["username"],
            "A username is 2–64 lowercase letters, digits, dots, dashes or underscores.",
        )
    full_name = require_text(full_name, ["fullName"], max_length=200, required=True)
    _check_password(password)
    ids = sorted(set(shelter_ids))
    # Argon2 is deliberately slow (~0.15 s): a thread keeps the server answering meanwhile.
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    async with in_transaction() as connection:
        shelters = await Shelter.filter(id__in=ids).using_db(connection)
        if len(shelters) != len(ids):
            raise DomainError(ErrorCode.NOT_FOUND, ["shelters"], "No such shelter.")
        if role in (Role.ADMIN, Role.COORDINATOR) and ids:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["shelters"], "Network roles are not bound to shelters."
            )
        if role not in (Role.ADMIN, Role.COORDINATOR) and not ids:
            raise DomainError(
                ErrorCode.REQUIRED, ["shelters"], "Shelter roles work in at least one shelter."
            )
        try:
            user = await User.create(
                username=username,
                full_name=full_name,
                role=role,
                password_hash=password_hash,
                using_db=connection,
            )
        except IntegrityError as error:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["username"], f"{username} is taken."
            ) from error
        if shelters:
            await user.shelters.add(*shelters, using_db=connection)
        await record(
            viewer, "create_user", "User", user.id, detail=role.value, connection=connection
        )
    return user


async def viewer_for(user: User, client: str = "") -> Viewer:
    shelter_ids = await user.shelters.all().values_list("id", flat=True)
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=user.role,
        shelter_ids=frozenset(shelter_ids),
        client=client,
    )


async def _attempt(key: str, limit: int, settings: Settings) -> tuple[bool, int]:
    """Count one sign-in attempt against ``key`` before the password is checked, so parallel
    guesses cannot all slip in under the limit. Returns (allowed, failures before this one).
    Failures older than the lock period are forgotten."""
    current = now()
    window = timedelta(minutes=settings.login_lock_minutes)
    try:
        row, _ = await LoginThrottle.get_or_create(key=key, defaults={"last_failure_at": current})
    except IntegrityError:  # a parallel attempt made the row first
        row = await LoginThrottle.get(key=key)
    # Each step is one conditional statement, never a decision on a row read earlier: under
    # a burst, a lock set by a parallel attempt must stop this one too. A lock keeps its count
    # (attempts counted just before it then still read a number over the limit); the count
    # starts again once the lock is over, or when the last failure is old.
    lock_over = Q(locked_until__lte=current)
    forgotten = Q(locked_until__isnull=True, last_failure_at__lt=current - window)
    await LoginThrottle.filter(lock_over | forgotten, id=row.id).update(
        failures=0, locked_until=None
    )
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lte=current)
    counted = await LoginThrottle.filter(unlocked, id=row.id).update(
        failures=F("failures") + 1, last_failure_at=current
    )
    await row.refresh_from_db()
    if not counted:
        return False, row.failures
    if row.failures > limit:
        await _lock(row.id, settings)
        return False, row.failures - 1
    return True, row.failures - 1


async def _lock(row_id: int, settings: Settings) -> None:
    locked_until = now() + timedelta(minutes=settings.login_lock_minutes)
    await LoginThrottle.filter(id=row_id).update(locked_until=locked_until)


async def _failed(key: str, limit: int, settings: Settings) -> None:
    """The attempt counted by ``_attempt`` failed: the ``limit``-th failure in a row locks."""
    row = await LoginThrottle.get_or_none(key=key)
    if row is not None and row.failures >= limit:
        await _lock(row.id, settings)


async def _succeeded(account_key: str, address_key: str) -> None:
    """A right password: the account's count starts again, the address gets this attempt back."""
    await LoginThrottle.filter(key=account_key).delete()
    await LoginThrottle.filter(key=address_key, failures__gt=0).update(failures=F("failures") - 1)


async def _password_matches(user: User | None, password: str) -> bool:
    """Argon2 runs in a thread: a sign-in must not stop the server for its ~0.15 s."""
    return await asyncio.to_thread(_verify, user, password)


def _verify(user: User | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return user is not None


async def login(
    username: str, password: str, *, client: str, address: str, settings: Settings
) -> tuple[str, Viewer]:
    """A new session token for the right password; the same refusal for a wrong password and
    an unknown name. Failures slow further attempts; too many lock the name or the address."""
    name = _storable(username).strip().lower()[:64]
    password = _storable(password)
    account_key, address_key = f"account:{name}", f"address:{address}"
    anonymous = Viewer.anonymous(client)
    account_allowed, account_failures = await _attempt(
        account_key, settings.login_account_limit, settings
    )
    address_allowed, address_failures = await _attempt(
        address_key, settings.login_address_limit, settings
    )
    failures = max(account_failures, address_failures)
    if failures >= settings.login_slow_after:
        steps = failures - settings.login_slow_after
        await asyncio.sleep(min(settings.login_delay_seconds * 2**steps, 8.0))
    if not (account_allowed and address_allowed):
        await record(anonymous, "login_locked", "User", username=name)
        raise DomainError(
            ErrorCode.LOGIN_LOCKED, [], "Too many failed sign-ins. Try again in a while."
        )
    user = await User.get_or_none(username=name, is_active=True)
    if not await _password_matches(user, password) or user is None:
        await _failed(account_key, settings.login_account_limit, settings)
        await _failed(address_key, settings.login_address_limit, settings)
        await record(anonymous, "login_failed", "User", user.id if user else None, username=name)
        raise DomainError(ErrorCode.LOGIN_FAILED, [], "Wrong username or password.")
    await _succeeded(account_key, address_key)
    token = secrets.token_urlsafe(32)
    current = now()
    await AuthToken.create(
        user=user,
        token_hash=hash_token(token),
        created_at=current,
        last_used_at=current,
        expires_at=current + timedelta(hours=settings.token_lifetime_hours),
        client=client[:200],
    )
    viewer = await viewer_for(user, client)
    await record(viewer, "login", "User", user.id)
    return token, viewer


#: What ``authenticate`` reads of a session in one statement: the token, its account and the
#: account's shelters (a row per shelter; the session's columns repeat on each).
_SESSION_COLUMNS = (
    "id",
    "revoked_at",
    "expires_at",
    "last_used_at",
    "user_id",
    "user__username",
    "user__role",
    "user__is_active",
    "user__shelters__id",
)


async def _live_session(
    token: str, settings: Settings, *, touch: bool = True
) -> list[dict[str, Any]]:
    """The session's rows (``_SESSION_COLUMNS``), read anew on every request so that a revoked
    token stops at once; none if unknown, revoked, expired, idle or its account is off."""
    if not token or len(token) > 200:
        return []
    rows = await AuthToken.filter(token_hash=hash_token(token)).values(*_SESSION_COLUMNS)
    current = now()
    session = rows[0] if rows else None
    if (
        session is None
        or session["revoked_at"] is not None
        or session["expires_at"] <= current
        or session["last_used_at"] + timedelta(minutes=settings.token_idle_minutes) <= current
        or not session["user__is_active"]
    ):
        return []
    if touch and current - session["last_used_at"] >= _TOUCH_EVERY:
        await AuthToken.filter(id=session["id"]).update(last_used_at=current)
    return rows


async def authenticate(
    token: str, *, client: str, settings: Settings, touch: bool = True
) -> Viewer:
    """The viewer a bearer token stands for; anonymous if unknown, idle, expired or revoked.
    ``touch=False`` checks without counting as use (an open subscription re-checking)."""
    rows = await _live_session(token, settings, touch=touch)
    if not rows:
        return Viewer.anonymous(client)
    return Viewer(
        user_id=rows[0]["user_id"],
        username=rows[0]["user__username"],
        role=rows[0]["user__role"],
        shelter_ids=frozenset(
            row["user__shelters__id"] for row in rows if row["user__shelters__id"] is not None
        ),
        client=client,
    )


async def logout(token: str, viewer: Viewer) -> None:
    require_signed_in(viewer)
    await AuthToken.filter(token_hash=hash_token(token), revoked_at__isnull=True).update(
        revoked_at=now()
    )
    await record(viewer, "logout", "User", viewer.user_id)


async def revoke_sessions(viewer: Viewer, user_id: int) -> int:
    """End every session of an account (a lost tablet). Returns how many were open."""
    require(viewer, Action.MANAGE_ACCOUNTS)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["user"], "No such user.")
    count = await AuthToken.filter(
        user_id=user_id, revoked_at__isnull=True, expires_at__gt=now()
    ).update(revoked_at=now())
    await record(viewer, "revoke_sessions", "User", user_id, detail=f"{count} sessions")
    return count


async def deactivate(viewer: Viewer, user_id: int) -> User:
    """Close an account: it can no longer sign in, and its sessions end."""
    require(viewer, Action.MANAGE_ACCOUNTS)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["user"], "No such user.")
    user.is_active = False
    await user.save(update_fields=["is_active"])
    await revoke_sessions(viewer, user_id)
    await record(viewer, "deactivate_user", "User", user_id)
    return user

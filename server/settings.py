"""Every setting of the server, read from the environment with safe defaults.

Settings.from_env()                       # HAVEN_* variables, else defaults
Settings(database_url="sqlite://:memory:")
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

Environment = Literal["development", "production", "test"]


@dataclass(frozen=True)
class Settings:
    #: Tortoise URL: ``sqlite://haven.sqlite3`` or ``postgres://user@host:5432/haven``.
    database_url: str = "sqlite://haven.sqlite3"
    #: Largest number of PostgreSQL connections one server process opens.
    database_pool_size: int = 20
    #: ``production`` hides GraphiQL, introspection and error details.
    environment: Environment = "development"
    #: Local time zone of the shelters: "on a date" means that date here.
    timezone: str = "Asia/Almaty"
    #: Page size when a client gives none, and the most it may ask for.
    default_page_size: int = 20
    max_page_size: int = 100
    host: str = "127.0.0.1"
    port: int = 8000
    #: Redis for events between server processes; none means in-process only.
    redis_url: str | None = None
    #: Fernet keys for notes at rest, comma-separated, newest first; else the key file.
    data_key: str | None = None
    data_key_file: str = "haven.key"
    #: A session ends after this long unused, and in any case this long after sign-in.
    token_idle_minutes: int = 120
    token_lifetime_hours: int = 24
    #: Failed sign-ins in a row before an account name is locked, and from one address.
    login_account_limit: int = 20
    login_address_limit: int = 100
    login_lock_minutes: int = 15
    #: After this many failures in a row, each further attempt waits longer (up to 8 s).
    login_slow_after: int = 5
    login_delay_seconds: float = 0.25
    #: The largest GraphQL request body accepted.
    max_request_bytes: int = 64 * 1024
    # realtime
    #: The Redis pub/sub channel of this network's events (one per deployment sharing a Redis).
    redis_channel: str = "haven:events"
    #: How often each server process releases expired bed holds (0: never, as in tests).
    hold_sweep_seconds: float = 15.0
    #: Days an idempotency key is remembered (a replay after that acts again): far longer than
    #: any tablet stays offline. Each server process forgets older keys once an hour.
    idempotency_days: int = 90
    #: How often an idle subscription checks that its session is still open.
    subscription_recheck_seconds: float = 60.0
    #: Reports: up to this many hidden cells per table, every combination of totals is checked
    #: for a small count it would give away (seconds of CPU per report); finer reports are not
    #: offered as CSV.
    report_audit_limit: int = 3000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls()
        environment = env.get("HAVEN_ENV", settings.environment)
        if environment not in ("development", "production", "test"):
            raise ValueError(
                f"HAVEN_ENV must be development, production or test, not {environment!r}"
            )
        return replace(
            settings,
            database_url=env.get("HAVEN_DATABASE_URL", settings.database_url),
            database_pool_size=int(
                env.get("HAVEN_DATABASE_POOL_SIZE", settings.database_pool_size)
            ),
            environment=environment,  # type: ignore[arg-type]
            timezone=env.get("HAVEN_TIMEZONE", settings.timezone),
            host=env.get("HAVEN_HOST", settings.host),
            port=int(env.get("HAVEN_PORT", settings.port)),
            redis_url=env.get("HAVEN_REDIS_URL") or None,
            data_key=env.get("HAVEN_DATA_KEY") or None,
            data_key_file=env.get("HAVEN_DATA_KEY_FILE", settings.data_key_file),
            token_idle_minutes=int(
                env.get("HAVEN_TOKEN_IDLE_MINUTES", settings.token_idle_minutes)
            ),
            token_lifetime_hours=int(
                env.get("HAVEN_TOKEN_LIFETIME_HOURS", settings.token_lifetime_hours)
            ),
            redis_channel=env.get("HAVEN_REDIS_CHANNEL", settings.redis_channel),
            hold_sweep_seconds=float(
                env.get("HAVEN_HOLD_SWEEP_SECONDS", settings.hold_sweep_seconds)
            ),
            idempotency_days=int(env.get("HAVEN_IDEMPOTENCY_DAYS", settings.idempotency_days)),
            subscription_recheck_seconds=float(
                env.get("HAVEN_SUBSCRIPTION_RECHECK_SECONDS", settings.subscription_recheck_seconds)
            ),
            report_audit_limit=int(
                env.get("HAVEN_REPORT_AUDIT_LIMIT", settings.report_audit_limit)
            ),
        )

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

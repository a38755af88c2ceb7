"""The ``haven`` command: serve the API, migrate the database, load demo data, export the schema.

haven migrate && haven demo --if-empty && haven serve
haven schema --check
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from server.database import migrate_database, open_database
from server.domain.access import Viewer
from server.domain.accounts import create_user, deactivate, revoke_sessions
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode
from server.domain.keys import reencrypt_all
from server.domain.reports import Period, ReportRange, build_report_to_publish
from server.encryption import Keyring, add_key_to_file, install
from server.models import Role, Shelter, User
from server.schema import SDL_PATH, sdl
from server.settings import Settings

T = TypeVar("T")

app = typer.Typer(help="Haven: shelter operations.", no_args_is_help=True, add_completion=False)
console = Console()


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (HAVEN_HOST)."),
    port: int | None = typer.Option(None, help="Port (HAVEN_PORT)."),
    workers: int = typer.Option(1, help="Server processes; needs PostgreSQL when more than 1."),
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql outside production)."""
    settings = Settings.from_env()
    host = host or settings.host
    port = port or settings.port
    if workers > 1 and settings.database_url.startswith("sqlite"):
        console.print("[red]Several workers need PostgreSQL: set HAVEN_DATABASE_URL.[/red]")
        raise typer.Exit(2)
    if workers > 1 and not settings.redis_url:
        # each worker would tell only its own subscribers: a check-in on one goes unseen on others
        console.print(
            "[red]Several workers need Redis for subscriptions: set HAVEN_REDIS_URL.[/red]"
        )
        raise typer.Exit(2)
    if not settings.production:
        console.print(f"GraphiQL: [bold]http://{host}:{port}/graphql[/bold]")
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        ws_max_size=settings.max_request_bytes,  # a subscription is no bigger than a request
    )


@app.command()
def migrate() -> None:
    """Apply the committed migrations to HAVEN_DATABASE_URL."""
    settings = Settings.from_env()
    asyncio.run(migrate_database(settings))
    console.print("Database is up to date.")


@app.command()
def demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing if data is present."),
) -> None:
    """Load the synthetic demo network (no real person's data) and print its accounts."""
    from fixtures.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts_present
    from fixtures.demo import database_is_empty, load_demo

    async def run() -> None:
        async with open_database(Settings.from_env()):
            if not await database_is_empty():
                if not if_empty:
                    console.print(
                        "[red]The database is not empty; demo data goes into an empty one.[/red]"
                    )
                    raise typer.Exit(1)
                console.print("Demo data: the database already has data, left as it is.")
            else:
                with console.status("Loading demo data…"):
                    summary = await load_demo()
                table = Table(title="Demo data loaded")
                table.add_column("what")
                table.add_column("how many", justify="right")
                for name, count in vars(summary).items():
                    table.add_row(name.replace("_", " "), str(count))
                console.print(table)
            if await demo_accounts_present():
                accounts = Table(title=f"Demo accounts (password: {DEMO_PASSWORD})")
                for column in ("username", "role", "works in"):
                    accounts.add_column(column)
                for account in DEMO_ACCOUNTS:
                    works_in = ", ".join(account.shelters) or "every shelter"
                    accounts.add_row(account.username, account.role.value, works_in)
                console.print(accounts)

    asyncio.run(run())


user_app = typer.Typer(help="Accounts: one per person, never shared.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _operator() -> Viewer:
    return Viewer.operator(getpass.getuser())


def _run_domain(call: Callable[[], Awaitable[T]]) -> T:
    """Run a domain call on the database; a refusal is printed, exit code 1."""

    async def run() -> T:
        async with open_database(Settings.from_env()):
            return await call()

    try:
        return asyncio.run(run())
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error


@user_app.command("create")
def user_create(
    username: str,
    role: Role = typer.Option(
        ..., help="admin, coordinator, shelter_staff, medical, counsellor, legal"
    ),
    full_name: str = typer.Option(..., "--name", help="The person's full name."),
    shelters: list[str] = typer.Option([], "--shelter", help="A shelter they work in (repeat)."),
) -> None:
    """Create an account; the password is asked for, never given on the command line."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def create() -> User:
        ids = []
        for name in shelters:
            shelter = await Shelter.get_or_none(name=name)
            if shelter is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["shelter"], f"No shelter named {name!r}.")
            ids.append(shelter.id)
        return await create_user(_operator(), username, full_name, role, password, ids)

    user = _run_domain(create)
    console.print(f"Created {user.username} ({user.role.value}).")


@user_app.command("list")
def user_list() -> None:
    """Every account, with its role, shelters and whether it is active."""

    async def rows() -> list[tuple[User, list[str]]]:
        users = await User.all().prefetch_related("shelters")
        return [(user, [shelter.name for shelter in user.shelters]) for user in users]

    table = Table()
    for column in ("username", "name", "role", "active", "works in"):
        table.add_column(column)
    for user, names in _run_domain(rows):
        table.add_row(
            user.username,
            user.full_name,
            user.role.value,
            "yes" if user.is_active else "no",
            ", ".join(names) or "every shelter",
        )
    console.print(table)


async def _user_id(username: str) -> int:
    user = await User.get_or_none(username=username.strip().lower())
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["user"], f"No account named {username!r}.")
    return user.id


@user_app.command("deactivate")
def user_deactivate(username: str) -> None:
    """Close an account: it can no longer sign in, and its sessions end."""

    async def run() -> User:
        return await deactivate(_operator(), await _user_id(username))

    _run_domain(run)
    console.print(f"{username} is deactivated.")


@user_app.command("revoke")
def user_revoke(username: str) -> None:
    """End every session of an account (a lost tablet)."""

    async def run() -> int:
        return await revoke_sessions(_operator(), await _user_id(username))

    count = _run_domain(run)
    console.print(f"Ended {count} session(s) of {username}.")


keys_app = typer.Typer(help="The data key that encrypts notes at rest.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new key (key file), then write every note again with the newest key.

    With HAVEN_DATA_KEY, put the new key first yourself (`new,old`), then run this; once it
    has finished, the old key can be removed."""
    settings = Settings.from_env()
    if not settings.data_key:
        add_key_to_file(Path(settings.data_key_file))
        console.print(f"Added a new key to {settings.data_key_file}.")
    install(Keyring.from_settings(settings))

    async def run() -> int:
        with Progress(console=console) as progress:
            task = progress.add_task("Re-encrypting", total=None)
            return await reencrypt_all(
                lambda model, done, total: progress.update(
                    task, description=f"Re-encrypting {model}", completed=done, total=total
                )
            )

    count = _run_domain(run)
    console.print(f"Re-encrypted {count} record(s) with the newest key.")


@app.command()
def report(
    start: datetime = typer.Option(..., "--from", formats=["%Y-%m-%d"], help="First date."),
    end: datetime = typer.Option(..., "--to", formats=["%Y-%m-%d"], help="Last date (included)."),
    period: Period = typer.Option(Period.MONTH, help="day, week or month."),
    out: Path | None = typer.Option(None, "--out", help="HTML file to write."),
) -> None:
    """Write the donor report: one HTML file with tables and charts, small counts hidden."""
    from server.domain.reports.donor import CHARTS, donor_html  # matplotlib: only when asked

    settings = Settings.from_env()
    target = out or Path(f"haven-report-{start:%Y-%m-%d}-{end:%Y-%m-%d}.html")

    async def run() -> str:
        viewer = _operator()
        span = ReportRange.checked(start.date(), end.date(), period, settings.zone)
        with Progress(console=console) as progress:
            task = progress.add_task("Counting figures", total=3 + CHARTS)
            built = await build_report_to_publish(
                viewer, span, audit_limit=settings.report_audit_limit
            )
            progress.update(task, advance=2, description="Drawing charts")
            html = donor_html(
                built, span, generated_at=now(), step=lambda _: progress.advance(task)
            )
            progress.update(task, advance=1, description="Done")
        await record(
            viewer,
            "export_report",
            "Report",
            detail=f"donor report {span.start}..{span.end} by {span.period.value}",
        )
        return html

    target.write_text(_run_domain(run), encoding="utf-8")
    console.print(f"Wrote {target}")


@app.command()
def schema(
    check: bool = typer.Option(False, "--check", help="Fail if the committed file differs."),
) -> None:
    """Write the GraphQL SDL to server/schema/schema.graphql."""
    text = sdl()
    if check:
        if not SDL_PATH.exists() or SDL_PATH.read_text() != text:
            console.print(f"[red]{SDL_PATH} is out of date: run `haven schema`.[/red]")
            raise typer.Exit(1)
        console.print("Schema file is up to date.")
        return
    SDL_PATH.write_text(text)
    console.print(f"Wrote {SDL_PATH}")


def main() -> None:
    app(sys.argv[1:])


if __name__ == "__main__":
    main()

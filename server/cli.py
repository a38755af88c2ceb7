"""The ``haven`` command: serve the API, migrate the database, load demo data, export the schema.

    haven migrate && haven demo --if-empty && haven serve
    haven schema --check
"""

from __future__ import annotations

import asyncio
import sys

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from server.database import migrate_database, open_database
from server.schema import SDL_PATH, sdl
from server.settings import Settings

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
    if not settings.production:
        console.print(f"GraphiQL: [bold]http://{host}:{port}/graphql[/bold]")
    uvicorn.run(
        "server.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level="info",
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
    """Load the synthetic demo network (no real person's data)."""
    from fixtures.demo import database_is_empty, load_demo

    async def run() -> None:
        async with open_database(Settings.from_env()):
            if not await database_is_empty():
                if if_empty:
                    console.print("Demo data: the database already has data, left as it is.")
                    return
                console.print("[red]The database is not empty; demo data goes into an empty one.[/red]")
                raise typer.Exit(1)
            with console.status("Loading demo data…"):
                summary = await load_demo()
            table = Table(title="Demo data loaded")
            table.add_column("what")
            table.add_column("how many", justify="right")
            for name, count in vars(summary).items():
                table.add_row(name.replace("_", " "), str(count))
            console.print(table)

    asyncio.run(run())


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

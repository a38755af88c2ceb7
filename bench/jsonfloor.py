"""The occupancy answer as plain Starlette JSON straight from the SQL floor (asyncpg), no
GraphQL, no ORM, no sign-in: what serving the same figures over HTTP costs without GraphQL.

    HAVEN_BENCH_DSN=postgresql://… uvicorn bench.jsonfloor:create_app --factory

``GET /occupancy`` answers the floor's shelters/regions/total; ``GET /healthz`` answers ok.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.sqlfloor import _POSTGRES, _answer

DSN_VARIABLE = "HAVEN_BENCH_DSN"


def create_app() -> Starlette:
    import asyncpg

    dsn = os.environ[DSN_VARIABLE]
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
        try:
            yield
        finally:
            await state["pool"].close()

    async def occupancy(request: Request) -> JSONResponse:
        rows = await state["pool"].fetch(_POSTGRES, datetime.now(UTC))
        return JSONResponse(_answer([tuple(row) for row in rows]))

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/occupancy", occupancy), Route("/healthz", healthz)], lifespan=lifespan
    )

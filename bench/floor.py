"""The floor: the least an endpoint on this stack can do. FastAPI + SQLAlchemy async on the same
database, opened the same way as the service; parse a small form, insert one row, return 1 KB of
JSON. Every benchmark figure is a ratio to this, measured in the same run. Served the way the
service is (`app.http.server.serve`): `python -m bench.floor --port N --workers N`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, insert, text

from app.http.server import serve
from app.http.wire.form import decode_form
from app.main import tune_gc
from app.store.database import Database

metadata = MetaData()
rows = Table(
    "bench_floor",
    metadata,
    Column("pk", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("id", String(64)),
    Column("email", String(512)),
)
PADDING = "x" * 900


def create_app() -> FastAPI:
    db = Database(os.environ["DATABASE_URL"])

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with db.writer.begin() as conn:
            await conn.run_sync(metadata.create_all)
        tune_gc()  # as the service does
        yield
        await db.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/floor")
    async def floor(request: Request) -> Response:
        form: dict[str, Any] = decode_form((await request.body()).decode())
        object_id = f"flr_{secrets.token_hex(8)}"
        async with db.uow() as uow:
            await uow.session.execute(insert(rows).values(id=object_id, email=form.get("email")))
            await uow.commit()
        body = {"id": object_id, "object": "floor", "email": form.get("email"), "padding": PADDING}
        return Response(json.dumps(body), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> Response:
        async with db.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return Response("{}", media_type="application/json")

    return app


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    return serve(
        "bench.floor:create_app",
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""The floors: the least an endpoint on this stack can do. FastAPI + SQLAlchemy async on the same
database, opened the same way as the service, served the way the service is
(`app.http.server.serve`): `python -m bench.floor --port N --workers N`.

- the write floor, `POST /floor`: parse a small form, insert one row, return 1 KB of JSON;
- the read floor, `GET /floor/read`: check a bearer key, read 10 indexed rows of about 1 KB each
  (the newest of an owner, as a list page reads them), return them as JSON.

Both write their JSON as the service does (`app/json_text.py`, orjson).

Writes are compared with the write floor and reads with the read floor, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, insert, select, text

from app import json_text
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
READ_OWNER = "acct_floor"
READ_ROWS = 1000
READ_KEY = "sk_test_floor"  # the bearer key the read floor checks, as the service checks its own
reads = Table(
    "bench_floor_read",
    metadata,
    Column("pk", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("owner", String(64), index=True),
    Column("id", String(64)),
    Column("body", String(2000)),
    Index("ix_bench_floor_read_owner_pk", "owner", "pk"),
)


def create_app() -> FastAPI:
    db = Database(os.environ["DATABASE_URL"])

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with db.writer.begin() as conn:
            await conn.run_sync(metadata.create_all)
            if not (await conn.execute(select(reads.c.pk).limit(1))).first():
                await conn.execute(
                    insert(reads),
                    [{"owner": READ_OWNER, "id": f"flr_{i:08d}", "body": PADDING} for i in range(READ_ROWS)],
                )
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
        return Response(json_text.dumps_bytes(body), media_type="application/json")

    @app.get("/floor/read")
    async def floor_read(request: Request) -> Response:
        presented = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not secrets.compare_digest(presented.encode(), READ_KEY.encode()):
            return Response('{"error": {}}', status_code=401, media_type="application/json")
        query = (
            select(reads.c.id, reads.c.body).where(reads.c.owner == READ_OWNER).order_by(reads.c.pk.desc()).limit(10)
        )
        async with db.reader.connect() as conn:
            found = (await conn.execute(query)).all()
        body = {"object": "list", "data": [{"id": r.id, "object": "floor", "body": r.body} for r in found]}
        return Response(json_text.dumps_bytes(body), media_type="application/json")

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

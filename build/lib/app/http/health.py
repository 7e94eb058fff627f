"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.http.call import app_state
from app.store.migrate import current_revision, head_revision

router = APIRouter(tags=["operations"])


@router.get("/healthz", openapi_extra={"security": []})
async def healthz() -> JSONResponse:
    """The process is alive."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", openapi_extra={"security": []})
async def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    state = app_state(request)
    try:
        await state.db.ping()
    except Exception as exc:
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    current, head = await current_revision(state.db), head_revision()
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "migrations": {"current": current, "head": head}}, status_code=503
        )
    return JSONResponse({"status": "ok", "migrations": {"current": current}})

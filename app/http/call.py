"""The boundary of every /v1 request: authenticate, read params, run one use case in one
transaction, render, and make POSTs idempotent.

A handler reads like `return await call.write(lambda uow: service.create(uow, call.ctx, params))`.
The use case's result (a stored object or a Page) is rendered inside the same transaction, so
expansions see the same snapshot, and an Idempotency-Key's response is stored before the commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse

from app import json_text, objects
from app.context import Ctx
from app.errors import IdempotencyError, IdempotencyKeyInUse, InvalidRequest, StripeError
from app.http.auth import authenticate
from app.http.state import AppState
from app.http.wire.errors import error_body
from app.http.wire.form import request_params
from app.objects.version import for_version
from app.params.base import Params
from app.params.parsing import parse
from app.scope import Scope
from app.store.base import Base
from app.store.database import Database
from app.store.repositories.base import Page
from app.store.repositories.idempotency import KeyBusy
from app.store.repositories.search import SearchPage
from app.store.uow import UnitOfWork

P = TypeVar("P", bound=Params)
# A stored object, a page of them, or a body made by the use case itself (an invoice's lines).
Result = Base | Page[Any] | SearchPage | dict[str, Any]
Action = Callable[[UnitOfWork], Awaitable[Result]]

MAX_IDEMPOTENCY_KEY = 255


def dumps(body: dict[str, Any]) -> bytes:
    return json_text.dumps_bytes(body)


def json_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class ApiCall:
    def __init__(self, request: Request, state: AppState, scope: Scope, raw: dict[str, Any]) -> None:
        self.request = request
        self.state = state
        self.scope = scope
        self.raw = raw
        self.idempotency_key = request.headers.get("idempotency-key") if request.method == "POST" else None
        self.ctx = Ctx(
            scope=scope,
            clock=state.clock,
            request_id=getattr(request.state, "request_id", None),
            idempotency_key=self.idempotency_key,
            api_version=request.headers.get("stripe-version"),
            base_url=state.settings.base_url,
        )

    def parse(self, model: type[P]) -> P:
        return parse(model, self.raw)

    async def read(
        self, action: Action, object_name: str, *, expand: list[str] | None = None, url: str | None = None
    ) -> Response:
        """Run a read-only use case and render its result (a list when `url` is given)."""
        objects.check_expand(object_name, expand or [], in_list=url is not None)
        async with self.state.db.uow(write=False) as uow:
            result = await action(uow)
            body = await self._render(uow, result, expand or [], url)
        return json_response(dumps(body))

    async def write(
        self, action: Action, object_name: str, *, expand: list[str] | None = None, url: str | None = None
    ) -> Response:
        """Run a changing use case in one transaction; with an Idempotency-Key, at most once."""
        objects.check_expand(object_name, expand or [], in_list=url is not None)
        key = self.idempotency_key
        if key is None:
            async with self.state.db.uow() as uow:
                result = await action(uow)
                body = dumps(await self._render(uow, result, expand or [], url))
                await uow.commit()
            return json_response(body)
        return await self._idempotent_write(key, action, expand or [], url)

    async def _idempotent_write(self, key: str, action: Action, expand: list[str], url: str | None) -> Response:
        if len(key) > MAX_IDEMPOTENCY_KEY:
            raise InvalidRequest(
                f"Idempotency-Key must be at most {MAX_IDEMPOTENCY_KEY} characters long.",
                param="Idempotency-Key",
            )
        slot = (self.scope.account_id, self.scope.livemode, key)
        if slot in self.state.in_flight:
            raise _in_use(key)
        self.state.in_flight.add(slot)
        try:
            return await self._run_claimed(key, action, expand, url)
        finally:
            self.state.in_flight.discard(slot)

    async def _run_claimed(self, key: str, action: Action, expand: list[str], url: str | None) -> Response:
        now = self.ctx.now()
        path = self.request.url.path
        fingerprint = hashlib.sha256(dumps(self.raw)).hexdigest()
        ttl = self.state.settings.idempotency_ttl_hours * 3600
        async with self.state.db.uow() as uow:
            try:
                existing = await uow.idempotency.claim(
                    self.scope, key, method="POST", path=path, fingerprint=fingerprint, now=now
                )
                if existing is not None and existing.created < now - ttl:
                    await uow.idempotency.forget(self.scope, key)
                    existing = await uow.idempotency.claim(
                        self.scope, key, method="POST", path=path, fingerprint=fingerprint, now=now
                    )
            except KeyBusy:
                raise _in_use(key) from None
            if existing is not None:
                if existing.path != path or existing.fingerprint != fingerprint:
                    raise IdempotencyError(
                        "Keys for idempotent requests can only be used with the same parameters they were first "
                        f"used with. Try using a key other than '{key}' if you meant to execute a different "
                        "request.",
                        param="Idempotency-Key",
                    )
                if existing.status_code == 0:
                    raise _in_use(key)
                return json_response(
                    existing.body.encode(), existing.status_code, headers={"Idempotent-Replayed": "true"}
                )
            try:
                result = await action(uow)
            except StripeError as exc:
                if exc.keeps_changes:
                    # The failure is kept (committed on the way out), so its replay is too.
                    error = dumps(error_body(exc)).decode()
                    await uow.idempotency.complete(self.scope, key, status_code=exc.status, body=error)
                raise
            body = dumps(await self._render(uow, result, expand, url))
            await uow.idempotency.complete(self.scope, key, status_code=200, body=body.decode())
            await uow.commit()
        return json_response(body)

    async def stream(
        self, produce: Callable[[UnitOfWork], AsyncIterator[str]], *, media_type: str, filename: str
    ) -> Response:
        """Stream a large read (CSV export) from one read transaction, chunk by chunk."""
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return await stream_read(self.state.db, produce, media_type=media_type, headers=headers)

    async def _render(self, uow: UnitOfWork, result: Result, expand: list[str], url: str | None) -> dict[str, Any]:
        """The body in the Stripe-Version the request asks for (app.objects.version)."""
        body = await self._render_newest(uow, result, expand, url)
        rendered: dict[str, Any] = for_version(body, self.ctx.api_version)
        return rendered

    async def _render_newest(
        self, uow: UnitOfWork, result: Result, expand: list[str], url: str | None
    ) -> dict[str, Any]:
        if isinstance(result, dict):
            return result
        if isinstance(result, SearchPage):
            data = await objects.render_list(uow, self.scope, list(result.data), _strip_data(expand))
            return {
                "object": "search_result",
                "data": data,
                "has_more": result.has_more,
                "next_page": result.next_page,
                "url": result.url,
            }
        if isinstance(result, Page):
            assert url is not None, "list endpoints pass their url"
            data = await objects.render_list(uow, self.scope, list(result.data), _strip_data(expand))
            return {"object": "list", "data": data, "has_more": result.has_more, "url": url}
        return await objects.render(uow, self.scope, result, expand)


async def stream_read(
    db: Database, produce: Callable[[UnitOfWork], AsyncIterator[str]], *, media_type: str, headers: dict[str, str]
) -> StreamingResponse:
    """A streamed answer from one read transaction. The first chunk is made before the answer
    starts, so a failing query is an error response, not a download cut off after its 200."""
    stack = AsyncExitStack()
    uow = await stack.enter_async_context(db.uow(write=False))
    chunks = produce(uow)
    try:
        first = await anext(chunks, None)
    except BaseException:
        await stack.aclose()
        raise

    async def body() -> AsyncIterator[bytes]:
        try:
            if first is not None:
                yield first.encode()
            async for chunk in chunks:
                yield chunk.encode()
        finally:
            await stack.aclose()

    return StreamingResponse(body(), media_type=media_type, headers=headers)


def _strip_data(expand: list[str]) -> list[str]:
    return [path.removeprefix("data.") for path in expand]


def _in_use(key: str) -> IdempotencyKeyInUse:
    return IdempotencyKeyInUse(
        f"There is currently another in-progress request using this Idempotent Key (that probably means you "
        f"submitted twice, and the other request is still going through): {key}. Please try again later.",
    )


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.portal
    return state


async def api_call(request: Request) -> ApiCall:
    state = app_state(request)
    scope = await authenticate(request, state)
    raw = await request_params(request, state.settings.max_body_bytes)
    return ApiCall(request, state, scope, raw)


Call = Annotated[ApiCall, Depends(api_call)]

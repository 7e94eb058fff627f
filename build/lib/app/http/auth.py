"""`Authorization: Bearer sk_...` (or Basic with the key as user name) -> Scope (R2)."""

from __future__ import annotations

import base64
import binascii
import re

from starlette.requests import Request

from app.errors import AuthenticationFailed
from app.http.state import AppState
from app.scope import Scope
from app.services import accounts as account_service

_KEY = re.compile(r"\A(sk|rk)_(test|live)_[A-Za-z0-9]{8,200}\Z")


def _presented_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            user = base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            user = ""
        if user:
            return user
    raise AuthenticationFailed(
        "You did not provide an API key. You need to provide your API key in the Authorization header, "
        "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication "
        "for details, or we can help at https://support.stripe.com/."
    )


async def authenticate(request: Request, state: AppState) -> Scope:
    secret = _presented_key(request)
    if secret.startswith("pk_"):
        raise AuthenticationFailed(
            "This API call cannot be made with a publishable API key. Please use a secret API key. You can "
            "find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
            code="secret_key_required",
        )
    invalid = AuthenticationFailed(
        f"Invalid API Key provided: {account_service.mask_key(secret)}", code="api_key_invalid"
    )
    if not _KEY.match(secret):
        raise invalid
    key_hash = account_service.hash_key(secret)
    scope = state.keys.get(key_hash)
    if scope is None:
        async with state.db.uow(write=False) as uow:
            scope = await account_service.scope_for_key(uow, key_hash)
        if scope is None:
            raise invalid
        state.keys.put(key_hash, scope)
    request.state.account_id = scope.account_id
    request.state.livemode = scope.livemode
    return scope

"""Accounts and API keys: created by the operator (CLI), never through the merchant API."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.clock import Clock, unix
from app.ids import new_id, random_base62
from app.scope import Scope
from app.store.models import Account, ApiKey
from app.store.uow import UnitOfWork


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def mask_key(secret: str) -> str:
    """What error messages and logs may show of a key: its prefix and last four characters."""
    prefix = secret[:8] if secret.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")) else ""
    tail = secret[-4:] if len(secret) > 12 else ""
    return f"{prefix}{'*' * 20}{tail}"


def _issue_keys(uow: UnitOfWork, account_id: str, now: int) -> dict[bool, str]:
    keys = {}
    for livemode in (False, True):
        secret = f"sk_{'live' if livemode else 'test'}_{random_base62(48)}"
        uow.api_keys.add(
            ApiKey(
                id=new_id("key", 16),
                account_id=account_id,
                livemode=livemode,
                secret_hash=hash_key(secret),
                last4=secret[-4:],
                created=now,
            )
        )
        keys[livemode] = secret
    return keys


@dataclass(frozen=True)
class NewAccount:
    account: Account
    test_key: str
    live_key: str


async def create(
    uow: UnitOfWork, clock: Clock, *, name: str | None, email: str | None = None, billing: bool = False
) -> NewAccount:
    """An account with one test and one live secret key; the keys are only returned here."""
    now = unix(clock)
    account = uow.accounts.add(
        Account(
            id=new_id("acct", 16),
            name=name,
            email=email,
            billing_enabled=billing,
            settings={},
            created=now,
        )
    )
    keys = _issue_keys(uow, account.id, now)
    return NewAccount(account, keys[False], keys[True])


async def roll_keys(uow: UnitOfWork, clock: Clock, account_id: str) -> NewAccount | None:
    """Revoke every key of the account and issue a fresh pair."""
    account = await uow.accounts.get(account_id)
    if account is None:
        return None
    now = unix(clock)
    for key in await uow.api_keys.for_account(account_id):
        if key.revoked_at is None:
            key.revoked_at = now
    keys = _issue_keys(uow, account_id, now)
    return NewAccount(account, keys[False], keys[True])


async def scope_for_key(uow: UnitOfWork, key_hash: str) -> Scope | None:
    key = await uow.api_keys.by_hash(key_hash)
    if key is None or key.revoked_at is not None:
        return None
    return Scope(key.account_id, key.livemode)


async def set_billing(uow: UnitOfWork, account_id: str, enabled: bool) -> Account | None:
    account = await uow.accounts.get(account_id)
    if account is None:
        return None
    account.billing_enabled = enabled
    return account

"""Accounts and their API keys: the only records not scoped by an account (they define it)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store import fast_path
from app.store.models import Account, ApiKey


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # A use case asks for its account several times (rules, links, rendering); one query serves
        # them all. The cached row is the session's own instance, so changes to it are seen.
        self._by_id: dict[str, Account] = {}

    async def get(self, account_id: str) -> Account | None:
        if account_id in self._by_id:
            return self._by_id[account_id]
        stmt = fast_path.prepared(
            self.session, (Account, "get"), lambda: select(Account).where(Account.id == bindparam("id"))
        )
        account = (await self.session.execute(stmt, {"id": account_id})).scalar()
        if account is not None:
            self._by_id[account_id] = account
        return account

    async def get_for_update(self, account_id: str) -> Account | None:
        """The account row locked until the transaction ends, read again (first in the lock order)."""
        stmt = (
            select(Account).where(Account.id == account_id).with_for_update().execution_options(populate_existing=True)
        )
        account = (await self.session.execute(stmt)).scalar()
        fast_path.forget_children(self.session)  # decided on from here: read after the lock
        if account is not None:
            self._by_id[account_id] = account
        return account

    def remember(self, account: Account) -> None:
        """An account row a joined query already loaded serves later `get`s of this unit of work."""
        self._by_id[account.id] = account

    async def get_by_name(self, name: str) -> Account | None:
        stmt = select(Account).where(Account.name == name).order_by(Account.pk).limit(1)
        return (await self.session.execute(stmt)).scalar()

    async def all(self) -> list[Account]:
        return list((await self.session.execute(select(Account).order_by(Account.pk))).scalars())

    def add(self, account: Account) -> Account:
        self.session.add(account)
        return account


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_hash(self, secret_hash: str) -> ApiKey | None:
        return (await self.session.execute(select(ApiKey).where(ApiKey.secret_hash == secret_hash))).scalar()

    async def for_account(self, account_id: str) -> list[ApiKey]:
        stmt = select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.pk)
        return list((await self.session.execute(stmt)).scalars())

    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        return key

"""Dashboard users, their sessions and failed sign-ins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import DashboardLoginFailure, DashboardSession, DashboardUser


class DashboardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> Any:
        self.session.add(row)
        return row

    async def user_by_email(self, email: str) -> DashboardUser | None:
        return (await self.session.execute(select(DashboardUser).where(DashboardUser.email == email))).scalar()

    async def user(self, user_id: str) -> DashboardUser | None:
        return (await self.session.execute(select(DashboardUser).where(DashboardUser.id == user_id))).scalar()

    async def session_by_token_hash(self, token_hash: str) -> DashboardSession | None:
        stmt = select(DashboardSession).where(
            DashboardSession.token_hash == token_hash, DashboardSession.ended.is_(False)
        )
        return (await self.session.execute(stmt)).scalar()

    async def failures_since(self, since: int, *, email: str | None = None, client_address: str | None = None) -> int:
        stmt: Any = select(func.count()).select_from(DashboardLoginFailure).where(DashboardLoginFailure.at >= since)
        if email is not None:
            stmt = stmt.where(DashboardLoginFailure.email == email)
        if client_address is not None:
            stmt = stmt.where(DashboardLoginFailure.client_address == client_address)
        return int((await self.session.execute(stmt)).scalar_one())

    async def forget_failure(self, pk: int) -> None:
        await self.session.execute(delete(DashboardLoginFailure).where(DashboardLoginFailure.pk == pk))

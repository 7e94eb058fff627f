"""Portal sessions and customer visits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import PortalSession, PortalVisit
from app.store.repositories.base import ScopedRepository


class PortalSessionRepository(ScopedRepository[PortalSession]):
    model = PortalSession
    noun = "billing_portal.session"

    async def by_secret_hash(self, secret_hash: str) -> PortalSession | None:
        """The URL's secret is the credential; it also tells the scope."""
        stmt = select(PortalSession).where(PortalSession.secret_hash == secret_hash).with_for_update()
        return (await self.session.execute(stmt)).scalar()


class PortalVisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, visit: PortalVisit) -> PortalVisit:
        self.session.add(visit)
        return visit

    async def by_token_hash(self, token_hash: str) -> PortalVisit | None:
        stmt = select(PortalVisit).where(PortalVisit.token_hash == token_hash)
        return (await self.session.execute(stmt)).scalar()

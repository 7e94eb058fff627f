"""R7: login requests and the customers an email can sign in as."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.scope import Scope
from app.store.models import Customer, LoginRequest, Subscription, normalized_email
from app.store.repositories.subscriptions import ACTIVE_STATUSES


class LoginRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, request: LoginRequest) -> LoginRequest:
        self.session.add(request)
        return request

    async def by_link_hash(self, link_hash: str) -> LoginRequest | None:
        stmt = select(LoginRequest).where(LoginRequest.link_hash == link_hash).with_for_update()
        return (await self.session.execute(stmt)).scalar()

    async def latest_for(self, configuration_id: str, email: str, *, now: int) -> LoginRequest | None:
        """The newest live (unused, unexpired) request of this email on this login page."""
        stmt = (
            select(LoginRequest)
            .where(
                LoginRequest.configuration_id == configuration_id,
                LoginRequest.email == email,
                LoginRequest.used_at.is_(None),
                LoginRequest.expires_at > now,
            )
            .order_by(LoginRequest.pk.desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalar()

    async def count_since(
        self,
        *,
        since: int,
        configuration_id: str | None = None,
        email: str | None = None,
        client_address: str | None = None,
    ) -> int:
        stmt: Any = select(func.count()).select_from(LoginRequest).where(LoginRequest.created >= since)
        if configuration_id is not None:
            stmt = stmt.where(LoginRequest.configuration_id == configuration_id)
        if email is not None:
            stmt = stmt.where(LoginRequest.email == email)
        if client_address is not None:
            stmt = stmt.where(LoginRequest.client_address == client_address)
        return int((await self.session.execute(stmt)).scalar_one())

    async def candidates(self, scope: Scope, email: str) -> list[tuple[str, int, bool]]:
        """Customers of this scope with this email: (id, created, has an active subscription)."""
        active = (
            select(func.count())
            .select_from(Subscription)
            .where(
                Subscription.account_id == scope.account_id,
                Subscription.livemode == scope.livemode,
                Subscription.customer_id == Customer.id,
                Subscription.status.in_(ACTIVE_STATUSES),
            )
            .scalar_subquery()
        )
        stmt = (
            select(Customer.id, Customer.created, Customer.pk, active)
            .where(Customer.account_id == scope.account_id, Customer.livemode == scope.livemode)
            .where(Customer.email_normalized == normalized_email(email), Customer.deleted.is_(False))
        )
        rows = (await self.session.execute(stmt)).all()
        # Newest first by creation, ties by insertion order.
        rows = sorted(rows, key=lambda r: (r[1], r[2]), reverse=True)
        return [(r[0], r[1], int(r[3]) > 0) for r in rows]

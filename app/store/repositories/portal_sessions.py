"""Portal sessions and customer visits."""

from __future__ import annotations

from sqlalchemy import Boolean, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.scope import Scope
from app.store.models import Account, Customer, PortalConfiguration, PortalSession, PortalVisit
from app.store.repositories.base import ScopedRepository


class PortalSessionRepository(ScopedRepository[PortalSession]):
    model = PortalSession
    noun = "billing_portal.session"

    async def by_secret_hash(self, secret_hash: str) -> PortalSession | None:
        """The URL's secret is the credential; it also tells the scope."""
        stmt = select(PortalSession).where(PortalSession.secret_hash == secret_hash).with_for_update()
        return (await self.session.execute(stmt)).scalar()

    async def starting_point(
        self, scope: Scope, customer_id: str, configuration_id: str | None
    ) -> tuple[Account | None, Customer | None, PortalConfiguration | None]:
        """The account, the customer and the configuration (the given one, else the default) a new
        session needs, in one query: session create is the portal's hot path (issue 9), and three
        round trips cost more than the rest of it. Customer and configuration are joined on the
        scope, so another account's or mode's ids come back as None (R2)."""
        stmt = _STARTING_POINT_BY_ID if configuration_id is not None else _STARTING_POINT_DEFAULT
        bound = {
            "account_id": scope.account_id,
            "livemode": scope.livemode,
            "customer_id": customer_id,
            "configuration_id": configuration_id,
        }
        row = (await self.session.execute(stmt, bound)).first()
        if row is None:
            return None, None, None
        account, customer, configuration = row
        return account, customer, configuration


def _starting_point(by_id: bool) -> Select[Account, Customer, PortalConfiguration]:
    # Built once with bound parameters: constructing a three-table select costs more than running it.
    livemode = bindparam("livemode", type_=Boolean)
    wanted = (
        PortalConfiguration.id == bindparam("configuration_id") if by_id else PortalConfiguration.is_default.is_(True)
    )
    return (
        select(Account, Customer, PortalConfiguration)
        .outerjoin(
            Customer,
            and_(
                Customer.account_id == Account.id,
                Customer.livemode == livemode,
                Customer.id == bindparam("customer_id"),
            ),
        )
        .outerjoin(
            PortalConfiguration,
            and_(PortalConfiguration.account_id == Account.id, PortalConfiguration.livemode == livemode, wanted),
        )
        .where(Account.id == bindparam("account_id"))
        .limit(1)
    )


_STARTING_POINT_BY_ID = _starting_point(by_id=True)
_STARTING_POINT_DEFAULT = _starting_point(by_id=False)


class PortalVisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, visit: PortalVisit) -> PortalVisit:
        self.session.add(visit)
        return visit

    async def by_token_hash(self, token_hash: str) -> PortalVisit | None:
        stmt = select(PortalVisit).where(PortalVisit.token_hash == token_hash)
        return (await self.session.execute(stmt)).scalar()

"""Portal sessions and customer visits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Boolean, Column, and_, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from app.scope import Scope
from app.store import direct, fast_path
from app.store.append import loaded
from app.store.base import Base
from app.store.models import Account, Customer, PortalConfiguration, PortalSession, PortalVisit
from app.store.repositories.base import ScopedRepository
from app.store.repositories.configurations import IS_DEFAULT

R = TypeVar("R", bound=Base)


class PortalSessionRepository(ScopedRepository[PortalSession]):
    model = PortalSession
    noun = "billing_portal.session"

    async def by_secret_hash(self, secret_hash: str) -> PortalSession | None:
        """The URL's secret is the credential; it also tells the scope."""
        stmt = select(PortalSession).where(PortalSession.secret_hash == secret_hash).with_for_update()
        return (await self.session.execute(stmt)).scalar()

    async def starting_point(self, scope: Scope, customer_id: str, configuration_id: str | None) -> StartingPoint:
        """The account, whether the customer exists, and the configuration (the given one, else the
        default) a new session needs, in one query: session create is the portal's hot path
        (issue 9), and three round trips cost more than the rest of it. Customer and configuration
        are joined on the scope, so another account's or mode's ids come back as missing (R2)."""
        statement = _STARTING_POINT_BY_ID if configuration_id is not None else _STARTING_POINT_DEFAULT
        found = await direct.rows(
            self.session,
            statement,
            account_id=scope.account_id,
            livemode=scope.livemode,
            customer_id=customer_id,
            configuration_id=configuration_id,
        )
        if not found:
            return StartingPoint(None, None, None)
        row = found[0]
        account = _instance(Account, _ACCOUNT, row, 0)
        customer_deleted = row[len(_ACCOUNT) + 1] if row[len(_ACCOUNT)] is not None else None
        offset = len(_ACCOUNT) + 2
        configuration = _instance(PortalConfiguration, _CONFIGURATION, row, offset) if row[offset] is not None else None
        return StartingPoint(account, customer_deleted, configuration)


@dataclass(frozen=True)
class StartingPoint:
    account: Account | None
    customer_deleted: bool | None  # None: no such customer in this account and mode
    configuration: PortalConfiguration | None


def _columns(model: type[Base]) -> tuple[Column[Any], ...]:
    # The primary key first: a missing outer-joined row shows as a NULL there.
    columns = [cast(Column[Any], attr.columns[0]) for attr in inspect(model).column_attrs]
    return tuple(sorted(columns, key=lambda column: not column.primary_key))


_ACCOUNT = _columns(Account)
_CONFIGURATION = _columns(PortalConfiguration)


def _instance(model: type[R], columns: tuple[Column[Any], ...], row: tuple[Any, ...], at: int) -> R:
    """A detached instance, as a query through the session would give (without its identity map)."""
    instance = loaded(model, {column.key: row[at + i] for i, column in enumerate(columns)})
    make_transient_to_detached(instance)
    return instance


def _starting_point(by_id: bool) -> direct.Direct:
    # Compiled once, run on the driver (app/store/direct.py): building and loading this three-table
    # select through the ORM cost more than SQLite or PostgreSQL take to run it.
    livemode = bindparam("livemode", type_=Boolean)
    wanted = PortalConfiguration.id == bindparam("configuration_id") if by_id else IS_DEFAULT
    statement = (
        select(
            *_ACCOUNT,
            Customer.pk,
            Customer.deleted,
            *_CONFIGURATION,
        )
        .select_from(Account)
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
    return direct.Direct(statement)


_STARTING_POINT_BY_ID = _starting_point(by_id=True)
_STARTING_POINT_DEFAULT = _starting_point(by_id=False)


@dataclass(frozen=True)
class SignedIn:
    """A visit and its portal session; with the fast path also what every portal page reads next
    (its configuration, the customer and the account), from the same statement. Parts are None
    when missing, or not read (the plain path)."""

    visit: PortalVisit
    session: PortalSession
    configuration: PortalConfiguration | None = None
    customer: Customer | None = None
    account: Account | None = None
    joined: bool = False


def _signed_in() -> Any:
    """One statement for the visit behind a cookie and what hangs off it, every join on the
    visit's scope (R2): another account's or mode's rows cannot come back."""
    v, s, c, cu = PortalVisit, PortalSession, PortalConfiguration, Customer
    return (
        select(v, s, c, cu, Account)
        .join(s, and_(s.id == v.portal_session_id, s.account_id == v.account_id, s.livemode == v.livemode))
        .outerjoin(c, and_(c.id == s.configuration_id, c.account_id == v.account_id, c.livemode == v.livemode))
        .outerjoin(cu, and_(cu.id == v.customer_id, cu.account_id == v.account_id, cu.livemode == v.livemode))
        .outerjoin(Account, Account.id == v.account_id)
        .where(v.token_hash == bindparam("token_hash"))
    )


# Built once: a statement made anew each time costs more to build and to key SQLAlchemy's
# compiled cache with than it does to run.
_SIGNED_IN = _signed_in()


class PortalVisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def signed_in(self, token_hash: str) -> SignedIn | None:
        """The visit of a cookie and its session: the portal's first read on every request."""
        if fast_path.on(self.session):
            row = (await self.session.execute(_SIGNED_IN, {"token_hash": token_hash})).first()
            if row is None:
                return None
            visit, session, configuration, customer, account = row
            fast_path.remember(self.session, *(x for x in (session, configuration, customer) if x is not None))
            return SignedIn(visit, session, configuration, customer, account, joined=True)
        found = await self.by_token_hash(token_hash)
        if found is None:
            return None
        scope = Scope(found.account_id, found.livemode)
        session = await PortalSessionRepository(self.session).get(scope, found.portal_session_id)
        return None if session is None else SignedIn(found, session)

    def add(self, visit: PortalVisit) -> PortalVisit:
        self.session.add(visit)
        return visit

    async def by_token_hash(self, token_hash: str) -> PortalVisit | None:
        stmt = select(PortalVisit).where(PortalVisit.token_hash == token_hash)
        return (await self.session.execute(stmt)).scalar()

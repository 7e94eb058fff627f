"""Portal configurations."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, literal_column, not_, select, update

from app.scope import Scope
from app.store.models import Account, PortalConfiguration
from app.store.repositories.base import Cursor, Page, ScopedRepository, in_scope

# `WHERE portal_configurations.is_default`, written as the partial index that holds R10 is: SQLite's
# planner uses a partial index only for a term that is the index's WHERE, and SQLAlchemy writes a
# boolean test `is_default = 1` or `is_default IS 1` there, so finding the default scanned every
# configuration of the account (thousands, for a merchant who makes them per segment or per test).
IS_DEFAULT: ColumnElement[bool] = literal_column("portal_configurations.is_default")  # untyped: written as is


class ConfigurationRepository(ScopedRepository[PortalConfiguration]):
    model = PortalConfiguration
    noun = "billing_portal.configuration"

    async def find(
        self, scope: Scope, cursor: Cursor, *, active: bool | None = None, is_default: bool | None = None
    ) -> Page[PortalConfiguration]:
        where: list[ColumnElement[bool]] = []
        if active is not None:
            where.append(PortalConfiguration.active.is_(active))
        if is_default is not None:
            where.append(IS_DEFAULT if is_default else not_(IS_DEFAULT))
        return await self.page(scope, cursor, *where)

    async def default(self, scope: Scope) -> PortalConfiguration | None:
        stmt = self.prepared("default", lambda: self.bound().where(IS_DEFAULT))
        return (await self.session.execute(stmt, in_scope(scope))).scalar()

    async def has_default(self, scope: Scope) -> bool:
        """Whether the scope has its default (R10), from the partial index alone: no row to load."""
        stmt = self.prepared(
            "has_default",
            lambda: (
                select(PortalConfiguration.id)
                .where(
                    PortalConfiguration.account_id == bindparam("account_id"),
                    PortalConfiguration.livemode == bindparam("livemode"),
                    IS_DEFAULT,
                )
                .limit(1)
            ),
        )
        return (await self.session.execute(stmt, in_scope(scope))).first() is not None

    async def lock_defaults(self, scope: Scope) -> None:
        """Serialise default changes of one account: the account row's lock (a no-op on SQLite,
        whose writers are serialised already)."""
        stmt = select(Account.pk).where(Account.id == scope.account_id).with_for_update()
        await self.session.execute(stmt)

    async def clear_default(self, scope: Scope, *, keep: str) -> list[str]:
        """Unset the default flag everywhere in the scope but on `keep`; the ids that changed."""
        previous = [
            c.id for c in (await self.session.execute(self.scoped(scope).where(IS_DEFAULT))).scalars() if c.id != keep
        ]
        if previous:
            await self.session.execute(
                update(PortalConfiguration)
                .where(
                    PortalConfiguration.account_id == scope.account_id,
                    PortalConfiguration.livemode == scope.livemode,
                    PortalConfiguration.id.in_(previous),
                )
                .values(is_default=False)
                .execution_options(synchronize_session="fetch")
            )
        return previous

    async def by_login_token(self, token: str) -> tuple[PortalConfiguration, Account | None] | None:
        """R7: the login page's secret token identifies its configuration (and so its scope); with
        its account (the page shows the business), in one statement."""
        stmt = self.prepared(
            "by_login_token",
            lambda: (
                select(PortalConfiguration, Account)
                .outerjoin(Account, Account.id == PortalConfiguration.account_id)
                .where(PortalConfiguration.login_page_token == bindparam("token"))
            ),
        )
        row = (await self.session.execute(stmt, {"token": token})).first()
        return None if row is None else (row[0], row[1])

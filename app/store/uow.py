"""The unit of work: one session, the repositories over it, and commit."""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.clock import Clock, SystemClock
from app.store import direct
from app.store.append import inserter, loaded, model_values
from app.store.base import Base
from app.store.long_reads import LongReads
from app.store.repositories.accounts import AccountRepository, ApiKeyRepository
from app.store.repositories.billing import (
    BalanceTransactionRepository,
    CouponRepository,
    DiscountRepository,
    InvoiceItemRepository,
    PromotionCodeRepository,
    TaxIdRepository,
    TestClockRepository,
)
from app.store.repositories.configurations import ConfigurationRepository
from app.store.repositories.counters import CounterRepository
from app.store.repositories.customers import CustomerRepository
from app.store.repositories.dashboard import DashboardRepository
from app.store.repositories.events import EventRepository
from app.store.repositories.idempotency import IdempotencyRepository
from app.store.repositories.invoices import InvoiceRepository
from app.store.repositories.login_requests import LoginRequestRepository
from app.store.repositories.payment_methods import PaymentMethodRepository
from app.store.repositories.portal_sessions import PortalSessionRepository, PortalVisitRepository
from app.store.repositories.products import PriceRepository, ProductRepository
from app.store.repositories.schedule_due import ScheduleDueRepository
from app.store.repositories.search import SearchRepository
from app.store.repositories.subscriptions import (
    SubscriptionItemRepository,
    SubscriptionRepository,
    SubscriptionScheduleRepository,
)
from app.store.repositories.webhooks import WebhookDeliveryRepository, WebhookEndpointRepository

R = TypeVar("R", bound=Base)


class UnitOfWork:
    def __init__(
        self,
        session: AsyncSession,
        *,
        dialect: str,
        base_url: str = "http://127.0.0.1:8000",
        clock: Clock | None = None,
        long_reader: Engine | None = None,
    ) -> None:
        self.session = session
        self.long_reads = LongReads(session, long_reader)
        self.dialect = dialect
        # What renderers need beside the rows: the public base URL links start with (or the
        # account's custom domain, R12), and the service clock (R17 hides a field by date).
        self.base_url = base_url
        self.clock: Clock = clock or SystemClock()
        self._appended: dict[Table, list[dict[str, Any]]] = {}

    # Repositories are made when a use case first asks for one: a request uses a few of them.
    @cached_property
    def accounts(self) -> AccountRepository:
        return AccountRepository(self.session)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self.session)

    @cached_property
    def customers(self) -> CustomerRepository:
        return CustomerRepository(self.session)

    @cached_property
    def counters(self) -> CounterRepository:
        return CounterRepository(self.session, dialect=self.dialect)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.session)

    @cached_property
    def idempotency(self) -> IdempotencyRepository:
        return IdempotencyRepository(self.session, dialect=self.dialect)

    @cached_property
    def products(self) -> ProductRepository:
        return ProductRepository(self.session)

    @cached_property
    def prices(self) -> PriceRepository:
        return PriceRepository(self.session)

    @cached_property
    def payment_methods(self) -> PaymentMethodRepository:
        return PaymentMethodRepository(self.session)

    @cached_property
    def subscriptions(self) -> SubscriptionRepository:
        return SubscriptionRepository(self.session)

    @cached_property
    def subscription_items(self) -> SubscriptionItemRepository:
        return SubscriptionItemRepository(self.session)

    @cached_property
    def subscription_schedules(self) -> SubscriptionScheduleRepository:
        return SubscriptionScheduleRepository(self.session)

    @cached_property
    def invoices(self) -> InvoiceRepository:
        return InvoiceRepository(self.session)

    @cached_property
    def invoice_items(self) -> InvoiceItemRepository:
        return InvoiceItemRepository(self.session)

    @cached_property
    def coupons(self) -> CouponRepository:
        return CouponRepository(self.session)

    @cached_property
    def promotion_codes(self) -> PromotionCodeRepository:
        return PromotionCodeRepository(self.session)

    @cached_property
    def discounts(self) -> DiscountRepository:
        return DiscountRepository(self.session)

    @cached_property
    def balance_transactions(self) -> BalanceTransactionRepository:
        return BalanceTransactionRepository(self.session)

    @cached_property
    def searches(self) -> SearchRepository:
        return SearchRepository(self.session)

    @cached_property
    def test_clocks(self) -> TestClockRepository:
        return TestClockRepository(self.session)

    @cached_property
    def tax_ids(self) -> TaxIdRepository:
        return TaxIdRepository(self.session)

    @cached_property
    def schedule_due(self) -> ScheduleDueRepository:
        return ScheduleDueRepository(self.session)

    @cached_property
    def configurations(self) -> ConfigurationRepository:
        return ConfigurationRepository(self.session)

    @cached_property
    def portal_sessions(self) -> PortalSessionRepository:
        return PortalSessionRepository(self.session)

    @cached_property
    def portal_visits(self) -> PortalVisitRepository:
        return PortalVisitRepository(self.session)

    @cached_property
    def login_requests(self) -> LoginRequestRepository:
        return LoginRequestRepository(self.session)

    @cached_property
    def webhook_endpoints(self) -> WebhookEndpointRepository:
        return WebhookEndpointRepository(self.session)

    @cached_property
    def webhook_deliveries(self) -> WebhookDeliveryRepository:
        return WebhookDeliveryRepository(self.session, dialect=self.dialect)

    @cached_property
    def dashboard(self) -> DashboardRepository:
        return DashboardRepository(self.session)

    def append(self, model: type[R], **values: Any) -> R:
        """Queue a new append-only row that nothing reads back from the database in this unit of
        work (events, a new portal session): written at commit with one INSERT per table (see
        app/store/append.py), in the same transaction as the change it belongs to. The row is
        returned as an instance outside the ORM session, for rendering: a change made to it later
        is not written."""
        table, row = model_values(model, values)
        self._appended.setdefault(table, []).append(row)
        return loaded(model, row)

    async def flush(self) -> None:
        await self.session.flush()

    async def commit(self) -> None:
        appended, self._appended = self._appended, {}
        # One hop into SQLAlchemy's synchronous layer for the flush, the queued rows and the commit.
        await self.session.run_sync(_commit, appended)

    def __repr__(self) -> str:
        return f"UnitOfWork(dialect={self.dialect!r})"


def _commit(session: Session, appended: dict[Table, list[dict[str, Any]]]) -> None:
    session.flush()
    for table, rows in appended.items():
        direct.run(session, inserter(table, tuple(rows[0])), rows)
    session.commit()

"""The unit of work: one session, the repositories over it, and commit."""

from __future__ import annotations

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
        self.accounts = AccountRepository(session)
        self.api_keys = ApiKeyRepository(session)
        self.customers = CustomerRepository(session)
        self.counters = CounterRepository(session, dialect=dialect)
        self.events = EventRepository(session)
        self.idempotency = IdempotencyRepository(session, dialect=dialect)
        self.products = ProductRepository(session)
        self.prices = PriceRepository(session)
        self.payment_methods = PaymentMethodRepository(session)
        self.subscriptions = SubscriptionRepository(session)
        self.subscription_items = SubscriptionItemRepository(session)
        self.subscription_schedules = SubscriptionScheduleRepository(session)
        self.invoices = InvoiceRepository(session)
        self.invoice_items = InvoiceItemRepository(session)
        self.coupons = CouponRepository(session)
        self.promotion_codes = PromotionCodeRepository(session)
        self.discounts = DiscountRepository(session)
        self.balance_transactions = BalanceTransactionRepository(session)
        self.searches = SearchRepository(session)
        self.test_clocks = TestClockRepository(session)
        self.tax_ids = TaxIdRepository(session)
        self.schedule_due = ScheduleDueRepository(session)
        self.configurations = ConfigurationRepository(session)
        self.portal_sessions = PortalSessionRepository(session)
        self.portal_visits = PortalVisitRepository(session)
        self.login_requests = LoginRequestRepository(session)
        self.webhook_endpoints = WebhookEndpointRepository(session)
        self.webhook_deliveries = WebhookDeliveryRepository(session, dialect=dialect)
        self.dashboard = DashboardRepository(session)
        self._appended: dict[Table, list[dict[str, Any]]] = {}

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

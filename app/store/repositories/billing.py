"""Invoice items, coupons, promotion codes, discounts, customer balance transactions and tax IDs."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, update

from app.scope import Scope
from app.store.models import (
    Coupon,
    CustomerBalanceTransaction,
    Discount,
    InvoiceItem,
    PromotionCode,
    TaxId,
    TestClock,
)
from app.store.repositories.base import Cursor, Page, ScopedRepository, created_filter


class InvoiceItemRepository(ScopedRepository[InvoiceItem]):
    model = InvoiceItem
    noun = "invoiceitem"

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        customer: str | None = None,
        invoice: str | None = None,
        pending: bool | None = None,
        created: dict[str, int] | None = None,
    ) -> Page[InvoiceItem]:
        where: list[ColumnElement[bool]] = [
            InvoiceItem.deleted.is_(False),
            *created_filter(InvoiceItem.created, created),
        ]
        if customer is not None:
            where.append(InvoiceItem.customer_id == customer)
        if invoice is not None:
            where.append(InvoiceItem.invoice_id == invoice)
        if pending is True:
            where.append(InvoiceItem.invoice_id.is_(None))
        elif pending is False:
            where.append(InvoiceItem.invoice_id.is_not(None))
        return await self.page(scope, cursor, *where)

    async def on_invoice(self, scope: Scope, invoice_id: str) -> list[InvoiceItem]:
        stmt = self.scoped(scope).where(InvoiceItem.invoice_id == invoice_id).with_for_update()
        return list((await self.session.execute(stmt)).scalars())

    async def pending(
        self, scope: Scope, customer_id: str, subscription_id: str | None, *, lock: bool = False
    ) -> list[InvoiceItem]:
        """A customer's items no invoice has taken yet, oldest first; with a subscription, only its
        own (a subscription's invoice takes its prorations, not the customer's one-off items);
        without, all of them (a one-off invoice takes everything pending, a canceled
        subscription's last credits included). `lock`: for the invoice about to take them."""
        stmt = self.scoped(scope).where(
            InvoiceItem.customer_id == customer_id, InvoiceItem.invoice_id.is_(None), InvoiceItem.deleted.is_(False)
        )
        if subscription_id is not None:
            stmt = stmt.where(InvoiceItem.subscription_id == subscription_id)
        stmt = stmt.order_by(InvoiceItem.pk)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return list((await self.session.execute(stmt)).scalars())


class CouponRepository(ScopedRepository[Coupon]):
    model = Coupon
    noun = "coupon"

    async def redeem(self, scope: Scope, coupon_id: str) -> bool:
        return await _redeem(self, scope, coupon_id)

    async def find(self, scope: Scope, cursor: Cursor, *, created: dict[str, int] | None = None) -> Page[Coupon]:
        return await self.page(scope, cursor, Coupon.deleted.is_(False), *created_filter(Coupon.created, created))


class PromotionCodeRepository(ScopedRepository[PromotionCode]):
    model = PromotionCode
    noun = "promotion_code"

    async def redeem(self, scope: Scope, promotion_code_id: str) -> bool:
        return await _redeem(self, scope, promotion_code_id)

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        active: bool | None = None,
        code: str | None = None,
        coupon: str | None = None,
        customer: str | None = None,
        created: dict[str, int] | None = None,
    ) -> Page[PromotionCode]:
        where: list[ColumnElement[bool]] = [*created_filter(PromotionCode.created, created)]
        if active is not None:
            where.append(PromotionCode.active.is_(active))
        if code is not None:
            where.append(PromotionCode.code == code)
        if coupon is not None:
            where.append(PromotionCode.coupon_id == coupon)
        if customer is not None:
            where.append(PromotionCode.customer_id == customer)
        return await self.page(scope, cursor, *where)

    async def active_with_code(self, scope: Scope, code: str) -> PromotionCode | None:
        stmt = self.scoped(scope).where(PromotionCode.code == code, PromotionCode.active.is_(True))
        return (await self.session.execute(stmt.limit(1))).scalar()


class DiscountRepository(ScopedRepository[Discount]):
    model = Discount
    noun = "discount"


class BalanceTransactionRepository(ScopedRepository[CustomerBalanceTransaction]):
    model = CustomerBalanceTransaction
    noun = "customer_balance_transaction"

    async def find(self, scope: Scope, cursor: Cursor, *, customer: str) -> Page[CustomerBalanceTransaction]:
        return await self.page(scope, cursor, CustomerBalanceTransaction.customer_id == customer)

    async def of_customer(self, scope: Scope, customer_id: str, object_id: str) -> CustomerBalanceTransaction | None:
        stmt = self.scoped(scope).where(
            CustomerBalanceTransaction.customer_id == customer_id, CustomerBalanceTransaction.id == object_id
        )
        return (await self.session.execute(stmt)).scalar()


async def _redeem(
    repo: ScopedRepository[Coupon] | ScopedRepository[PromotionCode], scope: Scope, object_id: str
) -> bool:
    """Count one redemption if the limit allows it: one conditional UPDATE, so two concurrent
    redemptions of the last one cannot both succeed (no read-then-write)."""
    model = repo.model
    stmt = (
        update(model)
        .where(
            model.account_id == scope.account_id,
            model.livemode == scope.livemode,
            model.id == object_id,
            or_(model.max_redemptions.is_(None), model.times_redeemed < model.max_redemptions),
        )
        .values(times_redeemed=model.times_redeemed + 1)
        .execution_options(synchronize_session="fetch")
    )
    result = await repo.session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


class TestClockRepository(ScopedRepository[TestClock]):
    __test__ = False
    model = TestClock
    noun = "test_clock"

    async def find(self, scope: Scope, cursor: Cursor) -> Page[TestClock]:
        return await self.page(scope, cursor, TestClock.deleted.is_(False))


class TaxIdRepository(ScopedRepository[TaxId]):
    model = TaxId
    noun = "tax_id"

    async def find(
        self, scope: Scope, cursor: Cursor, *, owner_type: str, customer_id: str | None = None
    ) -> Page[TaxId]:
        where = [TaxId.owner_type == owner_type, TaxId.deleted.is_(False)]
        if customer_id is not None:
            where.append(TaxId.customer_id == customer_id)
        return await self.page(scope, cursor, *where)

    async def of_customer(self, scope: Scope, customer_id: str) -> list[TaxId]:
        stmt = self.scoped(scope).where(TaxId.customer_id == customer_id, TaxId.deleted.is_(False)).order_by(TaxId.pk)
        return list((await self.session.execute(stmt)).scalars())

    async def of_customers(self, scope: Scope, customer_ids: list[str]) -> dict[str, list[TaxId]]:
        """Each customer's tax IDs, oldest first, in one query (a page of customers)."""
        found: dict[str, list[TaxId]] = {c: [] for c in customer_ids}
        if not customer_ids:
            return found
        stmt = (
            self.scoped(scope).where(TaxId.customer_id.in_(customer_ids), TaxId.deleted.is_(False)).order_by(TaxId.pk)
        )
        for row in (await self.session.execute(stmt)).scalars():
            found[row.customer_id or ""].append(row)
        return found

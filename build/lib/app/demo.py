"""The demo account `make run` creates once and reuses: a test key, plans, a portal configuration,
customers with subscriptions, and on every run a fresh portal session URL to open.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from app.clock import Clock
from app.context import Ctx
from app.objects.sessions import render_sessions
from app.params.configurations import ConfigurationCreateParams
from app.params.customers import CustomerCreateParams, InvoiceSettingsParams
from app.params.products import PriceCreateParams, ProductCreateParams, RecurringParams
from app.params.sessions import SessionCreateParams
from app.params.subscriptions import ItemCreateParams, SubscriptionCreateParams
from app.scope import Scope
from app.services import accounts as account_service
from app.services import configurations as configuration_service
from app.services import customers as customer_service
from app.services import dashboard_users
from app.services import products as product_service
from app.services import sessions as session_service
from app.services import subscriptions as subscription_service
from app.store.database import Database
from app.store.repositories.base import Cursor

DEMO_NAME = "Demo merchant"
DEMO_USER = "demo@example.com"
DEMO_CUSTOMERS = (("jenny.rosen@example.com", "Jenny Rosen", "en"), ("sven.svensson@example.se", "Sven Svensson", "sv"))


@dataclass
class DemoResult:
    account_id: str
    new_key: str | None  # only on the run that created the account
    dashboard_password: str | None = None  # likewise
    portal_urls: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


async def _seed(db: Database, ctx: Ctx) -> None:
    async with db.uow() as uow:
        product = await product_service.create_product(uow, ctx, ProductCreateParams(name="Pro"))
        prices = [
            await product_service.create_price(
                uow,
                ctx,
                PriceCreateParams(
                    product=product.id, currency="usd", unit_amount=amount, recurring=RecurringParams(interval=interval)
                ),
            )
            for amount, interval in ((1500, "month"), (15000, "year"))
        ]
        await configuration_service.create(
            uow,
            ctx,
            ConfigurationCreateParams.model_validate(
                {
                    "business_profile": {
                        "headline": "Manage your Pro plan",
                        "privacy_policy_url": "https://example.com/privacy",
                        "terms_of_service_url": "https://example.com/terms",
                    },
                    "default_return_url": "https://example.com/account",
                    "features": {
                        "invoice_history": {"enabled": True},
                        "payment_method_update": {"enabled": True},
                        "customer_update": {"enabled": True, "allowed_updates": ["name", "email", "address"]},
                        "subscription_cancel": {
                            "enabled": True,
                            "cancellation_reason": {"enabled": True, "options": ["too_expensive", "unused", "other"]},
                        },
                        "subscription_update": {
                            "enabled": True,
                            "default_allowed_updates": ["price", "quantity"],
                            "products": [{"product": product.id, "prices": [p.id for p in prices]}],
                        },
                    },
                }
            ),
        )
        for email, name, locale in DEMO_CUSTOMERS:
            customer = await customer_service.create(
                uow,
                ctx,
                CustomerCreateParams(
                    email=email,
                    name=name,
                    preferred_locales=[locale],
                    payment_method="pm_card_visa",
                    invoice_settings=InvoiceSettingsParams(default_payment_method="pm_card_visa"),
                ),
            )
            await subscription_service.create(
                uow, ctx, SubscriptionCreateParams(customer=customer.id, items=[ItemCreateParams(price=prices[0].id)])
            )
        await uow.commit()


async def ensure_demo(db: Database, clock: Clock) -> DemoResult:
    """Create the demo account and its data the first time; every time, a fresh portal session URL."""
    async with db.transaction() as uow:
        account = await uow.accounts.get_by_name(DEMO_NAME)
        new = None
        if account is None:
            new = await account_service.create(uow, clock, name=DEMO_NAME, email="demo@example.com", billing=True)
            account = new.account
    ctx = Ctx(Scope(account.id, False), clock, base_url=db.base_url)
    password = None
    if new is not None:
        await _seed(db, ctx)
        password = secrets.token_urlsafe(12)
        async with db.transaction() as uow:
            await dashboard_users.create_user(uow, clock, account_id=account.id, email=DEMO_USER, password=password)
    result = DemoResult(account.id, new.test_key if new else None, password)
    async with db.uow() as uow:
        customers = (await uow.customers.find(ctx.scope, Cursor(limit=10))).data
        for customer in reversed(customers):
            session = await session_service.create(uow, ctx, SessionCreateParams(customer=customer.id))
            url = (await render_sessions(uow, ctx.scope, [session]))[0]["url"]
            result.portal_urls.append(f"{customer.name} ({(customer.preferred_locales or ['en'])[0]}): {url}")
        await uow.commit()
    return result

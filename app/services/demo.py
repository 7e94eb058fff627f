"""The demo account `make run` creates once and reuses: a test key and test-mode data."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.clock import Clock
from app.context import Ctx
from app.params.customers import CustomerCreateParams
from app.scope import Scope
from app.services import accounts as account_service
from app.services import customers as customer_service
from app.store.database import Database

DEMO_NAME = "Demo merchant"
DEMO_CUSTOMERS = (("jenny.rosen@example.com", "Jenny Rosen", "en"), ("sven.svensson@example.se", "Sven Svensson", "sv"))


@dataclass
class DemoResult:
    account_id: str
    new_key: str | None  # only on the run that created the account
    lines: list[str] = field(default_factory=list)


async def ensure_demo(db: Database, clock: Clock) -> DemoResult:
    """Create the demo account and its data the first time; afterwards only report it."""
    async with db.uow() as uow:
        account = await uow.accounts.get_by_name(DEMO_NAME)
        if account is not None:
            return DemoResult(account.id, None)
        new = await account_service.create(uow, clock, name=DEMO_NAME, email="demo@example.com", billing=True)
    ctx = Ctx(Scope(new.account.id, False), clock)
    async with db.uow() as uow:
        for email, name, locale in DEMO_CUSTOMERS:
            params = CustomerCreateParams(email=email, name=name, preferred_locales=[locale])
            await customer_service.create(uow, ctx, params)
        await uow.commit()
    return DemoResult(new.account.id, new.test_key, [f"demo customers: {len(DEMO_CUSTOMERS)}"])

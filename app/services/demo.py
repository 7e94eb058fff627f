"""The demo account `make run` creates once and reuses: a test key and test-mode data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.context import Ctx
from app.params.customers import CustomerCreateParams
from app.scope import Scope
from app.services import accounts as account_service
from app.services import customers as customer_service
from app.settings import Settings
from app.store.database import Database

DEMO_NAME = "Demo merchant"


@dataclass
class DemoResult:
    account_id: str
    new_key: str | None
    key_hint: str
    lines: list[str] = field(default_factory=list)


async def ensure_demo(db: Database, settings: Settings, key_file: Path) -> DemoResult:
    """Create the demo account and its data the first time; afterwards only report it."""
    clock = settings.make_clock()
    async with db.uow() as uow:
        account = await uow.accounts.get_by_name(DEMO_NAME)
        if account is not None:
            hint = key_file.read_text().strip() if key_file.exists() else ""
            return DemoResult(account.id, None, account_service.mask_key(hint) if hint else "(key file missing)")
        new = await account_service.create(uow, clock, name=DEMO_NAME, email="demo@example.com", billing=True)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(new.test_key + "\n")
    os.chmod(key_file, 0o600)
    ctx = Ctx(Scope(new.account.id, False), clock)
    async with db.uow() as uow:
        for email, name in (("jenny.rosen@example.com", "Jenny Rosen"), ("sven.svensson@example.se", "Sven Svensson")):
            await customer_service.create(
                uow, ctx, CustomerCreateParams(email=email, name=name, preferred_locales=["en" if ".com" in email else "sv"])
            )
        await uow.commit()
    return DemoResult(new.account.id, new.test_key, account_service.mask_key(new.test_key), ["demo customers: 2"])

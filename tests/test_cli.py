"""The `portal` command as an operator uses it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def _portal(database_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, check=False, cwd=cwd
    )


def test_accounts_create_shows_keys_once_and_billing_toggles(database_url: str) -> None:
    out = _portal(database_url, "accounts", "create", "--name", "cli shop")
    assert out.returncode == 0, out.stderr
    account = re.search(r"account:\s+(acct_\w+)", out.stdout)
    assert account and re.search(r"sk_test_\w{48}", out.stdout) and re.search(r"sk_live_\w{48}", out.stdout)
    on = _portal(database_url, "accounts", "update", account.group(1), "--billing", "on")
    assert "enabled" in on.stdout
    assert _portal(database_url, "accounts", "update", "acct_nope", "--billing", "on").returncode == 1


def test_the_operator_approves_a_custom_domain(database_url: str) -> None:
    """R12: `--custom-domain D --verified` is the operator's word that the domain is the merchant's."""
    out = _portal(database_url, "accounts", "create", "--name", "domain shop")
    account = re.search(r"account:\s+(acct_\w+)", out.stdout)
    assert account
    approved = _portal(
        database_url, "accounts", "update", account.group(1), "--custom-domain", "billing.shop.example", "--verified"
    )
    assert approved.returncode == 0 and "billing.shop.example approved" in approved.stdout, approved.stderr
    unverified = _portal(database_url, "accounts", "update", account.group(1), "--custom-domain", "x.shop.example")
    assert unverified.returncode == 2  # without --verified it is no approval
    bad = _portal(database_url, "accounts", "update", account.group(1), "--custom-domain", "not a host", "--verified")
    assert bad.returncode == 1 and "not a valid host name" in bad.stderr


def test_demo_creates_once_then_reuses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    key_file = tmp_path / "key"
    assert _portal(url, "migrate").returncode == 0
    first = _portal(url, "demo", "--key-file", str(key_file))
    second = _portal(url, "demo", "--key-file", str(key_file))
    key = key_file.read_text().strip()
    assert key in first.stdout and key not in second.stdout
    assert key[-4:] in second.stdout
    assert re.search(r"acct_\w+", first.stdout).group(0) in second.stdout  # type: ignore[union-attr]


def test_r16_export_subscriptions_command(tmp_path: Path) -> None:
    """R16: `portal export subscriptions --collection-paused` writes the paused ones as CSV."""
    import asyncio

    import httpx

    from app.clock import FixedClock
    from app.main import create_app
    from app.services import accounts as account_service
    from app.settings import Settings

    url = f"sqlite:///{tmp_path / 'export.db'}"
    assert _portal(url, "migrate").returncode == 0

    async def seed() -> tuple[str, str]:
        app = create_app(Settings(database_url=url), FixedClock())
        async with app.state.portal.db.transaction() as uow:
            new = await account_service.create(uow, FixedClock(), name="export shop")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", auth=(new.test_key, "")) as c:
            from tests import factories as f

            kept = await f.subscription(c)
            paused = await f.subscription(c)
            await f.post(c, f"/v1/subscriptions/{paused['id']}", **{"pause_collection[behavior]": "void"})
            assert kept["id"] != paused["id"]
        await app.state.portal.db.dispose()
        return new.account.id, paused["id"]

    account, paused_id = asyncio.run(seed())
    out = _portal(url, "export", "subscriptions", "--account", account, "--collection-paused")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("id,customer,") and len(lines) == 2 and lines[1].startswith(paused_id)
    assert _portal(url, "export", "subscriptions", "--account", account, "--live").stdout.count("\n") == 1

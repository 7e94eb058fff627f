"""A real headless browser (Debian's chromium, driven by Playwright) against `portal serve`."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from tests.conftest import ROOT, LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "var" / "screenshots"
# Chromium's background services would try to reach the internet, which these machines refuse.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI runs the browser tests: install Debian's chromium (.ci/run does).")
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (make browser installs it)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(chromium: Browser) -> AsyncIterator[Page]:
    context = await chromium.new_context(viewport={"width": 420, "height": 900}, locale="en-US")
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def merchant(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An API client for a fresh account on the live server."""
    db = Database(live_server.database_url)
    async with db.transaction() as uow:
        new = await account_service.create(uow, SystemClock(), name="Browser Shop", billing=True)
    await db.dispose()
    async with httpx.AsyncClient(base_url=live_server.base_url, auth=(new.test_key, ""), timeout=30) as client:
        yield client


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


AXE = Path(__file__).parent / "axe"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the claim the README makes.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from npm (pinned in tests/browser/axe), installed by the test setup once."""
    script = AXE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        assert npm is not None, "the accessibility tests need Node.js and npm (Debian's nodejs/npm)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=AXE, check=True, timeout=600)
    return script.read_text()


async def accessible(page: Page, axe_source: str) -> None:
    """axe-core run inside the page under test (evaluated through the browser's debugging
    protocol, so the page's strict CSP stays as it is): no WCAG 2.2 A/AA violation."""
    await page.evaluate(axe_source)
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}: " + "; ".join(violations)

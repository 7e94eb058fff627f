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

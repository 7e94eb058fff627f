"""Dependencies run one way: http/portal -> services -> domain + store + events.

Walks the imports of every module, so a shortcut (SQL in a router, FastAPI in a rule) fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((APP / package).rglob("*.py"))


def test_only_the_store_imports_sqlalchemy() -> None:
    for path in APP.rglob("*.py"):
        if "store" in path.relative_to(APP).parts:
            continue
        assert not any(n.startswith("sqlalchemy") for n in _imports(path)), path


def test_domain_is_pure() -> None:
    for path in _modules("domain"):
        bad = {n for n in _imports(path) if n.split(".")[0] in {"fastapi", "starlette", "sqlalchemy"}}
        bad |= {n for n in _imports(path) if n.startswith(("app.http", "app.services", "app.store", "app.portal"))}
        assert not bad, (path, bad)


def test_services_and_below_know_nothing_of_http() -> None:
    for package in ("services", "domain", "store", "events", "objects", "params"):
        for path in _modules(package):
            bad = {n for n in _imports(path) if n.split(".")[0] in {"fastapi", "starlette"} or n.startswith("app.http")}
            assert not bad, (path, bad)


def test_routers_hold_no_sql_and_no_commit() -> None:
    for path in _modules("http/v1"):
        text = path.read_text()
        assert "commit(" not in text and "select(" not in text, path


def test_services_never_commit() -> None:
    """One owner of the transaction: the boundary (API call, portal or dashboard action, CLI
    command, worker job) commits; a use case in app/services only loads, decides and writes."""
    for path in _modules("services"):
        assert "commit(" not in path.read_text(), path

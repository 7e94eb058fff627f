"""openapi/openapi.json is generated from the app and kept in the repo; it must not drift."""

from __future__ import annotations

import json
from pathlib import Path

from app.main import create_app
from app.settings import Settings

SPEC = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_spec_matches_the_app() -> None:
    generated = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    assert json.loads(SPEC.read_text()) == json.loads(json.dumps(generated)), "run `make openapi`"


def test_spec_describes_form_bodies_and_stripe_errors() -> None:
    spec = json.loads(SPEC.read_text())
    create = spec["paths"]["/v1/customers"]["post"]
    assert "application/x-www-form-urlencoded" in create["requestBody"]["content"]
    assert create["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")

"""Schemathesis against openapi/openapi.json and a live `portal serve`: every operation, positive
and negative cases, stateful sequences over the inferred links. CI runs a short, seeded pass
(tests/fuzz/test_schemathesis.py); `make fuzz` a longer one. Passing means 0 server errors,
0 responses outside the schema, 0 invalid requests accepted.

The merchant is set up first (plans, a configuration with every feature on, a subscriber, and
a portal visit), so cases reach the code behind the 404s and the portal API's cookie.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from app.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "openapi" / "openapi.json"
# What the service must never do, whatever it is sent. `positive_data_acceptance` is left out:
# schema-valid input can still break a rule (an unknown id, R9, R4) and be refused rightly.
CHECKS_EXCLUDED = "positive_data_acceptance"


@dataclass
class Merchant:
    key: str
    cookie: str
    csrf: str
    # Ids of real objects by path parameter name: cases draw from them half the time, so they reach
    # the code behind the 404s (and the stateful phase has something to start from).
    ids: dict[str, list[str]]


async def _account(database_url: str) -> str:
    db = Database(database_url)
    async with db.transaction() as uow:
        new = await account_service.create(uow, SystemClock(), name="fuzz", billing=True)
    await db.dispose()
    return new.test_key


def set_up(base_url: str, database_url: str) -> Merchant:
    key = asyncio.run(_account(database_url))
    with httpx.Client(base_url=base_url, auth=(key, ""), timeout=30) as c:

        def post(path: str, **data: str) -> str:
            r = c.post(path, data=data)
            r.raise_for_status()
            return str(r.json()["id"])

        product = post("/v1/products", name="Pro")
        price = post(
            "/v1/prices", product=product, currency="usd", unit_amount="900", **{"recurring[interval]": "month"}
        )
        configuration = post(
            "/v1/billing_portal/configurations",
            **{
                "business_profile[privacy_policy_url]": "https://fuzz.example/privacy",
                "business_profile[terms_of_service_url]": "https://fuzz.example/terms",
                "default_return_url": "https://fuzz.example/account",
                "features[invoice_history][enabled]": "true",
                "features[payment_method_update][enabled]": "true",
                "features[subscription_cancel][enabled]": "true",
                "features[subscription_cancel][cancellation_reason][enabled]": "true",
                "features[subscription_cancel][cancellation_reason][options][0]": "too_expensive",
                "features[subscription_update][enabled]": "true",
                "features[subscription_update][default_allowed_updates][0]": "price",
                "features[subscription_update][default_allowed_updates][1]": "quantity",
                "features[subscription_update][products][0][product]": product,
                "features[subscription_update][products][0][prices][0]": price,
                "features[customer_update][enabled]": "true",
                "features[customer_update][allowed_updates][0]": "name",
                "features[customer_update][allowed_updates][1]": "email",
                "features[customer_update][allowed_updates][2]": "address",
                "features[customer_update][allowed_updates][3]": "phone",
            },
        )
        customer = post(
            "/v1/customers",
            email="fuzz@example.com",
            payment_method="pm_card_visa",
            **{"invoice_settings[default_payment_method]": "pm_card_visa"},
        )
        subscription = c.post("/v1/subscriptions", data={"customer": customer, "items[0][price]": price}).json()
        other = post("/v1/subscriptions", customer=customer, **{"items[0][price]": price})
        schedule = post("/v1/subscription_schedules", from_subscription=other)
        invoice = post("/v1/invoices", customer=customer)
        endpoint = post("/v1/webhook_endpoints", url="https://fuzz.example/hook", **{"enabled_events[0]": "*"})
        payment_method = c.get(f"/v1/customers/{customer}/payment_methods").json()["data"][0]["id"]
        event = c.get("/v1/events", params={"limit": 1}).json()["data"][0]["id"]
        url = c.post("/v1/billing_portal/sessions", data={"customer": customer}).json()["url"]
    with httpx.Client(timeout=30) as browser:
        opened = browser.get(url)
        cookie = opened.headers["set-cookie"].split(";")[0]
        overview = browser.get(f"{base_url}/p/api/overview", headers={"Cookie": cookie}).json()
    ids = {
        "customer": [customer],
        "product": [product],
        "price": [price],
        "subscription": [subscription["id"], other],
        "schedule": [schedule],
        "invoice": [invoice, subscription["latest_invoice"]],
        "endpoint": [endpoint],
        "payment_method": [payment_method, "pm_card_visa"],
        "event": [event],
        "configuration": [configuration],
    }
    return Merchant(key, cookie, overview["csrf_token"], ids)


# Where the real ids go: path parameters by name, and the body fields that name objects.
BINDINGS = {
    "customer": ["path.customer", "query.customer", "body.customer"],
    "product": ["path.product", "body.product"],
    "price": ["path.price", "query.price", "body.price", "body.items[*].price"],
    "subscription": ["path.subscription", "body.from_subscription"],
    "schedule": ["path.schedule"],
    "invoice": ["path.invoice"],
    "endpoint": ["path.endpoint"],
    "payment_method": ["path.payment_method", "body.payment_method", "body.default_payment_method"],
    "event": ["path.event"],
    "configuration": ["path.configuration", "body.configuration"],
}


def config(merchant: Merchant, folder: Path) -> Path:
    """Credentials as the schema's security schemes, so schemathesis knows what is auth (and can
    leave it out to check that the service refuses the request)."""
    path = folder / "schemathesis.toml"
    path.write_text(
        f"""
[auth.openapi.bearerAuth]
bearer = "{merchant.key}"

[auth.openapi.portalVisit]
api_key = "{merchant.cookie.partition("=")[2]}"

[auth.openapi.csrfToken]
api_key = "{merchant.csrf}"
"""
        + "".join(f"\n[dictionaries.{name}]\nvalues = {json.dumps(values)}\n" for name, values in merchant.ids.items())
        + "\n[parameters]\n"
        + "".join(
            f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}\n'
            for name, keys in BINDINGS.items()
            for key in keys
        )
    )
    return path


def command(base_url: str, config_file: Path, *, examples: int, seed: int, max_time: int | None) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config_file),
        "--no-color",
        "run",
        str(SCHEMA),
        "--url",
        base_url,
        "--checks",
        "all",
        "--exclude-checks",
        CHECKS_EXCLUDED,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--workers",
        "1",
    ]
    if max_time is not None:
        args += ["--max-time", str(max_time)]
    return args


@contextmanager
def served(database_url: str, folder: Path) -> Iterator[str]:
    from tests.conftest import serve

    with contextmanager(serve)(database_url, folder) as server:
        yield server.base_url


def run(database_url: str, folder: Path, *, examples: int, seed: int, max_time: int | None) -> tuple[int, str]:
    """Serve, set up a merchant, run schemathesis; its exit code and report."""
    with served(database_url, folder) as base_url:
        merchant = set_up(base_url, database_url)
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            command(base_url, config(merchant, folder), examples=examples, seed=seed, max_time=max_time),
            env=env,
            cwd=folder,  # schemathesis keeps a cache folder where it runs
            capture_output=True,
            text=True,
        )
    return done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "200")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "9")))
    parser.add_argument("--max-time", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = os.environ.get("FUZZ_DATABASE_URL") or f"sqlite+aiosqlite:///{folder / 'fuzz.db'}"
        upgrade(url)
        code, report = run(url, folder, examples=args.examples, seed=args.seed, max_time=args.max_time)
    print(report)
    raise SystemExit(code)


if __name__ == "__main__":
    main()

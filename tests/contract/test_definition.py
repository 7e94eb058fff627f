"""Every object the service renders, against Stripe's published definition for the API version
asked for (tests/contract/definition.py): no missing field, no wrong type, no field Stripe does not
define except our documented extensions. The objects are made through the API, as a merchant makes
them, so every shape a response can take is the one checked."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.clock import FixedClock
from app.domain import payment_method_shapes
from tests import factories as f
from tests.api.test_payment_method_types import REQUIRED
from tests.contract.definition import PACKAGES, definitions
from tests.portal import shop as s

# Our documented extensions (README, "Extensions") that show up in these objects, by path: none
# (the extensions are parameters and endpoints, not fields).
EXTENSIONS: frozenset[str] = frozenset()

# Where a product rule (shared/docs/portal-rules.md) decides against the definition.
DIVERGENCES = {
    # R17: the portal's pause feature is retired from 2024-08-01 and not part of the object.
    "billing_portal.configuration.features.subscription_pause: missing": "R17",
}

NAMES = (
    "Customer",
    "Product",
    "Price",
    "PaymentMethod",
    "Subscription",
    "SubscriptionItem",
    "SubscriptionSchedule",
    "Invoice",
    "InvoiceLineItem",
    "InvoiceItem",
    "Coupon",
    "PromotionCode",
    "Discount",
    "CustomerBalanceTransaction",
    "BillingPortal.Configuration",
    "BillingPortal.Session",
    "WebhookEndpoint",
    "TestHelpers.TestClock",
    "TaxId",
    "EventBase",
)


async def samples(client: httpx.AsyncClient, clock: FixedClock) -> dict[str, list[dict[str, Any]]]:
    """One of each object, in the states that change its shape."""
    shop = await s.shop(client)
    await f.post(client, "/v1/coupons", id="DEF", percent_off="10", duration="repeating", duration_in_months=2)
    promo = await f.post(client, "/v1/promotion_codes", **{"promotion[type]": "coupon", "promotion[coupon]": "DEF"})
    customer = await f.post(
        client,
        f"/v1/customers/{shop.customer['id']}",
        coupon="DEF",
        **{"address[line1]": "1 Main St", "address[country]": "SE"},
    )
    sub = await f.post(
        client,
        f"/v1/subscriptions/{shop.subscription['id']}",
        **{"discounts[0][promotion_code]": promo["id"]},
    )
    clock.advance(days=10)
    item = sub["items"]["data"][0]
    changed = await f.post(
        client, f"/v1/subscriptions/{sub['id']}", **{"items[0][id]": item["id"], "items[0][quantity]": 2}
    )
    pending = (await client.get("/v1/invoiceitems", params={"pending": "true"})).json()["data"]
    renewed = await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    invoice = (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()
    lines = (await client.get(f"/v1/invoices/{invoice['id']}/lines")).json()["data"]
    clock.advance(days=10)
    await f.post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"items[0][id]": item["id"], "items[0][quantity]": 1, "proration_behavior": "always_invoice"},
    )
    draft = await f.post(client, "/v1/invoices", customer=customer["id"], currency="usd")
    schedule = await f.post(client, "/v1/subscription_schedules", from_subscription=sub["id"])
    pm = (await client.get(f"/v1/customers/{customer['id']}/payment_methods")).json()["data"][0]
    txns = (await client.get(f"/v1/customers/{customer['id']}/balance_transactions")).json()["data"]
    session = await s.session(client, customer["id"])
    endpoint = await f.post(
        client, "/v1/webhook_endpoints", url="https://hooks.example/x", **{"enabled_events[0]": "*"}
    )
    test_clock = await f.post(client, "/v1/test_helpers/test_clocks", frozen_time=1_800_000_000)
    clocked = await f.post(client, "/v1/customers", test_clock=test_clock["id"])
    # Every payment method type the definition adds beyond the hand-written ones, as created.
    generic = [
        await f.post(client, "/v1/payment_methods", type=kind, **REQUIRED.get(kind, {}))
        for kind in sorted(payment_method_shapes.types())
    ]
    generic.append(
        await f.post(
            client,
            "/v1/payment_methods",
            type="klarna",
            **{"klarna[dob][day]": 1, "klarna[dob][month]": 2, "klarna[dob][year]": 1990},
        )
    )
    tax_id = await f.post(client, f"/v1/customers/{customer['id']}/tax_ids", type="eu_vat", value="SE123456789123")
    own_tax_id = await f.post(client, "/v1/tax_ids", type="gb_vat", value="GB123456789")
    with_tax_ids = (await client.get(f"/v1/customers/{customer['id']}", params={"expand[]": "tax_ids"})).json()
    # A subscription with a pending update (its change's invoice unpaid).
    waiting = await f.subscription(client)
    failing = await f.post(
        client, "/v1/payment_methods/pm_card_chargeCustomerFail/attach", customer=waiting["customer"]
    )
    await f.post(client, f"/v1/subscriptions/{waiting['id']}", default_payment_method=failing["id"])
    with_pending = await f.post(
        client,
        f"/v1/subscriptions/{waiting['id']}",
        payment_behavior="pending_if_incomplete",
        proration_behavior="always_invoice",
        **{"items[0][id]": waiting["items"]["data"][0]["id"], "items[0][price]": shop.yearly["id"]},
    )
    assert with_pending["pending_update"] is not None
    events = (await client.get("/v1/events", params={"limit": 3})).json()["data"]
    return {
        "Customer": [customer, clocked, with_tax_ids],
        "Product": [(await client.get(f"/v1/products/{shop.product}")).json()],
        "Price": [shop.monthly, shop.yearly],
        "PaymentMethod": [pm, *generic],
        "Subscription": [changed, renewed, with_pending],
        "SubscriptionItem": [
            changed["items"]["data"][0],
            (await client.get(f"/v1/subscription_items/{item['id']}")).json(),
        ],
        "SubscriptionSchedule": [schedule],
        "Invoice": [invoice, draft],
        "InvoiceLineItem": lines,
        "InvoiceItem": pending,
        "Coupon": [(await client.get("/v1/coupons/DEF")).json()],
        "PromotionCode": [promo],
        "Discount": [customer["discount"]],
        "CustomerBalanceTransaction": txns,
        "BillingPortal.Configuration": [shop.configuration],
        "BillingPortal.Session": [session],
        "WebhookEndpoint": [endpoint],
        "TestHelpers.TestClock": [
            test_clock,
            (await client.get(f"/v1/test_helpers/test_clocks/{test_clock['id']}")).json(),
        ],
        "TaxId": [tax_id, own_tax_id],
        "EventBase": events,
    }


@pytest.mark.parametrize("version", sorted(PACKAGES))
async def test_every_object_matches_stripes_definition(
    client: httpx.AsyncClient, clock: FixedClock, version: str
) -> None:
    client.headers["Stripe-Version"] = version
    defs = definitions(version, NAMES)
    found: list[str] = []
    for name, bodies in (await samples(client, clock)).items():
        assert bodies, f"no sample of {name}"
        for body in bodies:
            obj = body.get("object", name)
            found += defs.problems(body, defs.root(name), f"{obj}.", EXTENSIONS)
    broken = sorted(set(found) - set(DIVERGENCES))
    assert not broken, "\n".join(broken)

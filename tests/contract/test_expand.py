"""Issue 18, item 6: every field Stripe's definition marks expandable (`string | Object`) is
expandable here, or always null here and expands to null; read from the pinned definition, as the
other contract tests are. And a few expansions through nested paths, done."""

from __future__ import annotations

from typing import Any

import httpx

import app.objects  # noqa: F401  (registration)
from app.objects.registry import _BY_NAME
from tests import factories as f
from tests.contract.definition import Definition, definitions
from tests.contract.test_definition import NAMES

# The definition's root type -> our object type (line items are served only inside invoices).
OBJECTS = {
    "Customer": "customer",
    "Product": "product",
    "Price": "price",
    "PaymentMethod": "payment_method",
    "Subscription": "subscription",
    "SubscriptionItem": "subscription_item",
    "SubscriptionSchedule": "subscription_schedule",
    "Invoice": "invoice",
    "InvoiceItem": "invoiceitem",
    "Coupon": "coupon",
    "PromotionCode": "promotion_code",
    "Discount": "discount",
    "CustomerBalanceTransaction": "customer_balance_transaction",
    "BillingPortal.Configuration": "billing_portal.configuration",
    "BillingPortal.Session": "billing_portal.session",
    "WebhookEndpoint": "webhook_endpoint",
    "TestHelpers.TestClock": "test_helpers.test_clock",
    "TaxId": "tax_id",
}


def _parts(d: Definition, t: dict[str, Any]) -> list[dict[str, Any]]:
    t = d.resolve(t)
    return [d.resolve(p) for p in t["of"]] if t["kind"] == "union" else [t]


def _is_object(p: dict[str, Any]) -> bool:
    fields = p.get("fields") or {}
    return p["kind"] == "object" and "object" in fields and "id" in fields


def expandable_paths(d: Definition, t: dict[str, Any], path: str = "", depth: int = 0) -> list[str]:
    """Fields typed `string | Object` (or lists of them), through nested plain objects."""
    found: list[str] = []
    for name, spec in (d.resolve(t).get("fields") or {}).items():
        parts = _parts(d, spec["type"])
        if any(p["kind"] == "string" and p.get("value") is None for p in parts) and any(map(_is_object, parts)):
            found.append(path + name)
            continue
        for p in parts:
            if p["kind"] == "array":
                items = _parts(d, p["items"])
                if any(i["kind"] == "string" for i in items) and any(map(_is_object, items)):
                    found.append(path + name)
            elif depth < 2 and p["kind"] == "object" and p.get("fields") and "object" not in p["fields"]:
                found += expandable_paths(d, p, f"{path}{name}.", depth + 1)
    return found


def test_every_expandable_field_of_the_definition_expands_here() -> None:
    d = definitions("2026-10-28.endive", NAMES)
    missing = []
    for root, name in OBJECTS.items():
        ours = _BY_NAME[name]
        known = {
            *ours.expandable,
            *(k.removesuffix(".data") for k in ours.expandable),
            *ours.always_null,
            *ours.includable,
        }
        missing += [f"{name}.{p}" for p in expandable_paths(d, d.root(root)) if p not in known]
    assert not missing, missing


async def test_nested_expansions_reach_their_objects(client: httpx.AsyncClient) -> None:
    await f.post(client, "/v1/coupons", id="NEST", percent_off="20", duration="forever")
    code = await f.post(client, "/v1/promotion_codes", **{"promotion[type]": "coupon", "promotion[coupon]": "NEST"})
    got = (await client.get(f"/v1/promotion_codes/{code['id']}", params={"expand[]": "promotion.coupon"})).json()
    assert got["promotion"]["coupon"]["percent_off"] == 20
    cust = await f.customer(client, coupon="NEST")
    discount = cust["discount"]["id"]
    sub = await f.subscription(client, customer_id=cust["id"])
    item = sub["items"]["data"][0]["id"]
    await f.post(client, f"/v1/subscription_items/{item}", **{"metadata[x]": "1"})
    shown = (await client.get(f"/v1/customers/{cust['id']}", params={"expand[]": "discount.source.coupon"})).json()
    assert shown["discount"]["id"] == discount and shown["discount"]["source"]["coupon"]["id"] == "NEST"
    own = await f.post(client, f"/v1/customers/{cust['id']}/tax_ids", type="eu_vat", value="FRAB123456789")
    owner = (await client.get(f"/v1/tax_ids/{own['id']}", params={"expand[]": "owner.customer"})).json()
    assert owner["owner"]["customer"]["id"] == cust["id"]
    ii = await f.post(
        client,
        "/v1/invoiceitems",
        customer=cust["id"],
        **{"pricing[price]": (await f.price(client, interval=None))["id"]},
    )
    priced = (
        await client.get(f"/v1/invoiceitems/{ii['id']}", params={"expand[]": "pricing.price_details.price"})
    ).json()
    assert priced["pricing"]["price_details"]["price"]["object"] == "price"

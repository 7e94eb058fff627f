"""R2 for every id-taking endpoint: another account's or the other mode's id is a plain 404."""

from __future__ import annotations

import httpx
import pytest

from tests import factories as f


@pytest.fixture
async def theirs(other_client: httpx.AsyncClient) -> dict[str, str]:
    """One of each object, owned by another account."""
    sub = await f.subscription(other_client)
    cus = sub["customer"]
    pm = (await other_client.get(f"/v1/customers/{cus}")).json()["invoice_settings"]["default_payment_method"]
    price = sub["items"]["data"][0]["price"]
    schedule = await f.post(other_client, "/v1/subscription_schedules", from_subscription=sub["id"])
    event = (await other_client.get("/v1/events")).json()["data"][0]["id"]
    configuration = await f.post(
        other_client,
        "/v1/billing_portal/configurations",
        **{
            "business_profile[privacy_policy_url]": "https://o.example/p",
            "business_profile[terms_of_service_url]": "https://o.example/t",
            "features[invoice_history][enabled]": "true",
        },
    )
    hook = await f.post(other_client, "/v1/webhook_endpoints", url="http://localhost:9/x", **{"enabled_events[0]": "*"})
    return {
        "configuration": configuration["id"],
        "webhook_endpoint": hook["id"],
        "customer": cus,
        "payment_method": pm,
        "product": price["product"],
        "price": price["id"],
        "subscription": sub["id"],
        "invoice": sub["latest_invoice"],
        "schedule": schedule["id"],
        "event": event,
    }


ENDPOINTS = [
    ("GET", "/v1/customers/{customer}", {}),
    ("POST", "/v1/customers/{customer}", {"name": "x"}),
    ("DELETE", "/v1/customers/{customer}", {}),
    ("GET", "/v1/customers/{customer}/payment_methods", {}),
    ("GET", "/v1/customers/{customer}/payment_methods/{payment_method}", {}),
    ("GET", "/v1/payment_methods/{payment_method}", {}),
    ("POST", "/v1/payment_methods/{payment_method}", {"metadata[a]": "b"}),
    ("POST", "/v1/payment_methods/{payment_method}/detach", {}),
    ("GET", "/v1/products/{product}", {}),
    ("POST", "/v1/products/{product}", {"name": "x"}),
    ("GET", "/v1/prices/{price}", {}),
    ("POST", "/v1/prices/{price}", {"nickname": "x"}),
    ("GET", "/v1/subscriptions/{subscription}", {}),
    ("POST", "/v1/subscriptions/{subscription}", {"metadata[a]": "b"}),
    ("DELETE", "/v1/subscriptions/{subscription}", {}),
    ("POST", "/v1/subscriptions/{subscription}/resume", {}),
    ("POST", "/v1/test_helpers/subscriptions/{subscription}/status", {"status": "past_due"}),
    ("POST", "/v1/test_helpers/subscriptions/{subscription}/advance", {}),
    ("GET", "/v1/subscription_schedules/{schedule}", {}),
    ("POST", "/v1/subscription_schedules/{schedule}/release", {}),
    ("GET", "/v1/invoices/{invoice}", {}),
    ("POST", "/v1/invoices/{invoice}/finalize", {}),
    ("POST", "/v1/invoices/{invoice}/pay", {}),
    ("POST", "/v1/invoices/{invoice}/void", {}),
    ("POST", "/v1/invoices/{invoice}/mark_uncollectible", {}),
    ("POST", "/v1/invoices/{invoice}/add_lines", {"lines[0][amount]": "1"}),
    ("GET", "/v1/events/{event}", {}),
    ("GET", "/v1/billing_portal/configurations/{configuration}", {}),
    ("POST", "/v1/billing_portal/configurations/{configuration}", {"name": "x"}),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint}", {}),
    ("POST", "/v1/webhook_endpoints/{webhook_endpoint}", {"description": "x"}),
    ("DELETE", "/v1/webhook_endpoints/{webhook_endpoint}", {}),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint}/deliveries", {}),
]

REFERENCES = [
    ("POST", "/v1/subscriptions", "customer", {"items[0][price]": "{price}", "customer": "{customer}"}),
    ("POST", "/v1/prices", "product", {"product": "{product}", "currency": "usd", "unit_amount": "1"}),
    ("POST", "/v1/invoices", "customer", {"customer": "{customer}"}),
    ("POST", "/v1/subscription_schedules", "from_subscription", {"from_subscription": "{subscription}"}),
    ("GET", "/v1/payment_methods", "customer", {"customer": "{customer}"}),
    ("POST", "/v1/billing_portal/sessions", "customer", {"customer": "{customer}", "return_url": "https://x.example"}),
    (
        "POST",
        "/v1/billing_portal/sessions",
        "configuration",
        {"customer": "{own_customer}", "configuration": "{configuration}", "return_url": "https://x.example"},
    ),
]


async def _check_404s(c: httpx.AsyncClient, ids: dict[str, str], *, live: bool = False) -> None:
    for method, template, data in ENDPOINTS:
        path = template.format(**ids)
        r = await c.request(method, path, data=data) if method == "POST" else await c.request(method, path)
        if live and "/test_helpers/" in template:
            # Live keys are refused before any lookup: nothing about the id is revealed.
            assert r.status_code == 400 and "test mode" in r.json()["error"]["message"]
            continue
        assert r.status_code == 404, (method, template, r.text)
        assert r.json()["error"]["code"] == "resource_missing"


async def test_r2_other_accounts_ids_are_404_everywhere(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, theirs: dict[str, str]
) -> None:
    """R2: every id-taking endpoint answers 404 for another account's objects and changes nothing."""
    await _check_404s(client, theirs)
    own_customer = (await f.customer(client))["id"]
    for method, path, param, data in REFERENCES:
        filled = {k: v.format(**theirs, own_customer=own_customer) for k, v in data.items()}
        r = await client.post(path, data=filled) if method == "POST" else await client.get(path, params=filled)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["param"] == param
    # Nothing of theirs changed.
    assert (await other_client.get(f"/v1/subscriptions/{theirs['subscription']}")).json()["status"] == "active"
    assert (await other_client.get(f"/v1/customers/{theirs['customer']}")).json()["name"] is None


async def test_r2_live_mode_cannot_reach_test_mode_ids(
    live_client: httpx.AsyncClient, other_client: httpx.AsyncClient, theirs: dict[str, str], client: httpx.AsyncClient
) -> None:
    """R2: a live key of the same account cannot see its own test-mode objects."""
    own = {
        "customer": (sub := await f.subscription(client))["customer"],
        "subscription": sub["id"],
        "invoice": sub["latest_invoice"],
        "price": sub["items"]["data"][0]["price"]["id"],
        "product": sub["items"]["data"][0]["price"]["product"],
        "payment_method": (await client.get(f"/v1/customers/{sub['customer']}")).json()["invoice_settings"][
            "default_payment_method"
        ],
        "schedule": (await f.post(client, "/v1/subscription_schedules", from_subscription=sub["id"]))["id"],
        "event": (await client.get("/v1/events")).json()["data"][0]["id"],
        "configuration": (
            await f.post(
                client,
                "/v1/billing_portal/configurations",
                **{
                    "business_profile[privacy_policy_url]": "https://o.example/p",
                    "business_profile[terms_of_service_url]": "https://o.example/t",
                    "features[invoice_history][enabled]": "true",
                },
            )
        )["id"],
        "webhook_endpoint": (
            await f.post(client, "/v1/webhook_endpoints", url="http://localhost:9/x", **{"enabled_events[0]": "*"})
        )["id"],
    }
    await _check_404s(live_client, own, live=True)

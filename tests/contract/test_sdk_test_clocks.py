"""Test clocks through stripe-python against a real server, as a team's billing tests drive them
(https://docs.stripe.com/billing/testing/test-clocks): create a clock, attach a customer,
subscribe, advance, and watch the lifecycle arrive as events. Runs on SQLite and PostgreSQL with
the rest of the suite."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import stripe

from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key

START = 1_800_000_000  # 2027-01-15
HOUR, DAY = 3600, 86400


@pytest.fixture(scope="module")
def key(live_server: LiveServer) -> str:
    return new_test_key(live_server, "sdk clocks")


@pytest.fixture
def sdk(key: str, live_server: LiveServer) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": live_server.base_url})


def _subscriber(
    sdk: stripe.StripeClient, card: str = "pm_card_visa", **sub: Any
) -> tuple[stripe.test_helpers.TestClock, stripe.Customer, stripe.Subscription]:
    clock = sdk.v1.test_helpers.test_clocks.create({"frozen_time": START, "name": "sdk"})
    customer = sdk.v1.customers.create(
        {"test_clock": clock.id, "payment_method": card, "invoice_settings": {"default_payment_method": card}}
    )
    price = sdk.v1.prices.create(
        {"currency": "usd", "unit_amount": 2000, "recurring": {"interval": "month"}, "product_data": {"name": "Plan"}}
    )
    subscription = sdk.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}], **sub})  # type: ignore[arg-type]
    return clock, customer, subscription


def _advance(sdk: stripe.StripeClient, clock: stripe.test_helpers.TestClock, to: int) -> None:
    advanced = sdk.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": to})
    assert advanced.status == "ready" and advanced.frozen_time == to


def _events(sdk: stripe.StripeClient, kind: str, object_id: str) -> list[stripe.Event]:
    return [e for e in sdk.v1.events.list({"type": kind, "limit": 100}).data if e.data.object["id"] == object_id]


def test_a_renewal_is_created_finalized_and_paid(sdk: stripe.StripeClient) -> None:
    clock, _customer, sub = _subscriber(sdk)
    end = sub["items"].data[0].current_period_end
    _advance(sdk, clock, end + 2 * HOUR)
    renewed = sdk.v1.subscriptions.retrieve(sub.id)
    invoice = sdk.v1.invoices.retrieve(renewed.latest_invoice)  # type: ignore[arg-type]
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == ("paid", 2000, "subscription_cycle")
    for kind in ("invoice.created", "invoice.finalized", "invoice.paid"):
        assert _events(sdk, kind, invoice.id), kind
    assert renewed["items"].data[0].current_period_start == end


def test_a_failed_renewal_is_retried_then_the_subscription_is_deleted(sdk: stripe.StripeClient) -> None:
    clock, customer, sub = _subscriber(sdk)
    failing = sdk.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})
    sdk.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": failing.id}})
    end = sub["items"].data[0].current_period_end
    _advance(sdk, clock, end + 2 * HOUR)
    assert sdk.v1.subscriptions.retrieve(sub.id).status == "past_due"
    _advance(sdk, clock, end + 20 * DAY)
    assert sdk.v1.subscriptions.retrieve(sub.id).status == "canceled"
    invoice_id = sdk.v1.subscriptions.retrieve(sub.id).latest_invoice
    assert len(_events(sdk, "invoice.payment_failed", str(invoice_id))) == 8
    assert _events(sdk, "customer.subscription.deleted", sub.id)


def test_cancel_at_period_end_and_a_trials_end(sdk: stripe.StripeClient) -> None:
    clock, _customer, sub = _subscriber(sdk, trial_period_days=7, cancel_at_period_end=True)
    assert sub.status == "trialing"
    _advance(sdk, clock, START + 5 * DAY)
    assert _events(sdk, "customer.subscription.trial_will_end", sub.id)
    _advance(sdk, clock, START + 8 * DAY)
    ended = sdk.v1.subscriptions.retrieve(sub.id)
    # The trial's end is the period's end, where cancel_at_period_end takes it.
    assert (ended.status, ended.ended_at) == ("canceled", START + 7 * DAY)


def test_a_three_d_secure_sign_up_that_is_never_authenticated_expires(
    sdk: stripe.StripeClient, live_server: LiveServer
) -> None:
    clock, _customer, sub = _subscriber(sdk, card="pm_card_threeDSecure2Required")
    assert sub.status == "incomplete"
    invoice = sdk.v1.invoices.retrieve(str(sub.latest_invoice))
    assert _events(sdk, "invoice.payment_action_required", invoice.id)
    page = httpx.get(str(invoice.hosted_invoice_url))
    assert page.status_code == 200 and re.search(r"Complete authentication", page.text)
    _advance(sdk, clock, START + 23 * HOUR)
    assert sdk.v1.subscriptions.retrieve(sub.id).status == "incomplete_expired"
    assert sdk.v1.invoices.retrieve(invoice.id).status == "void"


def test_a_deleted_clock_takes_its_customers_with_it(sdk: stripe.StripeClient) -> None:
    clock, customer, sub = _subscriber(sdk)
    gone = sdk.v1.test_helpers.test_clocks.delete(clock.id)
    assert gone.deleted is True
    assert sdk.v1.customers.retrieve(customer.id).to_dict().get("deleted") is True
    assert sdk.v1.subscriptions.retrieve(sub.id).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.test_helpers.test_clocks.retrieve(clock.id)

"""Property: whatever sequence of API calls, no active subscriber is left without a payment method
(R9), a key never sees the other mode's objects (R2), and there is exactly one default
configuration per mode once one exists (R10). Runs against the real database."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from app.clock import FixedClock
from app.main import create_app
from app.services import accounts as account_service
from app.settings import Settings

LEGAL = {
    "business_profile[privacy_policy_url]": "https://s.example/p",
    "business_profile[terms_of_service_url]": "https://s.example/t",
    "features[invoice_history][enabled]": "true",
}
MODES = st.sampled_from(["test", "live"])


def machine_for(database_url: str) -> type[RuleBasedStateMachine]:
    class Billing(RuleBasedStateMachine):
        customers = Bundle("customers")
        methods = Bundle("methods")
        subscriptions = Bundle("subscriptions")
        configurations = Bundle("configurations")

        def __init__(self) -> None:
            super().__init__()
            self.loop = asyncio.new_event_loop()
            self.app = create_app(
                Settings(database_url=database_url, base_url="http://t", key_cache_seconds=0), FixedClock()
            )
            self.clients: dict[str, httpx.AsyncClient] = {}
            self.created: dict[str, set[str]] = {"test": set(), "live": set()}

        def run(self, coro: Any) -> Any:
            return self.loop.run_until_complete(coro)

        def call(self, mode: str, method: str, path: str, **data: Any) -> httpx.Response:
            client = self.clients[mode]
            request = (
                client.get(path, params=data) if method == "GET" else client.request(method, path, data=data or None)
            )
            response: httpx.Response = self.run(request)
            return response

        @initialize()
        def account(self) -> None:
            async def make() -> None:
                async with self.app.state.portal.db.transaction() as uow:
                    new = await account_service.create(uow, FixedClock(), name="property", billing=True)
                transport = httpx.ASGITransport(app=self.app)
                for mode, key in (("test", new.test_key), ("live", new.live_key)):
                    self.clients[mode] = httpx.AsyncClient(transport=transport, base_url="http://t", auth=(key, ""))
                r = await self.clients["test"].post("/v1/products", data={"name": "P"})
                price = await self.clients["test"].post(
                    "/v1/prices",
                    data={
                        "product": r.json()["id"],
                        "currency": "usd",
                        "unit_amount": "100",
                        "recurring[interval]": "month",
                    },
                )
                self.price = price.json()["id"]

            self.run(make())

        def teardown(self) -> None:
            for client in self.clients.values():
                self.run(client.aclose())
            self.run(self.app.state.portal.db.dispose())
            self.loop.close()

        @rule(target=customers, mode=MODES)
        def create_customer(self, mode: str) -> tuple[str, str]:
            r = self.call(mode, "POST", "/v1/customers", email="p@example.com")
            self.created[mode].add(r.json()["id"])
            return mode, r.json()["id"]

        @rule(target=methods, customer=customers, card=st.sampled_from(["pm_card_visa", "pm_card_mastercard"]))
        def attach(self, customer: tuple[str, str], card: str) -> tuple[str, str]:
            mode, cus = customer
            r = self.call("test", "POST", f"/v1/payment_methods/{card}/attach", customer=cus)
            if mode == "live":
                assert r.status_code == 404  # R2: a live customer is unknown to the test key
                return "test", "pm_none"
            self.call(
                "test", "POST", f"/v1/customers/{cus}", **{"invoice_settings[default_payment_method]": r.json()["id"]}
            )
            return cus, r.json()["id"]

        @rule(method=methods)
        def detach(self, method: tuple[str, str]) -> None:
            _cus, pm = method
            r = self.call("test", "POST", f"/v1/payment_methods/{pm}/detach")
            assert r.status_code in (200, 400, 404)

        @rule(target=subscriptions, customer=customers)
        def subscribe(self, customer: tuple[str, str]) -> tuple[str, str]:
            mode, cus = customer
            r = self.call("test", "POST", "/v1/subscriptions", customer=cus, **{"items[0][price]": self.price})
            if mode == "live":
                assert r.status_code == 404
                return "live", "sub_none"
            return cus, r.json().get("id", "sub_none")

        @rule(subscription=subscriptions)
        def cancel(self, subscription: tuple[str, str]) -> None:
            self.call("test", "DELETE", f"/v1/subscriptions/{subscription[1]}")

        @rule(subscription=subscriptions, status=st.sampled_from(["past_due", "unpaid", "active"]))
        def move(self, subscription: tuple[str, str], status: str) -> None:
            self.call("test", "POST", f"/v1/test_helpers/subscriptions/{subscription[1]}/status", status=status)

        @rule(target=configurations, mode=MODES, default=st.booleans())
        def configure(self, mode: str, default: bool) -> tuple[str, str]:
            r = self.call(
                mode,
                "POST",
                "/v1/billing_portal/configurations",
                **LEGAL,
                **({"is_default": "true"} if default else {}),
            )
            return mode, r.json()["id"]

        @rule(configuration=configurations)
        def make_default(self, configuration: tuple[str, str]) -> None:
            mode, config = configuration
            self.call(mode, "POST", f"/v1/billing_portal/configurations/{config}", is_default="true")

        @invariant()
        def r9_active_subscribers_keep_a_payment_method(self) -> None:
            if not self.clients:
                return
            subs = self.call("test", "GET", "/v1/subscriptions", limit="100").json()["data"]
            for sub in subs:
                if sub["status"] in ("active", "trialing", "past_due"):
                    methods = self.call("test", "GET", f"/v1/customers/{sub['customer']}/payment_methods").json()[
                        "data"
                    ]
                    assert methods, f"R9: {sub['customer']} has an active subscription and no payment method"

        @invariant()
        def r2_modes_never_mix(self) -> None:
            if not self.clients:
                return
            for mode, other in (("test", "live"), ("live", "test")):
                seen = {c["id"] for c in self.call(mode, "GET", "/v1/customers", limit="100").json()["data"]}
                assert not seen & self.created[other]

        @invariant()
        def r10_one_default_per_mode(self) -> None:
            if not self.clients:
                return
            for mode in ("test", "live"):
                configs = self.call(mode, "GET", "/v1/billing_portal/configurations", limit="100").json()["data"]
                if configs:
                    assert sum(c["is_default"] for c in configs) == 1

    return Billing


def test_r2_r9_r10_hold_under_any_sequence_of_calls(database_url: str) -> None:
    """R9, R2, R10 as invariants of a state machine over the real API and database."""
    run_state_machine_as_test(
        machine_for(database_url),
        settings=settings(
            max_examples=15, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )

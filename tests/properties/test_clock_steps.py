"""Issue 19: advancing a test clock in many small steps and in one big step ends in the same state
and the same events. Each example runs a subscription (a trial or not, a failing card or not,
cancel at period end or not) on two clocks of one fresh account: one advanced in the drawn steps,
one in a single step to the same time."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import FixedClock
from app.main import create_app
from app.services import accounts as account_service
from app.settings import Settings

START = 1_800_000_000
DAY = 86400
HORIZON = 75 * DAY  # over two renewals, a trial's end and a retry schedule's first weeks

scenarios = st.fixed_dictionaries(
    {
        "trial_days": st.sampled_from([0, 5]),
        "failing": st.booleans(),
        "cancel_at_period_end": st.booleans(),
        # Cut points of the horizon: the small steps (whole hours, so they fall on and off boundaries).
        "cuts": st.lists(st.integers(min_value=1, max_value=HORIZON // 3600 - 1), min_size=1, max_size=12, unique=True),
    }
)


async def _run(database_url: str, scenario: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    app: Any = create_app(
        Settings(database_url=database_url, base_url="http://portal.test", key_cache_seconds=0), FixedClock()
    )
    try:
        async with app.state.portal.db.transaction() as uow:
            new = await account_service.create(uow, FixedClock(), name="steps", billing=True)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(new.test_key, "")) as c:
            plan = (
                await c.post(
                    "/v1/prices",
                    data={
                        "currency": "usd",
                        "unit_amount": 1500,
                        "product_data[name]": "P",
                        "recurring[interval]": "month",
                    },
                )
            ).json()
            outcomes = []
            for steps in ([*sorted(scenario["cuts"]), HORIZON // 3600], [HORIZON // 3600]):
                clock = (await c.post("/v1/test_helpers/test_clocks", data={"frozen_time": START})).json()
                card = "pm_card_chargeCustomerFail" if scenario["failing"] else "pm_card_visa"
                customer = (
                    await c.post(
                        "/v1/customers",
                        data={
                            "test_clock": clock["id"],
                            "payment_method": card,
                            "invoice_settings[default_payment_method]": card,
                        },
                    )
                ).json()
                data = {"customer": customer["id"], "items[0][price]": plan["id"]}
                if scenario["trial_days"]:
                    data["trial_period_days"] = scenario["trial_days"]
                if scenario["cancel_at_period_end"]:
                    data["cancel_at_period_end"] = "true"
                sub = (await c.post("/v1/subscriptions", data=data)).json()
                for hours in steps:
                    r = await c.post(
                        f"/v1/test_helpers/test_clocks/{clock['id']}/advance",
                        data={"frozen_time": START + hours * 3600},
                    )
                    assert r.status_code == 200, r.text
                outcomes.append(await _state(c, sub["id"], customer["id"]))
            return outcomes[0], outcomes[1]
    finally:
        await app.state.portal.db.dispose()


async def _state(c: httpx.AsyncClient, sub_id: str, customer_id: str) -> list[Any]:
    """What a run ends in, without its ids: the subscription, its invoices, and its events in order."""
    sub = (await c.get(f"/v1/subscriptions/{sub_id}")).json()
    invoices = (await c.get("/v1/invoices", params={"customer": customer_id, "limit": 100})).json()["data"]
    item = sub["items"]["data"][0]
    shape = [
        sub["status"],
        sub["canceled_at"],
        sub["ended_at"],
        sub["trial_end"],
        item["current_period_start"],
        item["current_period_end"],
    ]
    bills = sorted((i["created"], i["status"], i["total"], i["amount_paid"], i["attempt_count"]) for i in invoices)
    mine = {sub_id, customer_id, *(i["id"] for i in invoices)}
    events: list[tuple[int, str]] = []
    page: dict[str, Any] = {"limit": 100}
    while True:
        body = (await c.get("/v1/events", params=page)).json()
        for e in body["data"]:
            obj = e["data"]["object"]
            if obj.get("id") in mine or obj.get("customer") == customer_id:
                events.append((e["created"], e["type"]))
        if not body["has_more"]:
            break
        page = {"limit": 100, "starting_after": body["data"][-1]["id"]}
    return [shape, bills, sorted(events)]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(scenario=scenarios)
def test_small_steps_and_one_big_step_end_alike(database_url: str, scenario: dict[str, Any]) -> None:
    small, big = asyncio.run(_run(database_url, scenario))
    assert small == big

"""The billing scheduler (app/events/scheduler.py): time passing for objects on no test clock
runs the same lifecycle a clock's advance runs. Driven here by the service clock (the one fake,
at the process edge) and one `run_once` per moment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from app.clock import FixedClock
from app.events.scheduler import Scheduler
from app.store.database import Database
from tests.conftest import Keys
from tests.factories import customer, events, post, price

HOUR, DAY = 3600, 86400


@pytest.fixture
def scheduler(db: Database, clock: FixedClock, keys: Keys) -> Callable[[], Scheduler]:
    """A scheduler of the test's own account: the suite's database holds every other test's too."""
    return lambda: Scheduler(db, clock, base_url="http://portal.test", accounts=[keys.account_id])


async def test_a_renewal_is_drafted_at_the_period_end_and_paid_an_hour_later(
    client: httpx.AsyncClient, scheduler: Callable[[], Scheduler], clock: FixedClock
) -> None:
    cust = await customer(client)
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    end = sub["items"]["data"][0]["current_period_end"]
    assert await scheduler().run_once() == 0  # nothing due yet
    clock.advance(seconds=end - int(clock.now().timestamp()))
    assert await scheduler().run_once() == 1
    renewed = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    draft = (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()
    assert (draft["status"], draft["automatically_finalizes_at"]) == ("draft", end + HOUR)
    clock.advance(hours=1)
    assert await scheduler().run_once() == 1
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json()["status"] == "paid"
    assert await scheduler().run_once() == 0


async def test_two_schedulers_at_once_renew_once(
    client: httpx.AsyncClient, scheduler: Callable[[], Scheduler], clock: FixedClock
) -> None:
    """Both find the same renewal due; the lock and the re-check under it let one run it."""
    cust = await customer(client)
    subs = [
        await post(client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]})
        for _ in range(3)
    ]
    end = subs[0]["items"]["data"][0]["current_period_end"]
    clock.advance(seconds=end - int(clock.now().timestamp()))
    ran = await asyncio.gather(*(scheduler().run_once() for _ in range(4)))
    assert sum(ran) == 3
    for sub in subs:
        invoices = (await client.get("/v1/invoices", params={"subscription": sub["id"]})).json()["data"]
        assert len(invoices) == 2


async def test_failed_renewals_are_retried_then_canceled_and_trials_warned_once(
    client: httpx.AsyncClient, scheduler: Callable[[], Scheduler], clock: FixedClock
) -> None:
    failing = await customer(client, card=False)
    await post(client, "/v1/payment_methods/pm_card_chargeCustomerFail/attach", customer=failing["id"])
    cust = await customer(client)
    monthly = await price(client)
    sub = await post(
        client, "/v1/subscriptions", customer=failing["id"], trial_period_days=10, **{"items[0][price]": monthly["id"]}
    )
    late = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        cancel_at=sub["trial_end"] - DAY,
        **{"items[0][price]": monthly["id"]},
    )
    clock.advance(days=8)  # within three days of the trial's end
    await scheduler().run_once()
    await scheduler().run_once()
    warned = [
        e
        for e in await events(client, "customer.subscription.trial_will_end")
        if e["data"]["object"]["id"] == sub["id"]
    ]
    assert len(warned) == 1
    clock.advance(days=1, seconds=1)
    await scheduler().run_once()
    assert (await client.get(f"/v1/subscriptions/{late['id']}")).json()["status"] == "canceled"
    clock.advance(days=1, hours=1)  # the trial ended; its first invoice finalizes an hour later and fails
    await scheduler().run_once()
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "past_due"
    for _ in range(30):  # Stripe's default: 8 tries in two weeks, then cancel
        clock.advance(hours=12)
        await scheduler().run_once()
    ended = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert (ended["status"], ended["cancellation_details"]["reason"]) == ("canceled", "payment_failed")


async def test_incomplete_expires_auto_advance_finalizes_and_overdue_is_announced(
    client: httpx.AsyncClient, scheduler: Callable[[], Scheduler], clock: FixedClock
) -> None:
    cust = await customer(client)
    incomplete = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        payment_behavior="default_incomplete",
        **{"items[0][price]": (await price(client))["id"]},
    )
    manual = await post(client, "/v1/invoices", customer=cust["id"], currency="usd", auto_advance="true")
    await post(client, f"/v1/invoices/{manual['id']}/add_lines", **{"lines[0][amount]": 400})
    sent = await post(
        client, "/v1/invoices", customer=cust["id"], currency="usd", collection_method="send_invoice", days_until_due=1
    )
    await post(client, f"/v1/invoices/{sent['id']}/add_lines", **{"lines[0][amount]": 400})
    await post(client, f"/v1/invoices/{sent['id']}/finalize")
    clock.advance(hours=2)
    await scheduler().run_once()
    assert (await client.get(f"/v1/invoices/{manual['id']}")).json()["status"] == "paid"
    clock.advance(hours=22)
    await scheduler().run_once()
    assert (await client.get(f"/v1/subscriptions/{incomplete['id']}")).json()["status"] == "incomplete_expired"
    clock.advance(days=1)
    await scheduler().run_once()
    await scheduler().run_once()
    overdue = [e for e in await events(client, "invoice.overdue") if e["data"]["object"]["id"] == sent["id"]]
    assert len(overdue) == 1


async def test_objects_on_a_test_clock_are_left_to_it(
    client: httpx.AsyncClient, scheduler: Callable[[], Scheduler], clock: FixedClock
) -> None:
    test_clock = await post(client, "/v1/test_helpers/test_clocks", frozen_time=int(clock.now().timestamp()))
    cust = await customer(client, test_clock=test_clock["id"])
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    clock.advance(days=40)
    assert await scheduler().run_once() == 0
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["latest_invoice"] == sub["latest_invoice"]


async def test_paused_collection_resumes_in_real_time(
    client: httpx.AsyncClient, scheduler: Callable[[], Scheduler], clock: FixedClock
) -> None:
    cust = await customer(client)
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    now = int(clock.now().timestamp())
    await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"pause_collection[behavior]": "void", "pause_collection[resumes_at]": now + 5 * DAY},
    )
    clock.advance(days=5, seconds=1)
    assert await scheduler().run_once() == 1
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["pause_collection"] is None

"""Test clocks, as Stripe's API has them (https://docs.stripe.com/billing/testing/test-clocks):
customers on a clock live at its frozen time; advancing runs renewals, trial ends and
cancellations in time order, through the same code as real time; deleting a clock deletes its
customers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from app.store.database import Database
from tests.factories import clocked_subscriber, events, post, price

HOUR = 3600


def ts(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


async def test_objects_on_a_clock_live_at_its_time_and_renew_as_it_moves(client: httpx.AsyncClient) -> None:
    start = ts(2024, 1, 31)
    clock, customer, sub = await clocked_subscriber(client, start)
    assert (customer["created"], customer["test_clock"]) == (start, clock["id"])
    assert (sub["created"], sub["test_clock"], sub["billing_cycle_anchor"]) == (start, clock["id"], start)
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert invoice["test_clock"] == clock["id"] and invoice["created"] == start
    advanced = await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2024, 5, 1))
    assert (advanced["status"], advanced["frozen_time"]) == ("ready", ts(2024, 5, 1))
    renewed = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    item = renewed["items"]["data"][0]
    # Anchored on the 31st: Feb 29 (leap year), Mar 31, Apr 30; the clock stands on May 1.
    assert (item["current_period_start"], item["current_period_end"]) == (ts(2024, 4, 30), ts(2024, 5, 31))
    invoices = (await client.get("/v1/invoices", params={"subscription": sub["id"], "limit": 10})).json()["data"]
    assert sorted(i["created"] for i in invoices) == [start, ts(2024, 2, 29), ts(2024, 3, 31), ts(2024, 4, 30)]
    assert all(i["status"] == "paid" for i in invoices)
    kinds = [e["type"] for e in await events(client, "test_helpers.test_clock.ready")]
    assert kinds == ["test_helpers.test_clock.ready"]
    back = await client.post(f"/v1/test_helpers/test_clocks/{clock['id']}/advance", data={"frozen_time": start})
    assert back.status_code == 400 and back.json()["error"]["param"] == "frozen_time"


async def test_a_renewal_is_a_draft_for_an_hour_then_finalized_and_paid(client: httpx.AsyncClient) -> None:
    """Stripe's lifecycle (https://docs.stripe.com/billing/subscriptions/overview): at the period's
    end a draft (`invoice.created`, `automatically_finalizes_at` an hour on), then
    `invoice.finalized` and `invoice.paid` when the hour has passed."""
    start = ts(2026, 3, 1)
    clock, _customer, sub = await clocked_subscriber(client, start)
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 4, 1))
    renewed = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    draft = (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()
    assert (draft["status"], draft["automatically_finalizes_at"], draft["auto_advance"]) == (
        "draft",
        ts(2026, 4, 1) + HOUR,
        True,
    )
    assert renewed["status"] == "active"
    # The merchant may add to it in that hour.
    await post(client, "/v1/invoiceitems", customer=draft["customer"], invoice=draft["id"], amount=250)
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 4, 1) + HOUR)
    paid = (await client.get(f"/v1/invoices/{draft['id']}")).json()
    assert (paid["status"], paid["amount_paid"], paid["automatically_finalizes_at"]) == ("paid", 1250, None)
    for kind in ("invoice.created", "invoice.finalized", "invoice.paid"):
        assert draft["id"] in [e["data"]["object"]["id"] for e in await events(client, kind)], kind


async def test_a_manual_invoice_with_auto_advance_finalizes_on_its_own(client: httpx.AsyncClient) -> None:
    start = ts(2026, 3, 1)
    clock, customer, _sub = await clocked_subscriber(client, start)
    inv = await post(client, "/v1/invoices", customer=customer["id"], currency="usd", auto_advance="true")
    assert (inv["auto_advance"], inv["automatically_finalizes_at"]) == (True, start + HOUR)
    chosen = await post(
        client, "/v1/invoices", customer=customer["id"], currency="usd", automatically_finalizes_at=start + 5 * HOUR
    )
    await post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 700})
    await post(client, f"/v1/invoices/{chosen['id']}/add_lines", **{"lines[0][amount]": 300})
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=start + 2 * HOUR)
    assert (await client.get(f"/v1/invoices/{inv['id']}")).json()["status"] == "paid"
    assert (await client.get(f"/v1/invoices/{chosen['id']}")).json()["status"] == "draft"
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=start + 6 * HOUR)
    assert (await client.get(f"/v1/invoices/{chosen['id']}")).json()["status"] == "paid"
    past = await client.post(
        "/v1/invoices", data={"customer": customer["id"], "automatically_finalizes_at": start + 6 * HOUR - 1}
    )
    assert past.status_code == 400 and past.json()["error"]["param"] == "automatically_finalizes_at"


async def test_trials_end_with_a_warning_and_cancel_at_takes_effect(client: httpx.AsyncClient) -> None:
    start = ts(2026, 1, 1)
    clock, _customer, sub = await clocked_subscriber(client, start, trial_period_days=14, cancel_at=ts(2026, 3, 10))
    assert sub["status"] == "trialing"
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 1, 13))
    warned = await events(client, "customer.subscription.trial_will_end")
    assert [e["created"] for e in warned] == [start + 11 * 86400]
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 4, 1))
    ended = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert (ended["status"], ended["ended_at"]) == ("canceled", ts(2026, 3, 10))
    assert len(await events(client, "customer.subscription.trial_will_end")) == 1


async def test_one_big_step_equals_many_small_ones(client: httpx.AsyncClient) -> None:
    start = ts(2025, 3, 31)
    big, _, big_sub = await clocked_subscriber(client, start)
    small, _, small_sub = await clocked_subscriber(client, start)
    await post(client, f"/v1/test_helpers/test_clocks/{big['id']}/advance", frozen_time=ts(2026, 1, 5))
    for month in range(4, 13):
        await post(client, f"/v1/test_helpers/test_clocks/{small['id']}/advance", frozen_time=ts(2025, month, 15))
    await post(client, f"/v1/test_helpers/test_clocks/{small['id']}/advance", frozen_time=ts(2026, 1, 5))

    async def history(sub_id: str) -> list[tuple[int, int]]:
        data = (await client.get("/v1/invoices", params={"subscription": sub_id, "limit": 100})).json()["data"]
        return sorted((i["created"], i["amount_paid"]) for i in data)

    assert await history(big_sub["id"]) == await history(small_sub["id"])
    assert len(await history(big_sub["id"])) == 10


async def test_deleting_a_clock_deletes_its_customers(client: httpx.AsyncClient) -> None:
    clock, customer, sub = await clocked_subscriber(client, ts(2026, 1, 1))
    listed = (await client.get("/v1/test_helpers/test_clocks")).json()["data"]
    assert [c["id"] for c in listed] == [clock["id"]]
    r = await client.delete(f"/v1/test_helpers/test_clocks/{clock['id']}")
    assert r.json() == {"id": clock["id"], "object": "test_helpers.test_clock", "deleted": True}
    assert (await client.get(f"/v1/customers/{customer['id']}")).json()["deleted"] is True
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "canceled"
    assert (await client.get(f"/v1/test_helpers/test_clocks/{clock['id']}")).status_code == 404


async def test_test_clocks_are_test_mode_only(live_client: httpx.AsyncClient) -> None:
    r = await live_client.post("/v1/test_helpers/test_clocks", data={"frozen_time": ts(2026, 1, 1)})
    assert r.status_code == 400


async def _failing_subscriber(client: httpx.AsyncClient, start: int) -> tuple[dict[str, Any], dict[str, Any]]:
    clock, customer, sub = await clocked_subscriber(client, start)
    card = await post(
        client,
        "/v1/payment_methods",
        type="card",
        **{"card[number]": "4000000000000341", "card[exp_month]": 12, "card[exp_year]": 2040},
    )
    await post(client, f"/v1/payment_methods/{card['id']}/attach", customer=customer["id"])
    await post(client, f"/v1/subscriptions/{sub['id']}", default_payment_method=card["id"])
    return clock, sub


async def test_a_failed_renewal_is_retried_then_the_subscription_is_canceled(client: httpx.AsyncClient) -> None:
    """Stripe's default revenue recovery: 8 tries within 2 weeks, then cancel."""
    start = ts(2026, 1, 1)
    clock, sub = await _failing_subscriber(client, start)
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 2, 2))
    past_due = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert past_due["status"] == "past_due"
    invoice = (await client.get(f"/v1/invoices/{past_due['latest_invoice']}")).json()
    # The renewal was finalized and first charged an hour after the period ended (Feb 1, 01:00).
    assert invoice["status"] == "open" and invoice["next_payment_attempt"] == ts(2026, 2, 3) + HOUR
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 2, 20))
    ended = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert (ended["status"], ended["ended_at"], ended["cancellation_details"]["reason"]) == (
        "canceled",
        ts(2026, 2, 15) + HOUR,
        "payment_failed",
    )
    failures = [e for e in await events(client, "invoice.payment_failed") if e["data"]["object"]["id"] == invoice["id"]]
    assert len(failures) == 8
    assert (await client.get(f"/v1/invoices/{invoice['id']}")).json()["attempt_count"] == 8


async def test_after_retries_the_account_can_mark_unpaid(client: httpx.AsyncClient) -> None:
    account = await post(
        client,
        "/v1/account",
        **{"settings[revenue_recovery][after_retries]": "unpaid", "settings[revenue_recovery][attempts]": 2},
    )
    assert account["settings"]["revenue_recovery"] == {"after_retries": "unpaid", "attempts": 2, "window_days": 14}
    clock, sub = await _failing_subscriber(client, ts(2026, 1, 1))
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 2, 20))
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "unpaid"


async def test_incomplete_expires_after_23_hours_and_sent_invoices_go_overdue(client: httpx.AsyncClient) -> None:
    start = ts(2026, 5, 1)
    clock, customer, sub = await clocked_subscriber(client, start, payment_behavior="default_incomplete")
    assert sub["status"] == "incomplete"
    sent = await post(
        client,
        "/v1/invoices",
        customer=customer["id"],
        currency="usd",
        collection_method="send_invoice",
        days_until_due=7,
    )
    await post(client, f"/v1/invoices/{sent['id']}/add_lines", **{"lines[0][amount]": 900})
    await post(client, f"/v1/invoices/{sent['id']}/finalize")
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=start + 22 * 3600)
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "incomplete"
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 5, 10))
    expired = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert (expired["status"], expired["ended_at"]) == ("incomplete_expired", start + 23 * 3600)
    assert (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()["status"] == "void"
    overdue = await events(client, "invoice.overdue")
    assert [(e["data"]["object"]["id"], e["created"]) for e in overdue] == [(sent["id"], start + 7 * 86400)]


async def test_paused_collection_resumes_at_resumes_at(client: httpx.AsyncClient) -> None:
    """pause_collection[resumes_at] mid-period: collection resumes then, not at the next renewal."""
    start = ts(2026, 3, 1)
    clock, _customer, sub = await clocked_subscriber(client, start)
    resumes = ts(2026, 3, 10)
    await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"pause_collection[behavior]": "keep_as_draft", "pause_collection[resumes_at]": resumes},
    )
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 3, 9))
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["pause_collection"] is not None
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 3, 11))
    resumed = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert resumed["pause_collection"] is None and resumed["status"] == "active"


async def test_a_subscription_canceled_before_its_renewal_finalizes_stays_canceled(client: httpx.AsyncClient) -> None:
    start = ts(2026, 3, 1)
    clock, _customer, sub = await clocked_subscriber(client, start)
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 4, 1))
    draft = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["latest_invoice"]
    await client.delete(f"/v1/subscriptions/{sub['id']}")
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 4, 1) + 2 * HOUR)
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "canceled"
    assert (await client.get(f"/v1/invoices/{draft}")).json()["status"] == "paid"


async def test_an_advance_costs_what_its_customers_do_not_their_square(client: httpx.AsyncClient, db: Database) -> None:
    """No cap on customers per clock: each step finds what is due in a fixed number of queries,
    so an advance's statements grow with the customers, not with their square."""
    from sqlalchemy import event

    async def statements(customers: int) -> int:
        clock = await post(client, "/v1/test_helpers/test_clocks", frozen_time=ts(2026, 3, 1))
        plan = await price(client, amount=1000)
        for _ in range(customers):
            cust = await post(
                client,
                "/v1/customers",
                test_clock=clock["id"],
                payment_method="pm_card_visa",
                **{"invoice_settings[default_payment_method]": "pm_card_visa"},
            )
            await post(client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": plan["id"]})
        count = 0

        def counted(*_: Any) -> None:
            nonlocal count
            count += 1

        event.listen(db.writer.sync_engine, "before_cursor_execute", counted)
        try:
            await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=ts(2026, 5, 2))
        finally:
            event.remove(db.writer.sync_engine, "before_cursor_execute", counted)
        return count

    few, many = await statements(2), await statements(12)
    assert many < few * 6 * 1.5, (few, many)  # linear: 6x the customers, about 6x the statements

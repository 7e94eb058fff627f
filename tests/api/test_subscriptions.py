"""Subscriptions: create, update, cancel, pause collection (R15, R16), events (R18), and every
state the portal's limitations (R4) name, reached through the API.
"""

from __future__ import annotations

import csv
import io

import httpx

from app.clock import FixedClock
from app.services.subscription_export import COLUMNS
from tests import factories as f


async def test_create_with_card_is_active_with_a_paid_invoice(client: httpx.AsyncClient) -> None:
    sub = await f.subscription(client)
    item = sub["items"]["data"][0]
    assert sub["status"] == "active" and item["quantity"] == 1
    assert item["current_period_end"] - item["current_period_start"] == 30 * 86400  # Nov 26 -> Dec 26
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert (invoice["status"], invoice["total"], invoice["billing_reason"]) == ("paid", 1000, "subscription_create")
    assert invoice["parent"]["subscription_details"]["subscription"] == sub["id"]


async def test_create_validations(client: httpx.AsyncClient) -> None:
    cus = await f.customer(client, card=False)
    price = await f.price(client)
    one_time = await f.price(client, interval="")
    r = await client.post("/v1/subscriptions", data={"customer": cus["id"], "items[0][price]": one_time["id"]})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "items[0][price]")
    r = await client.post("/v1/subscriptions", data={"customer": "cus_nope", "items[0][price]": price["id"]})
    assert (r.status_code, r.json()["error"]["param"]) == (404, "customer")
    r = await client.post("/v1/subscriptions", data={"customer": cus["id"]})
    assert r.json()["error"]["code"] == "parameter_missing"
    r = await client.post(
        "/v1/subscriptions",
        data={"customer": cus["id"], "items[0][price]": price["id"], "collection_method": "send_invoice"},
    )
    assert r.json()["error"]["param"] == "days_until_due"


async def test_r4_every_limiting_state_is_reachable_through_the_api(client: httpx.AsyncClient) -> None:
    """R4 names these states; each can be produced in test mode through the API."""
    product = (await f.post(client, "/v1/products", name="Plan"))["id"]
    licensed = await f.price(client, product=product)
    yearly = await f.price(client, product=product, amount=9000, interval="month", nickname="second")
    metered = await f.price(client, product=product, **{"recurring[usage_type]": "metered"})
    tiered = await f.price(
        client,
        product=product,
        billing_scheme="tiered",
        tiers_mode="graduated",
        **{
            "tiers[0][up_to]": "5",
            "tiers[0][unit_amount]": "100",
            "tiers[1][up_to]": "inf",
            "tiers[1][unit_amount]": "50",
        },
    )
    multi = await f.post(
        client,
        "/v1/subscriptions",
        customer=(await f.customer(client))["id"],
        **{"items[0][price]": licensed["id"], "items[1][price]": yearly["id"]},
    )
    assert len(multi["items"]["data"]) == 2
    assert (await f.subscription(client, price_id=metered["id"]))["items"]["data"][0]["price"]["recurring"][
        "usage_type"
    ] == "metered"
    tiered_sub = await f.subscription(client, price_id=tiered["id"], **{"items[0][quantity]": 7})
    invoice = (await client.get(f"/v1/invoices/{tiered_sub['latest_invoice']}")).json()
    assert invoice["total"] == 5 * 100 + 2 * 50
    send = await f.subscription(client, collection_method="send_invoice", days_until_due=14)
    assert (send["collection_method"], send["status"]) == ("send_invoice", "active")

    ideal_customer = await f.customer(client, card=False)
    ideal = await f.post(client, "/v1/payment_methods", type="ideal")
    await f.post(client, f"/v1/payment_methods/{ideal['id']}/attach", customer=ideal_customer["id"])
    unsupported = await f.subscription(
        client,
        customer_id=ideal_customer["id"],
        default_payment_method=ideal["id"],
        collection_method="send_invoice",
        days_until_due=7,
    )
    assert unsupported["default_payment_method"] == ideal["id"]

    scheduled = await f.subscription(client)
    schedule = await f.post(client, "/v1/subscription_schedules", from_subscription=scheduled["id"])
    assert (await client.get(f"/v1/subscriptions/{scheduled['id']}")).json()["schedule"] == schedule["id"]

    incomplete = await f.subscription(client, payment_behavior="default_incomplete")
    assert incomplete["status"] == "incomplete"
    expired = await f.subscription(client, payment_behavior="default_incomplete")
    expired = await f.post(
        client, f"/v1/test_helpers/subscriptions/{expired['id']}/status", status="incomplete_expired"
    )
    assert expired["status"] == "incomplete_expired"
    unpaid = await f.post(
        client, f"/v1/test_helpers/subscriptions/{(await f.subscription(client))['id']}/status", status="unpaid"
    )
    assert unpaid["status"] == "unpaid"
    canceled = (await client.delete(f"/v1/subscriptions/{(await f.subscription(client))['id']}")).json()
    assert canceled["status"] == "canceled"
    paused = await f.post(
        client,
        f"/v1/subscriptions/{(await f.subscription(client))['id']}",
        **{"pause_collection[behavior]": "keep_as_draft"},
    )
    assert paused["pause_collection"]["behavior"] == "keep_as_draft"


async def test_r15_pausing_collection_keeps_the_status_and_r18_emits_one_update(client: httpx.AsyncClient) -> None:
    """R15: pause_collection with a behavior and resumes_at; status stays active. R18: one event per change."""
    sub = await f.subscription(client)
    resumes = sub["created"] + 10 * 86400
    paused = await f.post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"pause_collection[behavior]": "mark_uncollectible", "pause_collection[resumes_at]": resumes},
    )
    assert paused["status"] == "active"
    assert paused["pause_collection"] == {"behavior": "mark_uncollectible", "resumes_at": resumes}
    updates = await f.events(client, "customer.subscription.updated")
    assert len(updates) == 1
    assert updates[0]["data"]["object"]["pause_collection"]["behavior"] == "mark_uncollectible"
    assert updates[0]["data"]["previous_attributes"] == {"pause_collection": None}
    resumed = await f.post(client, f"/v1/subscriptions/{sub['id']}", pause_collection="")
    assert resumed["pause_collection"] is None
    assert len(await f.events(client, "customer.subscription.updated")) == 2
    # There is no way to set status=paused through the parameters.
    r = await client.post(f"/v1/subscriptions/{sub['id']}", data={"status": "paused"})
    assert r.json()["error"]["code"] == "parameter_unknown"
    bad = await client.post(
        f"/v1/subscriptions/{sub['id']}",
        data={"pause_collection[behavior]": "void", "pause_collection[resumes_at]": str(sub["created"] - 1)},
    )
    assert bad.json()["error"]["param"] == "pause_collection[resumes_at]"
    bad = await client.post(f"/v1/subscriptions/{sub['id']}", data={"pause_collection[behavior]": "sleep"})
    assert bad.json()["error"]["param"] == "pause_collection[behavior]"


async def test_r15_paused_collection_shapes_the_next_invoices(client: httpx.AsyncClient) -> None:
    """R15: keep_as_draft, mark_uncollectible and void each treat the period's invoice their way."""
    for behavior, status in (("keep_as_draft", "draft"), ("mark_uncollectible", "uncollectible"), ("void", "void")):
        sub = await f.subscription(client)
        await f.post(client, f"/v1/subscriptions/{sub['id']}", **{"pause_collection[behavior]": behavior})
        advanced = await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
        assert advanced["status"] == "active"
        invoice = (await client.get(f"/v1/invoices/{advanced['latest_invoice']}")).json()
        assert invoice["status"] == status, behavior


async def test_r16_paused_subscriptions_can_be_found_and_exported(client: httpx.AsyncClient) -> None:
    """R16: list filter `collection_paused` (with the other filters and pagination) and the CSV export."""
    subs = [await f.subscription(client) for _ in range(4)]
    for sub in subs[:3]:
        await f.post(client, f"/v1/subscriptions/{sub['id']}", **{"pause_collection[behavior]": "void"})
    page = (await client.get("/v1/subscriptions", params={"collection_paused": "true", "limit": 2})).json()
    assert page["has_more"] is True and len(page["data"]) == 2
    rest = (
        await client.get(
            "/v1/subscriptions", params={"collection_paused": "true", "starting_after": page["data"][-1]["id"]}
        )
    ).json()
    assert {s["id"] for s in page["data"] + rest["data"]} == {s["id"] for s in subs[:3]}
    unpaused = (await client.get("/v1/subscriptions", params={"collection_paused": "false"})).json()["data"]
    assert [s["id"] for s in unpaused] == [subs[3]["id"]]
    by_customer = (
        await client.get("/v1/subscriptions", params={"collection_paused": "true", "customer": subs[0]["customer"]})
    ).json()["data"]
    assert [s["id"] for s in by_customer] == [subs[0]["id"]]

    r = await client.get("/v1/subscriptions/export.csv", params={"collection_paused": "true"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["id"] for row in rows} == {s["id"] for s in subs[:3]}
    assert all(row["collection_paused"] == "true" and row["pause_behavior"] == "void" for row in rows)
    assert rows[0]["customer_email"] == "c@example.com"
    # Found by schemathesis: the email filter's subquery lost its FROM inside the export's join.
    r = await client.get("/v1/subscriptions/export.csv", params={"customer_email": "C@example.com"})
    assert r.status_code == 200 and len(list(csv.DictReader(io.StringIO(r.text)))) == 4
    r = await client.get("/v1/subscriptions/export.csv", params={"customer_email": "nobody@example.com"})
    assert r.text.strip().splitlines() == [",".join(COLUMNS)]


async def test_export_streams_many_rows_in_batches(client: httpx.AsyncClient) -> None:
    """The export is produced in keyset batches (not one big query); every row arrives exactly once."""
    price = await f.price(client)
    cus = await f.customer(client)
    ids = {(await f.subscription(client, customer_id=cus["id"], price_id=price["id"]))["id"] for _ in range(25)}
    chunks = []
    async with client.stream("GET", "/v1/subscriptions/export.csv") as r:
        async for chunk in r.aiter_text():
            chunks.append(chunk)
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert [row["id"] for row in rows if row["id"] in ids] and {row["id"] for row in rows} == ids
    assert len(rows) == len(ids)


async def test_r18_every_change_emits_exactly_one_updated_event(client: httpx.AsyncClient) -> None:
    """R18: each update of a subscription, whatever it changes, emits one customer.subscription.updated."""
    sub = await f.subscription(client)
    other = await f.price(client, amount=2000)
    item = sub["items"]["data"][0]["id"]
    changes = [
        {"cancel_at_period_end": "true"},
        {"cancel_at_period_end": "false"},
        {"metadata[tier]": "gold"},
        {"items[0][id]": item, "items[0][price]": other["id"]},
        {"items[0][id]": item, "items[0][quantity]": "3"},
        {"cancellation_details[comment]": "maybe later"},
    ]
    for n, change in enumerate(changes, start=1):
        await f.post(client, f"/v1/subscriptions/{sub['id']}", **change)
        assert len(await f.events(client, "customer.subscription.updated")) == n, change
    final = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert final["items"]["data"][0]["price"]["id"] == other["id"] and final["items"]["data"][0]["quantity"] == 3
    await client.delete(f"/v1/subscriptions/{sub['id']}")
    assert len(await f.events(client, "customer.subscription.deleted")) == 1


async def test_list_status_filters(client: httpx.AsyncClient) -> None:
    live = await f.subscription(client)
    gone = await f.subscription(client)
    await client.delete(f"/v1/subscriptions/{gone['id']}")
    default = [s["id"] for s in (await client.get("/v1/subscriptions")).json()["data"]]
    everything = [s["id"] for s in (await client.get("/v1/subscriptions", params={"status": "all"})).json()["data"]]
    ended = [s["id"] for s in (await client.get("/v1/subscriptions", params={"status": "ended"})).json()["data"]]
    assert (default, set(everything), ended) == ([live["id"]], {live["id"], gone["id"]}, [gone["id"]])
    by_price = (await client.get("/v1/subscriptions", params={"price": live["items"]["data"][0]["price"]["id"]})).json()
    assert [s["id"] for s in by_price["data"]] == [live["id"]]


async def test_trial_then_advance_charges_and_period_rolls(client: httpx.AsyncClient, clock: FixedClock) -> None:
    sub = await f.subscription(client, trial_period_days=14)
    assert sub["status"] == "trialing" and sub["trial_end"] == sub["created"] + 14 * 86400
    advanced = await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert advanced["status"] == "active"
    assert advanced["items"]["data"][0]["current_period_start"] == sub["trial_end"]
    invoice = (await client.get(f"/v1/invoices/{advanced['latest_invoice']}")).json()
    assert (invoice["status"], invoice["billing_reason"]) == ("paid", "subscription_cycle")


async def test_trial_without_payment_method_can_end_paused_and_resume(client: httpx.AsyncClient) -> None:
    cus = await f.customer(client, card=False)
    sub = await f.subscription(
        client,
        customer_id=cus["id"],
        trial_period_days=7,
        **{"trial_settings[end_behavior][missing_payment_method]": "pause"},
    )
    paused = await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert paused["status"] == "paused"
    await f.post(client, "/v1/payment_methods/pm_card_visa/attach", customer=cus["id"])
    pm = (await client.get(f"/v1/customers/{cus['id']}/payment_methods")).json()["data"][0]["id"]
    await f.post(client, f"/v1/customers/{cus['id']}", **{"invoice_settings[default_payment_method]": pm})
    resumed = await f.post(client, f"/v1/subscriptions/{sub['id']}/resume")
    assert resumed["status"] == "active"
    r = await client.post(f"/v1/subscriptions/{sub['id']}/resume")
    assert r.json()["error"]["code"] == "subscription_not_paused"


async def test_cancel_at_period_end_ends_on_advance_and_canceled_is_read_only(client: httpx.AsyncClient) -> None:
    sub = await f.subscription(client)
    marked = await f.post(client, f"/v1/subscriptions/{sub['id']}", cancel_at_period_end="true")
    assert marked["cancel_at"] == sub["items"]["data"][0]["current_period_end"]
    ended = await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert ended["status"] == "canceled" and ended["cancellation_details"]["reason"] == "cancellation_requested"
    r = await client.post(f"/v1/subscriptions/{sub['id']}", data={"cancel_at_period_end": "false"})
    assert r.status_code == 400
    ok = await f.post(client, f"/v1/subscriptions/{sub['id']}", **{"metadata[note]": "archived"})
    assert ok["metadata"] == {"note": "archived"}


async def test_declined_card_makes_the_first_invoice_fail(client: httpx.AsyncClient) -> None:
    cus = await f.post(
        client,
        "/v1/customers",
        email="d@example.com",
        payment_method="pm_card_chargeCustomerFail",
        **{"invoice_settings[default_payment_method]": "pm_card_chargeCustomerFail"},
    )
    price = await f.price(client)
    incomplete = await f.subscription(client, customer_id=cus["id"], price_id=price["id"])
    assert incomplete["status"] == "incomplete"
    r = await client.post(
        "/v1/subscriptions",
        data={"customer": cus["id"], "items[0][price]": price["id"], "payment_behavior": "error_if_incomplete"},
    )
    assert (r.status_code, r.json()["error"]["type"]) == (402, "card_error")


async def test_schedule_release(client: httpx.AsyncClient) -> None:
    sub = await f.subscription(client)
    schedule = await f.post(client, "/v1/subscription_schedules", from_subscription=sub["id"])
    again = await client.post("/v1/subscription_schedules", data={"from_subscription": sub["id"]})
    assert again.json()["error"]["code"] == "resource_already_exists"
    r = await client.post(f"/v1/subscriptions/{sub['id']}", data={"cancel_at_period_end": "true"})
    assert r.status_code == 400
    released = await f.post(client, f"/v1/subscription_schedules/{schedule['id']}/release")
    assert (released["status"], released["released_subscription"]) == ("released", sub["id"])
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["schedule"] is None


async def test_test_helpers_are_refused_in_live_mode(live_client: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    live_cus = await f.post(live_client, "/v1/customers", email="l@example.com")
    price = await f.price(live_client)
    sub = await f.post(
        live_client,
        "/v1/subscriptions",
        customer=live_cus["id"],
        collection_method="send_invoice",
        days_until_due=7,
        **{"items[0][price]": price["id"]},
    )
    for path, data in (("status", {"status": "past_due"}), ("advance", {})):
        r = await live_client.post(f"/v1/test_helpers/subscriptions/{sub['id']}/{path}", data=data)
        assert r.status_code == 400 and "test mode" in r.json()["error"]["message"]
    assert (await live_client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "active"


async def test_r9_a_subscription_cannot_become_active_without_a_method_to_charge(client: httpx.AsyncClient) -> None:
    """R9: found by the state machine: incomplete (no payment method) must not jump to active."""
    cus = await f.customer(client, card=False)
    sub = await f.subscription(client, customer_id=cus["id"])
    assert sub["status"] == "incomplete"
    r = await client.post(f"/v1/test_helpers/subscriptions/{sub['id']}/status", data={"status": "active"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "payment_method_required")
    await f.post(client, "/v1/payment_methods/pm_card_visa/attach", customer=cus["id"])
    pm = (await client.get(f"/v1/customers/{cus['id']}/payment_methods")).json()["data"][0]["id"]
    await f.post(client, f"/v1/customers/{cus['id']}", **{"invoice_settings[default_payment_method]": pm})
    assert (await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/status", status="active"))[
        "status"
    ] == "active"

"""The races of the integrity issue, one trial each: set up a fresh account, fire N concurrent
requests at one object, and return the invariants that broke (an empty list is a clean trial).

Every trial runs against the real app and database through ASGI, so on PostgreSQL the
requests hold separate connections and interleave at every round trip; on SQLite they meet at
the single writer. Used by the short pass in `make test` (tests/races/test_races.py) and by
`make races` (tests/races/run.py), which runs hundreds of trials per race and database.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx

from app.clock import Clock
from app.scope import Scope
from app.services import accounts as account_service
from app.services import dashboard_users
from app.store.database import Database
from tests import factories as f
from tests.portal import shop as s

N = 10  # concurrent requests per trial
_addresses = count(1)


@dataclass
class Env:
    app: Any
    db: Database
    clock: Clock

    def client(self, key: str | None = None, *, address: str = "127.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 50000), raise_app_exceptions=False)
        return httpx.AsyncClient(
            transport=transport, base_url="http://portal.test", auth=(key, "") if key else None, timeout=60
        )


@asynccontextmanager
async def merchant(env: Env) -> AsyncIterator[tuple[httpx.AsyncClient, Scope]]:
    """A fresh account's test-mode client (trials never see each other's data)."""
    async with env.db.transaction() as uow:
        new = await account_service.create(uow, env.clock, name="race", billing=True)
    async with env.client(new.test_key) as client:
        yield client, Scope(new.account.id, False)


async def events_of(client: httpx.AsyncClient, object_id: str) -> list[dict[str, Any]]:
    """The account's events about one object, oldest first (the order they were committed in)."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = (await client.get("/v1/events", params=params)).json()
        found += [e for e in page["data"] if e["data"]["object"].get("id") == object_id]
        if not page["has_more"]:
            return list(reversed(found))
        params["starting_after"] = page["data"][-1]["id"]


def kinds(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(e["type"] for e in events)


async def portal_visit(env: Env, client: httpx.AsyncClient, customer: str) -> tuple[httpx.AsyncClient, str]:
    """A customer's browser signed in to the portal, and its CSRF token."""
    session = await s.session(client, customer)
    browser = env.client()
    r = await browser.get(s.path(session["url"]))
    assert r.status_code == 303, r.text
    overview = (await browser.get("/p/api/overview")).json()
    return browser, str(overview["csrf_token"])


async def gather(*calls: Awaitable[httpx.Response]) -> list[httpx.Response]:
    return list(await asyncio.gather(*calls))


def no_server_errors(responses: list[httpx.Response]) -> list[str]:
    return [
        f"{r.status_code} from {r.request.method} {r.request.url.path}: {r.text[:200]}"
        for r in responses
        if r.status_code >= 500
    ]


# --- the races -----------------------------------------------------------------------------


async def pay_and_void(env: Env) -> list[str]:
    """Five pays and one void of one open invoice: one wins, one event, never both."""
    async with merchant(env) as (client, _):
        customer = await f.customer(client)
        invoice = await f.post(client, "/v1/invoices", customer=customer["id"])
        await f.post(client, f"/v1/invoices/{invoice['id']}/add_lines", **{"lines[0][amount]": 1500})
        await f.post(client, f"/v1/invoices/{invoice['id']}/finalize")
        calls = [client.post(f"/v1/invoices/{invoice['id']}/pay") for _ in range(5)]
        calls.append(client.post(f"/v1/invoices/{invoice['id']}/void"))
        responses = await gather(*calls)
        problems = no_server_errors(responses)
        winners = [r for r in responses if r.status_code == 200]
        seen = kinds(await events_of(client, invoice["id"]))
        if len(winners) != 1:
            problems.append(f"{len(winners)} of 6 exclusive transitions won")
        if seen["invoice.paid"] + seen["invoice.voided"] != 1:
            problems.append(f"events: {seen['invoice.paid']} paid, {seen['invoice.voided']} voided")
        final = (await client.get(f"/v1/invoices/{invoice['id']}")).json()
        if winners and final["status"] != winners[0].json()["status"]:
            problems.append(f"the winner said {winners[0].json()['status']}, the invoice is {final['status']}")
        return problems


async def invoice_numbers(env: Env) -> list[str]:
    """Drafts of one customer finalized at once get distinct numbers."""
    async with merchant(env) as (client, _):
        customer = await f.customer(client)
        drafts = []
        for _ in range(N):
            draft = await f.post(client, "/v1/invoices", customer=customer["id"])
            await f.post(client, f"/v1/invoices/{draft['id']}/add_lines", **{"lines[0][amount]": 100})
            drafts.append(draft["id"])
        responses = await gather(*(client.post(f"/v1/invoices/{d}/finalize") for d in drafts))
        problems = no_server_errors(responses)
        numbers = [r.json()["number"] for r in responses if r.status_code == 200]
        if len(numbers) != N:
            problems.append(
                f"{N - len(numbers)} finalizations failed: {[r.text[:120] for r in responses if r.status_code != 200]}"
            )
        if len(set(numbers)) != len(numbers):
            problems.append(f"duplicate numbers: {sorted(numbers)}")
        return problems


async def metadata_merges(env: Env) -> list[str]:
    """Concurrent partial updates each setting their own metadata key: none is lost, one event each."""
    async with merchant(env) as (client, _):
        customer = await f.customer(client)
        sub = await f.subscription(client, customer_id=customer["id"])
        responses = await gather(
            *(client.post(f"/v1/customers/{customer['id']}", data={f"metadata[k{i}]": str(i)}) for i in range(N)),
            *(client.post(f"/v1/subscriptions/{sub['id']}", data={f"metadata[s{i}]": str(i)}) for i in range(N)),
        )
        problems = no_server_errors(responses)
        kept = (await client.get(f"/v1/customers/{customer['id']}")).json()["metadata"]
        kept_sub = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["metadata"]
        if len(kept) != N:
            problems.append(f"customer keeps {len(kept)} of {N} metadata keys")
        if len(kept_sub) != N:
            problems.append(f"subscription keeps {len(kept_sub)} of {N} metadata keys")
        if (n := kinds(await events_of(client, customer["id"]))["customer.updated"]) != N:
            problems.append(f"{n} customer.updated events for {N} changes")
        if (n := kinds(await events_of(client, sub["id"]))["customer.subscription.updated"]) != N:
            problems.append(f"{n} customer.subscription.updated events for {N} changes")
        return problems


async def portal_cancels(env: Env) -> list[str]:
    """N portal cancels (at period end) of one subscription: one succeeds, one event."""
    async with merchant(env) as (client, _):
        shop = await s.shop(client)
        before = kinds(await events_of(client, shop.subscription["id"]))["customer.subscription.updated"]
        browser, csrf = await portal_visit(env, client, shop.customer["id"])
        async with aclosing(browser):
            responses = await gather(
                *(
                    browser.post(
                        f"/p/api/subscriptions/{shop.subscription['id']}/cancel",
                        json={},
                        headers={"X-CSRF-Token": csrf},
                    )
                    for _ in range(N)
                )
            )
        problems = no_server_errors(responses)
        if (wins := sum(r.status_code == 200 for r in responses)) != 1:
            problems.append(f"{wins} of {N} cancels succeeded")
        after = kinds(await events_of(client, shop.subscription["id"]))["customer.subscription.updated"]
        if after - before != 1:
            problems.append(f"{after - before} customer.subscription.updated events for one cancellation")
        return problems


async def cancel_and_update(env: Env) -> list[str]:
    """A portal cancel (immediately) racing quantity updates: nothing is recorded after the deletion."""
    async with merchant(env) as (client, _):
        shop = await s.shop(
            client,
            **{
                "features[subscription_cancel][mode]": "immediately",
                "features[subscription_update][products][0][adjustable_quantity][enabled]": "true",
                "features[subscription_update][products][0][adjustable_quantity][maximum]": "99",
            },
        )
        sub_id = shop.subscription["id"]
        browser, csrf = await portal_visit(env, client, shop.customer["id"])
        headers = {"X-CSRF-Token": csrf}
        async with aclosing(browser):
            calls = [browser.post(f"/p/api/subscriptions/{sub_id}/cancel", json={}, headers=headers)]
            calls += [
                browser.post(f"/p/api/subscriptions/{sub_id}/update", json={"quantity": q}, headers=headers)
                for q in range(2, N + 1)
            ]
            responses = await gather(*calls)
        problems = no_server_errors(responses)
        events = await events_of(client, sub_id)
        types = [e["type"] for e in events]
        if types.count("customer.subscription.deleted") != 1:
            problems.append(f"{types.count('customer.subscription.deleted')} deletion events")
        elif types[-1] != "customer.subscription.deleted":
            problems.append(f"events after the deletion: {types[types.index('customer.subscription.deleted') + 1 :]}")
        updated_ok = sum(r.status_code == 200 for r in responses[1:])
        if types.count("customer.subscription.updated") != updated_ok:
            problems.append(f"{types.count('customer.subscription.updated')} updated events for {updated_ok} updates")
        return problems


async def _r9_state(client: httpx.AsyncClient, customer_id: str) -> list[str]:
    customer = (await client.get(f"/v1/customers/{customer_id}")).json()
    methods = {m["id"] for m in (await client.get(f"/v1/customers/{customer_id}/payment_methods")).json()["data"]}
    subs = (await client.get("/v1/subscriptions", params={"customer": customer_id, "status": "all"})).json()["data"]
    problems = []
    default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    if default is not None and default not in methods:
        problems.append(f"R9: the customer's default {default} is not attached")
    for sub in subs:
        if sub["status"] in ("active", "trialing", "past_due") and not methods:
            problems.append(f"R9: {sub['status']} subscription {sub['id']} with no payment method attached")
        if sub["default_payment_method"] is not None and sub["default_payment_method"] not in methods:
            problems.append(f"R9: subscription default {sub['default_payment_method']} is not attached")
    return problems


async def detach_and_subscribe(env: Env) -> list[str]:
    """R9: detaching a customer's only card while subscriptions are created for them."""
    async with merchant(env) as (client, _):
        customer = await f.customer(client)
        price = await f.price(client)
        card = (await client.get(f"/v1/customers/{customer['id']}/payment_methods")).json()["data"][0]["id"]
        responses = await gather(
            client.post(f"/v1/payment_methods/{card}/detach"),
            *(
                client.post("/v1/subscriptions", data={"customer": customer["id"], "items[0][price]": price["id"]})
                for _ in range(N - 1)
            ),
        )
        return no_server_errors(responses) + await _r9_state(client, customer["id"])


async def delete_and_subscribe(env: Env) -> list[str]:
    """A customer deleted while subscriptions are created: none of theirs stays live."""
    async with merchant(env) as (client, _):
        customer = await f.customer(client)
        price = await f.price(client)
        responses = await gather(
            client.delete(f"/v1/customers/{customer['id']}"),
            *(
                client.post("/v1/subscriptions", data={"customer": customer["id"], "items[0][price]": price["id"]})
                for _ in range(N - 1)
            ),
        )
        problems = no_server_errors(responses)
        subs = (await client.get("/v1/subscriptions", params={"customer": customer["id"], "status": "all"})).json()
        live = [x["id"] for x in subs["data"] if x["status"] not in ("canceled", "incomplete_expired")]
        if live:
            problems.append(f"a deleted customer's subscriptions are still live: {live}")
        for sub in subs["data"]:
            if kinds(await events_of(client, sub["id"]))["customer.subscription.deleted"] != 1:
                problems.append(f"{sub['id']} has no single deletion event")
        return problems


async def login_mail_burst(env: Env) -> list[str]:
    """R7: a burst of login requests for one email sends at most the hourly limit of mails."""
    async with merchant(env) as (client, scope):
        shop = await s.shop(client, **{"login_page[enabled]": "true"})
        login_path = s.path(shop.configuration["login_page"]["url"])
        address = f"2001:db8::{next(_addresses):x}"
        async with env.client(address=address) as browser:
            page = await browser.get(login_path)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token, page.text
            form = {"email": "jenny@example.com", "csrf_token": token.group(1)}
            responses = await gather(*(browser.post(login_path, data=form) for _ in range(2 * N)))
        problems = no_server_errors(responses)
        async with env.db.uow(write=False) as uow:
            mails = await uow.login_requests.count_since(
                since=0, configuration_id=shop.configuration["id"], email="jenny@example.com"
            )
        limit = env.app.state.portal.settings.login_mails_per_email_per_hour
        if mails > limit:
            problems.append(f"{mails} login mails for one email in an hour (limit {limit})")
        del scope
        return problems


async def dashboard_sign_in_burst(env: Env) -> list[str]:
    """R20: 19 wrong passwords and the right one at once: at most 5 attempts get past the limit."""
    async with merchant(env) as (_client, scope):
        email = f"owner-{scope.account_id.lower()}@shop.example"
        async with env.db.transaction() as uow:
            await dashboard_users.create_user(
                uow, env.clock, account_id=scope.account_id, email=email, password="correct horse battery"
            )
        address = f"2001:db8::{next(_addresses):x}"
        async with env.client(address=address) as browser:
            page = await browser.get("/dashboard/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            passwords = ["wrong password"] * (2 * N - 1) + ["correct horse battery"]
            responses = await gather(
                *(
                    browser.post("/dashboard/login", data={"email": email, "password": p, "csrf_token": token.group(1)})
                    for p in passwords
                )
            )
        problems = no_server_errors(responses)
        async with env.db.uow(write=False) as uow:
            failures = await uow.dashboard.failures_since(0, email=email)
        if failures > dashboard_users.MAX_FAILURES_PER_USER:
            problems.append(
                f"{failures} failed sign-ins counted past the limit of {dashboard_users.MAX_FAILURES_PER_USER}"
            )
        return problems


async def last_redemption(env: Env) -> list[str]:
    """N subscriptions created at once with a promotion code that has 3 redemptions left: exactly 3
    get the discount, the rest a 400, and the counters say 3."""
    async with merchant(env) as (client, _):
        await f.post(client, "/v1/coupons", id="RACE", percent_off="10", duration="forever", max_redemptions=3)
        promo = await f.post(
            client, "/v1/promotion_codes", **{"promotion[type]": "coupon", "promotion[coupon]": "RACE"}
        )
        price = await f.price(client)
        customers = [await f.customer(client) for _ in range(N)]
        responses = await gather(
            *(
                client.post(
                    "/v1/subscriptions",
                    data={
                        "customer": c["id"],
                        "items[0][price]": price["id"],
                        "discounts[0][promotion_code]": promo["id"],
                    },
                )
                for c in customers
            )
        )
        problems = no_server_errors(responses)
        won = [r for r in responses if r.status_code == 200]
        if len(won) != 3:
            problems.append(f"{len(won)} of {N} redeemed a coupon limited to 3")
        coupon = (await client.get("/v1/coupons/RACE")).json()
        code = (await client.get(f"/v1/promotion_codes/{promo['id']}")).json()
        if (coupon["times_redeemed"], code["times_redeemed"]) != (3, 1 * len(won)):
            problems.append(f"counters: coupon {coupon['times_redeemed']}, promotion code {code['times_redeemed']}")
        return problems


async def concurrent_plan_changes(env: Env) -> list[str]:
    """N quantity changes of one subscription at once (always_invoice): each is billed exactly once,
    against the state the previous one left, so the invoices add up to the last quantity's share."""
    async with merchant(env) as (client, _):
        sub = await f.subscription(client)
        item = sub["items"]["data"][0]
        start, end = item["current_period_start"], item["current_period_end"]
        at = start + (end - start) // 2
        responses = await gather(
            *(
                client.post(
                    f"/v1/subscriptions/{sub['id']}",
                    data={
                        "items[0][id]": item["id"],
                        "items[0][quantity]": str(q),
                        "proration_behavior": "always_invoice",
                        "proration_date": str(at),
                    },
                )
                for q in range(2, 2 + N)
            )
        )
        problems = no_server_errors(responses)
        if any(r.status_code not in (200, 409) for r in responses):
            problems.append(f"unexpected answers: {[r.status_code for r in responses]}")
        invoices = (await client.get("/v1/invoices", params={"subscription": sub["id"], "limit": 100})).json()["data"]
        updates = [i for i in invoices if i["billing_reason"] == "subscription_update"]
        if len(updates) != sum(r.status_code == 200 for r in responses):
            problems.append(
                f"{len(updates)} change invoices for {sum(r.status_code == 200 for r in responses)} changes"
            )
        final = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["items"]["data"][0]["quantity"]
        billed = sum(i["total"] for i in updates)
        expected = (final - 1) * 500  # half a period of each extra seat
        if abs(billed - expected) > 2 * len(updates):
            problems.append(f"billed {billed} for going from 1 to {final} seats halfway, expected {expected}")
        return problems


async def same_promotion_code(env: Env) -> list[str]:
    """N promotion codes of one name created at once: exactly one is active, the rest refused."""
    async with merchant(env) as (client, _):
        await f.post(client, "/v1/coupons", id="SAME", percent_off="5", duration="once")
        data = {"promotion[type]": "coupon", "promotion[coupon]": "SAME", "code": "WELCOME"}
        responses = await gather(*(client.post("/v1/promotion_codes", data=data) for _ in range(N)))
        problems = no_server_errors(responses)
        won = [r for r in responses if r.status_code == 200]
        if len(won) != 1:
            problems.append(f"{len(won)} active promotion codes named WELCOME")
        if any(r.status_code not in (200, 400, 409) for r in responses):
            problems.append(f"answers: {sorted({r.status_code for r in responses})}")
        return problems


RACES: dict[str, Callable[[Env], Awaitable[list[str]]]] = {
    "same_promotion_code": same_promotion_code,
    "last_redemption": last_redemption,
    "concurrent_plan_changes": concurrent_plan_changes,
    "pay_and_void": pay_and_void,
    "invoice_numbers": invoice_numbers,
    "metadata_merges": metadata_merges,
    "portal_cancels": portal_cancels,
    "cancel_and_update": cancel_and_update,
    "detach_and_subscribe": detach_and_subscribe,
    "delete_and_subscribe": delete_and_subscribe,
    "login_mail_burst": login_mail_burst,
    "dashboard_sign_in_burst": dashboard_sign_in_burst,
}

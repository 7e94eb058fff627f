"""The official stripe-python SDK against `portal serve` as a real process: typed exceptions,
auto-pagination, retries with its own idempotency keys, and objects that parse into its types.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
import stripe

from app.objects.customers import CustomerObject
from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def sdk_key(live_server: LiveServer) -> str:
    return new_test_key(live_server, "sdk merchant")


@pytest.fixture(scope="module")
def sdk(live_server: LiveServer, sdk_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(sdk_key, base_addresses={"api": live_server.base_url}, max_network_retries=2)


def test_customer_lifecycle_parses_into_sdk_types(sdk: stripe.StripeClient) -> None:
    c = sdk.v1.customers.create({"email": "sdk@example.com", "metadata": {"k": "v"}, "preferred_locales": ["sv"]})
    assert isinstance(c, stripe.Customer) and c.id.startswith("cus_")
    CustomerObject.model_validate(c.to_dict())
    u = sdk.v1.customers.update(c.id, {"name": "Named", "metadata": {"k": ""}})
    assert u.name == "Named" and u.metadata is not None and u.metadata.to_dict() == {}
    assert sdk.v1.customers.retrieve(c.id).name == "Named"
    d = sdk.v1.customers.delete(c.id)
    assert d.deleted is True


def test_typed_exceptions(sdk: stripe.StripeClient, live_server: LiveServer) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.v1.customers.retrieve("cus_doesnotexist")
    assert (missing.value.code, missing.value.http_status) == ("resource_missing", 404)
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        sdk.v1.customers.create({"colour": "red"})  # type: ignore[arg-type]
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "colour")
    bad = stripe.StripeClient("sk_test_" + "x" * 40, base_addresses={"api": live_server.base_url})
    with pytest.raises(stripe.AuthenticationError):
        bad.v1.customers.list()
    with pytest.raises(stripe.IdempotencyError):
        sdk.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "sdk-k"})
        sdk.v1.customers.create({"email": "b@example.com"}, {"idempotency_key": "sdk-k"})


def test_auto_pagination_walks_the_whole_list(sdk: stripe.StripeClient) -> None:
    email = "page@example.com"
    created = {sdk.v1.customers.create({"email": email}).id for _ in range(23)}
    walked = [c.id for c in sdk.v1.customers.list({"email": email, "limit": 5}).auto_paging_iter()]
    assert len(walked) == 23 and set(walked) == created


async def test_32_concurrent_posts_with_one_key_create_exactly_one(sdk_key: str, live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.base_url, auth=(sdk_key, ""), timeout=30) as http:
        h = {"Idempotency-Key": "live-race"}
        responses = await asyncio.gather(
            *(http.post("/v1/customers", data={"email": "liverace@example.com"}, headers=h) for _ in range(32))
        )
        assert all(r.status_code in (200, 409) for r in responses), [r.status_code for r in responses]
        bodies = {r.content for r in responses if r.status_code == 200}
        assert len(bodies) == 1
        listed = (await http.get("/v1/customers", params={"email": "liverace@example.com"})).json()["data"]
        assert len(listed) == 1

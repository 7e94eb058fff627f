"""R4: the limitations, each alone, with their stable codes; cancel-only; schedules block both."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain import subscription_updatability as r4

ITEM = r4.ItemFacts(price_id="price_a", usage_type="licensed", billing_scheme="per_unit")
PLAIN = r4.SubscriptionFacts(
    status="active",
    collection_method="charge_automatically",
    items=(ITEM,),
    default_payment_method_type="card",
    collection_paused=False,
    scheduled=False,
)
OFFERED = frozenset({"price_a", "price_b"})


def _assess(sub: r4.SubscriptionFacts, **kw: bool) -> r4.Assessment:
    return r4.assess(
        sub, offered_prices=OFFERED, update_enabled=kw.get("update", True), cancel_enabled=kw.get("cancel", True)
    )


def test_r4_a_plain_subscription_can_be_updated_and_canceled() -> None:
    a = _assess(PLAIN)
    assert (a.can_update, a.can_cancel, a.codes) == (True, True, [])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"items": (ITEM, dataclasses.replace(ITEM, price_id="price_b"))}, "multiple_items"),
        ({"items": (dataclasses.replace(ITEM, usage_type="metered"),)}, "metered_price"),
        ({"items": (dataclasses.replace(ITEM, billing_scheme="tiered"),)}, "tiered_price"),
        ({"collection_method": "send_invoice"}, "send_invoice_collection"),
        ({"default_payment_method_type": "ideal"}, "unsupported_payment_method"),
        ({"status": "incomplete"}, "subscription_status"),
        ({"status": "unpaid"}, "subscription_status"),
        ({"items": (dataclasses.replace(ITEM, price_id="price_elsewhere"),)}, "price_not_in_configuration"),
        ({"collection_paused": True}, "collection_paused"),
    ],
)
def test_r4_each_limitation_makes_the_subscription_cancel_only(change: dict[str, object], code: str) -> None:
    """R4: such a subscription offers cancellation only, even though updates are enabled, and says why."""
    a = _assess(dataclasses.replace(PLAIN, **change))  # type: ignore[arg-type]
    assert a.codes == [code]
    assert a.can_update is False
    assert a.can_cancel is True


def test_r4_a_schedule_blocks_update_and_cancel() -> None:
    a = _assess(dataclasses.replace(PLAIN, scheduled=True))
    assert (a.codes, a.can_update, a.can_cancel) == (["subscription_schedule"], False, False)


def test_r4_every_reason_that_applies_is_reported() -> None:
    sub = dataclasses.replace(PLAIN, collection_method="send_invoice", collection_paused=True, status="unpaid")
    assert _assess(sub).codes == ["send_invoice_collection", "subscription_status", "collection_paused"]


def test_r5_cancel_only_configuration() -> None:
    """R5: with updates disabled in the configuration, a plain subscription can still be canceled."""
    a = _assess(PLAIN, update=False)
    assert (a.can_update, a.can_cancel) == (False, True)


def test_canceled_subscriptions_offer_nothing() -> None:
    a = _assess(dataclasses.replace(PLAIN, status="canceled"))
    assert (a.can_update, a.can_cancel) == (False, False)


def test_codes_are_unique_and_stable() -> None:
    codes = [limit.code for limit in r4.ALL]
    assert len(codes) == len(set(codes)) == 9

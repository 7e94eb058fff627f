"""R4 for stored subscriptions: turn rows into the domain's facts and ask it."""

from __future__ import annotations

from app.domain import subscription_updatability as r4
from app.scope import Scope
from app.store.models import PortalConfiguration, Price, Subscription, SubscriptionItem
from app.store.uow import UnitOfWork


def offered_prices(configuration: PortalConfiguration) -> frozenset[str]:
    products = (configuration.features or {}).get("subscription_update", {}).get("products") or []
    return frozenset(price for p in products for price in p.get("prices", []))


async def assess(
    uow: UnitOfWork,
    scope: Scope,
    configuration: PortalConfiguration,
    subs: list[Subscription],
    items: dict[str, list[SubscriptionItem]] | None = None,
    prices: dict[str, Price] | None = None,
) -> dict[str, r4.Assessment]:
    """The R4 assessment of each subscription under this configuration (three queries for any
    number; fewer when the caller has read the subscriptions' `items`, and their `prices`)."""
    if items is None:
        items = await uow.subscription_items.for_subscriptions(scope, [s.id for s in subs])
    if prices is None:
        prices = await uow.prices.many(scope, [i.price_id for group in items.values() for i in group])
    methods = await uow.payment_methods.many(
        scope, [s.default_payment_method for s in subs if s.default_payment_method]
    )
    features = configuration.features or {}
    offered = offered_prices(configuration)
    result = {}
    for sub in subs:
        facts = r4.SubscriptionFacts(
            status=sub.status,
            collection_method=sub.collection_method,
            items=tuple(
                r4.ItemFacts(
                    price_id=i.price_id,
                    usage_type=((prices[i.price_id].recurring or {}).get("usage_type", "licensed")),
                    billing_scheme=prices[i.price_id].billing_scheme,
                )
                for i in items.get(sub.id, [])
                if i.price_id in prices
            ),
            default_payment_method_type=(
                methods[sub.default_payment_method].type if sub.default_payment_method in methods else None
            ),
            collection_paused=sub.collection_paused,
            scheduled=sub.schedule_id is not None,
        )
        result[sub.id] = r4.assess(
            facts,
            offered_prices=offered,
            update_enabled=bool(features.get("subscription_update", {}).get("enabled")),
            cancel_enabled=bool(features.get("subscription_cancel", {}).get("enabled")),
        )
    return result

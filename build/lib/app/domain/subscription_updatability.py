"""R4: which subscriptions the portal may update, and why not. The one list of limitations.

A subscription the portal cannot update offers cancellation only, even when the configuration
enables updates; one under a subscription schedule can be neither updated nor canceled.
Each reason has a stable code (API and page show it) and a human message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.payment_method_types import is_supported


@dataclass(frozen=True)
class Limitation:
    code: str
    message: str
    blocks_cancel: bool = False


MULTIPLE_ITEMS = Limitation("multiple_items", "The subscription has more than one item.")
METERED_PRICE = Limitation("metered_price", "The subscription's price is usage-based (metered).")
TIERED_PRICE = Limitation("tiered_price", "The subscription's price is tiered.")
SEND_INVOICE = Limitation("send_invoice_collection", "The subscription is paid by invoice (send_invoice).")
UNSUPPORTED_PAYMENT_METHOD = Limitation(
    "unsupported_payment_method", "The subscription's default payment method is of a type the portal does not support."
)
STATUS = Limitation(
    "subscription_status",
    "The subscription's status (incomplete, incomplete_expired, unpaid or canceled) allows no changes.",
)
PRICE_NOT_OFFERED = Limitation(
    "price_not_in_configuration", "The subscription's current price is not among the prices this portal offers."
)
COLLECTION_PAUSED = Limitation("collection_paused", "Payment collection for the subscription is paused.")
SCHEDULED = Limitation(
    "subscription_schedule",
    "The subscription is managed by a subscription schedule; it can be neither updated nor canceled in the portal.",
    blocks_cancel=True,
)

ALL: tuple[Limitation, ...] = (
    MULTIPLE_ITEMS,
    METERED_PRICE,
    TIERED_PRICE,
    SEND_INVOICE,
    UNSUPPORTED_PAYMENT_METHOD,
    STATUS,
    PRICE_NOT_OFFERED,
    COLLECTION_PAUSED,
    SCHEDULED,
)
NOT_UPDATABLE_STATUSES = frozenset({"incomplete", "incomplete_expired", "unpaid", "canceled"})
NOT_CANCELABLE_STATUSES = frozenset({"canceled", "incomplete_expired"})


@dataclass(frozen=True)
class ItemFacts:
    price_id: str
    usage_type: str  # licensed | metered
    billing_scheme: str  # per_unit | tiered


@dataclass(frozen=True)
class SubscriptionFacts:
    status: str
    collection_method: str
    items: tuple[ItemFacts, ...]
    default_payment_method_type: str | None
    collection_paused: bool
    scheduled: bool


@dataclass(frozen=True)
class Assessment:
    limitations: tuple[Limitation, ...] = field(default_factory=tuple)
    update_enabled: bool = False
    cancel_enabled: bool = False
    status: str = "active"

    @property
    def can_update(self) -> bool:
        """The configuration enables updates and no limitation applies."""
        return self.update_enabled and not self.limitations and self.status not in NOT_UPDATABLE_STATUSES

    @property
    def can_cancel(self) -> bool:
        """Cancellation stays possible for non-updatable subscriptions, except under a schedule."""
        return (
            self.cancel_enabled
            and self.status not in NOT_CANCELABLE_STATUSES
            and not any(limit.blocks_cancel for limit in self.limitations)
        )

    @property
    def codes(self) -> list[str]:
        return [limit.code for limit in self.limitations]


def limitations(sub: SubscriptionFacts, offered_prices: frozenset[str]) -> tuple[Limitation, ...]:
    """Every limitation that applies, in the list's order."""
    found: list[Limitation] = []
    if len(sub.items) > 1:
        found.append(MULTIPLE_ITEMS)
    if any(item.usage_type == "metered" for item in sub.items):
        found.append(METERED_PRICE)
    if any(item.billing_scheme == "tiered" for item in sub.items):
        found.append(TIERED_PRICE)
    if sub.collection_method == "send_invoice":
        found.append(SEND_INVOICE)
    if sub.default_payment_method_type is not None and not is_supported(sub.default_payment_method_type):
        found.append(UNSUPPORTED_PAYMENT_METHOD)
    if sub.status in NOT_UPDATABLE_STATUSES:
        found.append(STATUS)
    if any(item.price_id not in offered_prices for item in sub.items):
        found.append(PRICE_NOT_OFFERED)
    if sub.collection_paused:
        found.append(COLLECTION_PAUSED)
    if sub.scheduled:
        found.append(SCHEDULED)
    return tuple(found)


def assess(
    sub: SubscriptionFacts, *, offered_prices: frozenset[str], update_enabled: bool, cancel_enabled: bool
) -> Assessment:
    """What the portal may do with this subscription under a configuration (R3: never create one)."""
    return Assessment(
        limitations=limitations(sub, offered_prices),
        update_enabled=update_enabled,
        cancel_enabled=cancel_enabled,
        status=sub.status,
    )

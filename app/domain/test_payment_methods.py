"""Stripe's test-mode payment method tokens and card numbers, as data.

Only brand, last4, expiry, funding and country are kept; a full number is never stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class TestCard:
    __test__ = False  # not a pytest class

    number: str
    brand: str
    funding: str = "credit"
    country: str = "US"
    # Stripe's decline test cards: why a charge is declined (`decline_code`, and the error's code).
    decline_code: str | None = None
    error_code: str = "card_declined"
    # Most decline cards are refused when attached too; 4000000000000341 attaches, then every
    # charge fails (https://docs.stripe.com/testing#declined-payments).
    attaches: bool = False
    # Stripe's 3-D Secure test cards: every payment needs the customer's authentication
    # (https://docs.stripe.com/testing#regulatory-cards): on-session it waits for it; off-session
    # it fails with `authentication_required`.
    authenticates: bool = False

    @property
    def declines(self) -> bool:
        return self.decline_code is not None


CARDS_BY_TOKEN: dict[str, TestCard] = {
    "pm_card_visa": TestCard("4242424242424242", "visa"),
    "pm_card_visa_debit": TestCard("4000056655665556", "visa", "debit"),
    "pm_card_mastercard": TestCard("5555555555554444", "mastercard"),
    "pm_card_mastercard_debit": TestCard("5200828282828210", "mastercard", "debit"),
    "pm_card_amex": TestCard("378282246310005", "amex"),
    "pm_card_discover": TestCard("6011111111111117", "discover"),
    "pm_card_diners": TestCard("3056930009020004", "diners"),
    "pm_card_jcb": TestCard("3566002020360505", "jcb", country="JP"),
    "pm_card_unionpay": TestCard("6200000000000005", "unionpay", country="CN"),
    "pm_card_se": TestCard("4000007520000008", "visa", country="SE"),
    "pm_card_gb": TestCard("4000008260000000", "visa", country="GB"),
    "pm_card_chargeDeclined": TestCard("4000000000000002", "visa", decline_code="generic_decline"),
    "pm_card_chargeCustomerFail": TestCard("4000000000000341", "visa", decline_code="generic_decline", attaches=True),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard("4000000000009995", "visa", decline_code="insufficient_funds"),
    "pm_card_chargeDeclinedLostCard": TestCard("4000000000009987", "visa", decline_code="lost_card"),
    "pm_card_chargeDeclinedStolenCard": TestCard("4000000000009979", "visa", decline_code="stolen_card"),
    "pm_card_chargeDeclinedExpiredCard": TestCard(
        "4000000000000069", "visa", decline_code="expired_card", error_code="expired_card"
    ),
    "pm_card_chargeDeclinedIncorrectCvc": TestCard(
        "4000000000000127", "visa", decline_code="incorrect_cvc", error_code="incorrect_cvc"
    ),
    "pm_card_chargeDeclinedProcessingError": TestCard(
        "4000000000000119", "visa", decline_code="processing_error", error_code="processing_error"
    ),
    "pm_card_chargeDeclinedFraudulent": TestCard("4100000000000019", "visa", decline_code="fraudulent"),
    "pm_card_chargeDeclinedVelocityLimitExceeded": TestCard(
        "4000000000006975", "visa", decline_code="card_velocity_exceeded"
    ),
    "pm_card_threeDSecure2Required": TestCard("4000000000003220", "visa", attaches=True, authenticates=True),
    "pm_card_authenticationRequired": TestCard("4000002760003184", "visa", attaches=True, authenticates=True),
}
# The older tok_ tokens name the same cards.
CARDS_BY_TOKEN.update({"tok_" + k.removeprefix("pm_card_"): v for k, v in list(CARDS_BY_TOKEN.items())})

_BY_NUMBER = {card.number: card for card in CARDS_BY_TOKEN.values()}
# Stored methods keep only last4: how a declining test card is known again.
DECLINING_BY_LAST4 = {card.number[-4:]: card for card in CARDS_BY_TOKEN.values() if card.declines}
AUTHENTICATING_BY_LAST4 = {card.number[-4:]: card for card in CARDS_BY_TOKEN.values() if card.authenticates}


class ChargeOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REQUIRES_ACTION = "requires_action"


def outcome(last4: str | None, *, off_session: bool) -> ChargeOutcome:
    """What a (simulated) charge on a test card does: its decline, its wait for authentication
    (or, off-session, the decline `authentication_required`), or success."""
    if last4 in DECLINING_BY_LAST4:
        return ChargeOutcome.DECLINED
    if last4 in AUTHENTICATING_BY_LAST4:
        return ChargeOutcome.DECLINED if off_session else ChargeOutcome.REQUIRES_ACTION
    return ChargeOutcome.SUCCEEDED


_BRAND_PREFIXES = (
    ("34", "amex"),
    ("37", "amex"),
    ("4", "visa"),
    ("5", "mastercard"),
    ("2", "mastercard"),
    ("6011", "discover"),
    ("65", "discover"),
    ("62", "unionpay"),
    ("35", "jcb"),
    ("30", "diners"),
    ("36", "diners"),
)


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return checksum % 10 == 0


def card_for_number(number: str) -> TestCard | None:
    """A known test card, or any Luhn-valid number with its brand read from the prefix."""
    number = number.replace(" ", "").replace("-", "")
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
        return None
    if number in _BY_NUMBER:
        return _BY_NUMBER[number]
    brand = next((b for prefix, b in _BRAND_PREFIXES if number.startswith(prefix)), "unknown")
    return TestCard(number, brand)


def fingerprint(account_id: str, value: str) -> str:
    """Stable per account and instrument, revealing nothing of the number."""
    return hashlib.sha256(f"{account_id}:{value}".encode()).hexdigest()[:16]


# Test bank details for the other types (Stripe's documented test values).
TEST_IBANS = {"DE89370400440532013000", "AT611904300234573201", "NL39RABO0300065264", "FR1420041010050500013M02606"}

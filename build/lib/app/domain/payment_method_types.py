"""R8: the payment method types the portal supports, with their currency and merchant-country
limits, kept as data (Stripe's published table, stripe-portal-facts.md section 1).
"""

from __future__ import annotations

from dataclasses import dataclass

EUROPE = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


@dataclass(frozen=True)
class PortalPaymentMethodType:
    type: str
    name: str
    # None: "most" currencies / locations.
    currencies: frozenset[str] | None
    countries: frozenset[str] | None
    limitation: str | None = None

    def fits(self, *, currency: str | None, country: str | None) -> bool:
        if currency is not None and self.currencies is not None and currency.lower() not in self.currencies:
            return False
        return not (country is not None and self.countries is not None and country.upper() not in self.countries)


SUPPORTED: tuple[PortalPaymentMethodType, ...] = (
    PortalPaymentMethodType("us_bank_account", "ACH Direct Debit", frozenset({"usd"}), frozenset({"US"})),
    PortalPaymentMethodType("amazon_pay", "Amazon Pay", frozenset({"usd"}), frozenset({"US"})),
    PortalPaymentMethodType("au_becs_debit", "AU BECS Debit", frozenset({"aud"}), frozenset({"AU"})),
    PortalPaymentMethodType(
        "boleto", "Boleto", frozenset({"brl"}), frozenset({"BR"}), "You must have a Brazilian account to accept Boleto."
    ),
    PortalPaymentMethodType("card", "Cards (including Apple Pay and Google Pay)", None, None),
    PortalPaymentMethodType("cashapp", "Cash App Pay", frozenset({"usd"}), frozenset({"US"})),
    PortalPaymentMethodType("link", "Link", None, None),
    PortalPaymentMethodType("paypal", "PayPal", None, EUROPE, "Requires approval."),
    PortalPaymentMethodType("acss_debit", "Pre-authorized debits", frozenset({"cad", "usd"}), frozenset({"CA", "US"})),
    PortalPaymentMethodType(
        "sepa_debit",
        "SEPA Direct Debit",
        frozenset({"eur"}),
        EUROPE | frozenset({"AU", "CA", "HK", "JP", "MX", "NZ", "SG", "US"}),
    ),
    # Stripe's table prints `uk_bacs_debit`; the PaymentMethod type in the API is `bacs_debit`.
    PortalPaymentMethodType(
        "bacs_debit",
        "Bacs Direct Debit",
        frozenset({"gbp"}),
        frozenset({"GB"}),
        "You must have a UK account and a UK bank account.",
    ),
)

BY_TYPE = {t.type: t for t in SUPPORTED}


def is_supported(payment_method_type: str) -> bool:
    return payment_method_type in BY_TYPE


def offered(*, currency: str | None, country: str | None) -> list[PortalPaymentMethodType]:
    """The types the portal offers a customer paying in `currency` to a merchant in `country`."""
    return [t for t in SUPPORTED if t.fits(currency=currency, country=country)]

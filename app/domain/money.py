"""Money on the wire and on the page: integer minor units, Stripe's zero-decimal currencies, and
the rounding Stripe uses when a fraction of an amount is billed (prorations, percentage discounts)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Currencies without minor units (Stripe's list of zero-decimal currencies:
# https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]
)

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "inr": "₹"}


def round_half_up(value: Fraction) -> int:
    """The nearest whole minor unit, halves away from zero: Stripe's rounding of a prorated or
    discounted amount (a credit rounds as its debit would, so -2.5 is -3 as 2.5 is 3)."""
    magnitude = Decimal(abs(value.numerator)) / Decimal(value.denominator)
    whole = int(magnitude.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return -whole if value < 0 else whole


def major_units(amount: int, currency: str) -> str:
    """`1050` USD is `10.50`; `1050` JPY is `1,050`. Exact: no floats."""
    if currency.lower() in ZERO_DECIMAL:
        return f"{amount:,}"
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def format_amount(amount: int, currency: str) -> str:
    """How Stripe writes an amount inside a line's description: `$20.00`, `€9.50`, `120.00 SEK`."""
    symbol = _SYMBOLS.get(currency.lower())
    if symbol is None:
        return f"{major_units(amount, currency)} {currency.upper()}"
    if amount < 0:
        return f"-{symbol}{major_units(-amount, currency)}"
    return f"{symbol}{major_units(amount, currency)}"

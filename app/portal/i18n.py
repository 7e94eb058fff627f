"""The customer's language on every page they see (portal, login, invoice, mails).

Stripe's portal locales (46 and `auto`) plus Arabic and Hebrew, which are laid out right to left.
The words live in gettext catalogs, one per locale (`locales/<locale>/LC_MESSAGES/portal.po`, the
template `locales/portal.pot`), read with Babel when first used; dates, money and plurals follow
the locale's CLDR data through Babel. How a translator corrects a catalog: README, "Languages".

A session's `locale` wins (`auto` or absent: the customer's preferred_locales, then the browser's
Accept-Language); a language we do not have falls back to English.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_percent, parse_pattern
from babel.support import Translations
from markupsafe import Markup

from app.domain.money import ZERO_DECIMAL

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "portal"

# Stripe's billing portal session locales (without `auto`), then the two we add.
STRIPE_LOCALES = (
    "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-SG",
    "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv",
    "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh",
    "zh-HK", "zh-TW",
)  # fmt: skip
RIGHT_TO_LEFT = ("ar", "he")


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


# The locales the pages are shown in: every one has its catalog (tests/i18n checks each is there
# and complete).
LOCALES = (*STRIPE_LOCALES, *RIGHT_TO_LEFT)
_BY_LOWER = {tag.lower(): tag for tag in LOCALES}
# Tags a browser sends that mean one of ours (Latin-American Spanish, Chinese scripts, Norwegian).
_ALIASES = {
    "zh-hans": "zh",
    "zh-cn": "zh",
    "zh-sg": "zh",
    "zh-hant": "zh-TW",
    "zh-mo": "zh-HK",
    "no": "nb",
    "nn": "nb",
    "iw": "he",
    "tl": "fil",
    "in": "id",
}
_LATIN_AMERICA = {"ar", "bo", "cl", "co", "cr", "cu", "do", "ec", "gt", "hn", "mx", "ni", "pa", "pe", "pr", "py", "sv"}
_LATIN_AMERICA |= {"us", "uy", "ve", "419"}


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is written; it is translated where it is shown."""
    return message


def _match(tag: str) -> str | None:
    tag = tag.strip().replace("_", "-").lower()
    if not tag or tag == "*":
        return None
    if tag in _BY_LOWER:
        return _BY_LOWER[tag]
    parts = tag.split("-")
    for length in range(len(parts), 0, -1):
        head = "-".join(parts[:length])
        if head in _ALIASES and _ALIASES[head] in LOCALES:
            return _ALIASES[head]
    if parts[0] == "es" and len(parts) > 1 and parts[-1] in _LATIN_AMERICA:
        return _BY_LOWER.get("es-419")
    if parts[0] == "zh" and "hant" in parts:
        return _BY_LOWER.get("zh-hk" if "hk" in parts else "zh-tw")
    return _BY_LOWER.get(parts[0])


def choose(session_locale: str | None, preferred: list[str], accept_language: str | None) -> str:
    """The visit's locale: the session's, else the customer's preferred, else the browser's
    (by its q-values); else English."""
    candidates: list[str] = []
    if session_locale and session_locale != "auto":
        candidates.append(session_locale)
    candidates.extend(preferred)
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = part.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > 0:
            weighted.append((-q, position, tag))
    candidates.extend(tag for _, _, tag in sorted(weighted))
    for tag in candidates:
        found = _match(tag)
        if found is not None:
            return found
    return "en"


@cache
def _translations(locale: str) -> Translations:
    """The locale's catalog, compiled in memory the first time it is used (no build step)."""
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale.replace("-", "_"), domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


class Translator:
    """One locale's words, dates and money. Called in Python it gives text; in templates, `_`,
    `gettext` and `ngettext` give markup whose values are escaped (Jinja's new-style gettext)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else "en"
        self.babel = Locale.parse(self.locale.replace("-", "_"))
        self.direction = "rtl" if self.babel.character_order == "right-to-left" else "ltr"
        self._catalog = _translations(self.locale)

    def __call__(self, message: str, **values: Any) -> str:
        text = self._catalog.gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return self._catalog.ngettext(singular, plural, n) % {"num": n, **values}

    def gettext(self, message: str, **values: Any) -> Markup:
        text = Markup(self._catalog.gettext(message))
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> Markup:
        return Markup(self._catalog.ngettext(singular, plural, n)) % {"num": n, **values}

    def money(self, amount: int | None, currency: str) -> str:
        """Exact (integer minor units to a Decimal, never a float), with the locale's symbol and
        separators, and Stripe's decimals for the currency (zero-decimal ones have none)."""
        if amount is None:
            return ""
        places = 0 if currency.lower() in ZERO_DECIMAL else 2
        pattern = parse_pattern(self.babel.currency_formats["standard"].pattern)
        pattern.frac_prec = (places, places)
        return str(
            pattern.apply(Decimal(amount).scaleb(-places), self.babel, currency=currency.upper(), currency_digits=False)
        )

    def percent(self, value: float) -> str:
        """`20 %`, `20%` or `٪20` as the locale writes it (a coupon's percent_off)."""
        return format_percent(Decimal(str(value)) / 100, locale=self.babel, decimal_quantization=False)

    def date(self, ts: int | None) -> str:
        if ts is None:
            return ""
        return format_date(datetime.fromtimestamp(ts, UTC).date(), format="medium", locale=self.babel)

    def context(self) -> dict[str, Any]:
        """What every template gets: the words, and the page's language and direction."""
        return {
            "t": self,
            "_": self.gettext,
            "gettext": self.gettext,
            "ngettext": self.ngettext,
            "locale": self.locale,
            "direction": self.direction,
        }

    def text_context(self) -> dict[str, Any]:
        """For plain-text templates (mails): the same words, as text (nothing to escape)."""
        return {**self.context(), "_": self, "gettext": self, "ngettext": self.plural}

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"


def translator(locale: str) -> Translator:
    return Translator(locale)


# A refusal's code -> what a customer reads, in their language (%(field)s: the field's name).
_ERRORS = {
    "parameter_invalid_integer": N_("%(field)s: enter a whole number in the allowed range."),
    "parameter_invalid_string": N_("%(field)s: the text is too long or not allowed."),
    "parameter_invalid_string_empty": N_("%(field)s: the text is too long or not allowed."),
    "parameter_invalid_value": N_("%(field)s: this value is not allowed."),
    "parameter_invalid_enum": N_("%(field)s: this value is not allowed."),
    "parameter_invalid_empty": N_("%(field)s: this value is not allowed."),
    "parameter_unknown": N_("%(field)s: this value is not allowed."),
    "parameter_missing": N_("%(field)s: this is required."),
    "tax_id_invalid": N_("%(field)s: this is not a valid tax ID of that type."),
    "email_invalid": N_("Enter a valid email address."),
    "card_declined": N_("Your card was declined. Try another card."),
    "expired_card": N_("Your card has expired. Try another card."),
    "incorrect_cvc": N_("Your card's security code is incorrect."),
    "processing_error": N_("An error occurred while processing your card. Try again."),
    "incorrect_number": N_("Your card number is incorrect."),
    "invoice_payment_intent_requires_action": N_(
        "Your bank asks you to confirm this payment: continue on the invoice page."
    ),
    "authentication_required": N_("Your bank asks you to confirm this payment: continue on the invoice page."),
    "request_too_large": N_("What you sent is too large."),
    "portal_flow_restricted": N_("This change is not available here."),
    "portal_feature_disabled": N_("This change is not available here."),
    "resource_missing": N_("This item no longer exists. Reload the page."),
    "resource_exhausted": N_("You have reached the limit; remove one first."),
    "invoice_not_open": N_("This invoice is no longer open; there is nothing to pay."),
    "invoice_no_payment_method_types": N_("Add a payment method first."),
    "payment_method_required": N_(
        "You cannot remove your only payment method while a subscription is active. "
        "Add a new payment method first, then remove this one."
    ),
    "no_change": N_("Choose a different plan or quantity."),
    "quantity_out_of_bounds": N_("%(field)s: enter a whole number in the allowed range."),
    "csrf_invalid": N_("The form has expired. Reload the page and try again."),
}
# A form field's name, as the error message names it.
_FIELDS = {
    "exp_month": N_("Expiry month"),
    "exp_year": N_("Expiry year"),
    "number": N_("Card number"),
    "quantity": N_("Quantity"),
    "name": N_("Name"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "address": N_("Address"),
    "line1": N_("Address line 1"),
    "line2": N_("Address line 2"),
    "city": N_("City"),
    "state": N_("State or region"),
    "postal_code": N_("Postal code"),
    "country": N_("Country"),
    "comment": N_("Comment"),
    "reason": N_("Reason"),
    "price": N_("Plan"),
    "value": N_("Tax ID"),
    "type": N_("Tax ID type"),
    "payment_method": N_("Payment method"),
    "token": N_("Card number"),
}


def error_text(t: Translator, error: Any) -> str:
    """What a form's refusal says on the page, always in the visitor's language: a code a customer
    can cause by what they typed has its own message; any other refusal a general one."""
    message = _ERRORS.get(getattr(error, "code", None) or "")
    if message is None:
        return t("This change could not be made. Reload the page and try again.")
    param = str(getattr(error, "param", None) or "")
    field = next((part for part in reversed(param.replace("]", "").split("[")) if part in _FIELDS), "")
    return t(message, field=t(_FIELDS[field]) if field else t("This field"))

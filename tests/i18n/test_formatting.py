"""Words, plurals, money and dates per locale, as the pages show them (Babel's CLDR data)."""

from __future__ import annotations

from app.portal import i18n


def test_plurals_follow_each_languages_rules() -> None:
    def every(locale: str, n: int) -> str:
        return i18n.translator(locale).plural("every %(num)d month", "every %(num)d months", n)

    assert every("en", 3) == "every 3 months"
    assert (every("pl", 3), every("pl", 5), every("pl", 22)) == ("co 3 miesiące", "co 5 miesięcy", "co 22 miesiące")
    assert (every("ar", 2), every("ar", 3), every("ar", 11)) == ("كل شهرين", "كل 3 أشهر", "كل 11 شهرًا")
    assert every("cs", 4) == "každé 4 měsíce" and every("cs", 5) == "každých 5 měsíců"


def test_money_is_exact_with_the_locales_symbols_and_stripes_decimals() -> None:
    assert i18n.translator("en").money(123456789, "usd") == "$1,234,567.89"
    assert i18n.translator("de").money(1050, "eur") == "10,50\xa0€"
    assert i18n.translator("sv").money(-1250, "sek") == "-12,50\xa0kr"
    assert i18n.translator("en").money(1050, "jpy") == "¥1,050"  # zero-decimal: 1050 yen
    assert i18n.translator("fr").money(5, "usd") == "0,05\xa0$US"


def test_dates_and_percentages_per_locale() -> None:
    day = 1_767_225_600  # 2026-01-01 00:00 UTC
    assert i18n.translator("en").date(day) == "Jan 1, 2026"
    assert i18n.translator("de").date(day) == "01.01.2026"
    assert i18n.translator("de").percent(12.5) == "12,5\xa0%"


def test_the_visitors_language_is_chosen_as_stripe_describes() -> None:
    assert i18n.choose("de", ["sv"], "fr") == "de"  # the session's locale first
    assert i18n.choose("auto", ["sv-SE"], "fr") == "sv"  # then the customer's preferred_locales
    assert i18n.choose(None, [], "da;q=0.2, nl;q=0.9, *;q=0.1") == "nl"  # then the browser, by q
    assert i18n.choose(None, [], "es-MX") == "es-419" and i18n.choose(None, [], "pt-PT") == "pt"
    assert i18n.choose(None, [], "no") == "nb" and i18n.choose(None, [], "xx") == "en"

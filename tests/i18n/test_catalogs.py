"""The portal's catalogs (issue 20): every locale's catalog has every message the code and
templates mark, each with the same placeholders; the template (.pot) is what extraction gives
today; and no customer-facing template shows text that is not marked for translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.portal import i18n
from tests.i18n import catalogs

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TEMPLATES = Path(i18n.__file__).parent / "templates"


def _ids(catalog: object) -> set[object]:
    return {m.id for m in catalog if m.id}  # type: ignore[attr-defined]


def test_the_template_is_what_the_code_marks() -> None:
    with catalogs.POT.open("rb") as pot:
        written = read_po(pot)
    assert _ids(written) == _ids(catalogs.extracted()), "run: python -m tests.i18n.catalogs"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_catalog_has_every_message_with_its_placeholders(locale: str) -> None:
    catalog = catalogs.read(locale)
    expected = catalogs.extracted()
    assert _ids(catalog) == _ids(expected)
    for message in catalog:
        if not message.id:
            continue
        # gettext leaves a fuzzy message out (it shows English): a changed message is reviewed first.
        assert not message.fuzzy, (locale, message.id, "fuzzy: review it, then remove the flag")
        forms = [str(f) for f in (message.string if isinstance(message.string, tuple) else (message.string,))]
        assert all(forms), (locale, message.id)
        source = message.id if isinstance(message.id, str) else message.id[1]
        wanted = set(PLACEHOLDER.findall(source))
        for form in forms:
            found = set(PLACEHOLDER.findall(form))
            # A plural form may leave the number out ("every two months" has none); nothing else may.
            assert found == wanted or (not isinstance(message.id, str) and found <= wanted), (locale, form)
            assert not re.search(r"%(?![(%])", form), (locale, form)  # a bare % breaks formatting
        assert len(forms) == (catalog.num_plurals if not isinstance(message.id, str) else 1), (locale, message.id)


def test_every_stripe_locale_and_both_directions_are_there() -> None:
    """Stripe's portal locales, each with its own catalog, plus Arabic and Hebrew."""
    missing = [tag for tag in i18n.LOCALES if not i18n.catalog_path(tag).exists()]
    assert missing == []
    assert set(i18n.STRIPE_LOCALES) | {"ar", "he"} == set(i18n.LOCALES) and len(i18n.STRIPE_LOCALES) == 46
    assert i18n.translator("ar").direction == "rtl" and i18n.translator("de").direction == "ltr"


_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_TAGS = re.compile(r"<[^>]*>", re.S)
_VISIBLE_ATTRIBUTES = re.compile(r'\b(?:alt|title|placeholder|aria-label)="([^"]*)"')
_NOT_WORDS = re.compile(r"&[a-z]+;|[^\w]+|\d+|_")


def _unmarked(source: str) -> list[str]:
    """Literal text a template shows outside of `{{ … }}` and `{% … %}`: its HTML's text and the
    attributes a reader perceives (alt, title, placeholder, aria-label)."""
    markup = _JINJA.sub("", source)
    found = [a for tag in _TAGS.findall(markup) for a in _VISIBLE_ATTRIBUTES.findall(tag) if a.strip()]
    for text in _TAGS.split(markup):
        words = _NOT_WORDS.sub(" ", text).strip()
        # Brand and format names are the same in every language.
        if words and words not in ("PDF", "CVC", "Visa"):
            found.append(words)
    return found


@pytest.mark.parametrize(
    "template",
    sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.*") if "dashboard" not in p.parts),
)
def test_every_template_string_is_marked(template: str) -> None:
    assert _unmarked((TEMPLATES / template).read_text()) == []


def test_the_marking_check_finds_unmarked_text() -> None:
    assert _unmarked('<p>{{ _("Fine") }}</p><p>Not marked</p><img alt="Logo">') == ["Logo", "Not marked"]

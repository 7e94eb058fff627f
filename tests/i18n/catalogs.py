"""The portal's message catalogs: what the code and templates mark, and the catalogs that hold it.

`python -m tests.i18n.catalogs` extracts every marked message into `locales/portal.pot` and
merges it into each locale's `portal.po` (new messages arrive empty for a translator to fill;
the suite fails until they are). Uses Babel's public API, as `pybabel extract` / `update` do.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.portal import i18n

APP = Path(__file__).resolve().parents[2] / "app"
POT = i18n.LOCALES_DIR / "portal.pot"
# Where customer-facing words are: the portal package (pages, mails, labels) and its templates,
# but not the merchant dashboard's templates (its own en/sv dictionary).
METHODS = [
    ("portal/templates/dashboard/**", "ignore"),
    ("portal/**.py", "python"),
    ("portal/templates/**.html", "jinja2.ext:babel_extract"),
    ("portal/templates/**.txt", "jinja2.ext:babel_extract"),
]
OPTIONS = {
    "portal/templates/**.html": {"extensions": "jinja2.ext.i18n"},
    "portal/templates/**.txt": {"extensions": "jinja2.ext.i18n"},
}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "t": None,
    "plural": (1, 2),
}


def extracted() -> Catalog:
    """Every message the code and templates mark, with where it is used."""
    catalog = Catalog(project="billing-portal", domain=i18n.DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        APP, METHODS, OPTIONS, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(f"app/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def read(locale: str) -> Catalog:
    with i18n.catalog_path(locale).open("rb") as po:
        return read_po(po, locale=locale.replace("-", "_"), domain=i18n.DOMAIN)


def write(locale: str, catalog: Catalog) -> None:
    catalog.fuzzy = False  # the header: a fuzzy header would be left out when compiled
    path = i18n.catalog_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=100, sort_output=True, omit_header=False, include_previous=False)


def main() -> None:
    template = extracted()
    with POT.open("wb") as pot:
        write_po(pot, template, width=100, sort_output=True)
    for locale in i18n.LOCALES:
        path = i18n.catalog_path(locale)
        catalog = read(locale) if path.exists() else Catalog(locale=locale.replace("-", "_"), domain=i18n.DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write(locale, catalog)
        missing = sum(1 for m in catalog if m.id and not m.string)
        if missing:
            print(f"{locale}: {missing} messages to translate")


if __name__ == "__main__":
    main()

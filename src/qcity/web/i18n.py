"""Languages: zh-Hans (default), zh-Hant and English, from Babel catalogues (.po read at start)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_Hans", "zh_Hant", "en")
DEFAULT_LOCALE = "zh_Hans"
LOCALE_DIR = Path(__file__).parent / "locales"
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
_TRADITIONAL_REGIONS = ("tw", "hk", "mo")


def catalogue_path(locale: str) -> Path:
    """The main catalogue of ``locale`` (site-wide strings)."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def catalogue_paths(locale: str) -> list[Path]:
    """Every catalogue of ``locale``: ``messages.po`` first, then one per page area."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    areas = sorted(p for p in folder.glob("*.po") if p.name != "messages.po")
    return [catalogue_path(locale), *areas]


def read_catalogue(locale: str) -> Catalog:
    """All of ``locale``'s catalogues merged (a message defined twice keeps the first)."""
    merged = Catalog(locale=locale)
    for path in catalogue_paths(locale):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.id not in merged:
                    merged[message.id] = message
    return merged


@cache
def translations(locale: str) -> Translations:
    """The compiled catalogue for ``locale`` (compiled in memory from its .po files)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(locale))
    buffer.seek(0)
    return Translations(fp=buffer)


def match_tag(tag: str) -> str | None:
    """Map one BCP 47 language tag to a supported locale."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return None
    if parts[0] == "en":
        return "en"
    if parts[0] == "zh":
        rest = parts[1:]
        if "hant" in rest or any(r in _TRADITIONAL_REGIONS for r in rest):
            return "zh_Hant"
        return "zh_Hans"
    return None


def negotiate(accept_language: str | None) -> str:
    """The best supported locale for an Accept-Language header (quality values honoured)."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        locale = match_tag(tag)
        if locale and quality > 0:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


def normalise(value: str | None) -> str | None:
    """A supported locale from a user's choice (``en``, ``zh-Hant``, ``zh_Hans``...), else None."""
    if not value:
        return None
    if value in LOCALES:
        return value
    return match_tag(value)


@cache
def babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)

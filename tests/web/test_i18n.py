"""Catalogues: every string a template or page uses is translated in every locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from qcity.web import i18n

ROOT = Path(__file__).parents[2]


def _used_messages() -> set[str]:
    method_map = [("src/qcity/web/templates/**.html", "jinja2"), ("src/qcity/web/**.py", "python")]
    options = {"src/qcity/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(ROOT), method_map=method_map, options_map=options)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def test_templates_use_translatable_strings() -> None:
    assert len(_used_messages()) > 10


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_catalogue_translates_every_used_string(locale: str) -> None:
    catalogue = i18n.read_catalogue(locale)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_used_messages() - translated)
    assert missing == [], f"{locale} catalogue misses {missing}"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "zh_Hans"),
        ("", "zh_Hans"),
        ("en", "en"),
        ("zh-Hant-TW", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("zh-SG", "zh_Hans"),
        ("de, en;q=0.3, zh-TW;q=0.5", "zh_Hant"),
        ("en;q=0, zh", "zh_Hans"),
        ("fr, de", "zh_Hans"),
        ("en;q=abc, zh-HK;q=0.2", "zh_Hant"),
    ],
)
def test_negotiate(header: str | None, locale: str) -> None:
    assert i18n.negotiate(header) == locale

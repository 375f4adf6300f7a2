"""Interface text in English, 简体中文 and 日本語, shared by the dashboard, the figures and reports.

Every label, explanation and message shown to a user is looked up here by key; page code and
figure code hold no interface text. Tables are plain Python dicts (one module per language) so
they ship with the package. ``tests/test_dashboard_i18n.py`` checks that every key exists in all
three languages with the same ``{placeholders}``.

>>> from sim.i18n import t
>>> t("nav.compare", "ja")
'比較'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType

from sim.i18n import en, ja, zh

#: Supported languages, in the order offered to users.
LANGS: tuple[str, ...] = ("en", "zh", "ja")
#: Each language's name in its own script.
LANG_NAMES: Mapping[str, str] = MappingProxyType({"en": "English", "zh": "简体中文", "ja": "日本語"})

TABLES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": MappingProxyType(en.STRINGS),
    "zh": MappingProxyType(zh.STRINGS),
    "ja": MappingProxyType(ja.STRINGS),
})


def norm_lang(lang: str | None) -> str:
    """A supported language code (``en`` when ``lang`` is unknown or empty)."""
    if not lang:
        return "en"
    code = str(lang).lower().replace("_", "-").split("-")[0]
    return code if code in TABLES else "en"


def t(key: str, lang: str = "en", /, **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    A key missing from a language falls back to English, then to the key itself, so a missing
    translation never breaks a page (the i18n test catches it before release).
    """
    table = TABLES[norm_lang(lang)]
    text = table.get(key)
    if text is None:
        text = TABLES["en"].get(key, key)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str) -> bool:
    """Whether ``key`` exists in the English table."""
    return key in TABLES["en"]


def placeholders(text: str) -> set[str]:
    """The ``{names}`` used in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}

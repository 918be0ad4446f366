"""UI strings in German and English, and the reader's language.

Templates write English text, ``{{ _("Search") }}``; ``translations/de.json``
maps it to German. A test checks that every string used in a template has a
German translation, so a missing one fails CI instead of showing English.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from flask import g, request

UI_LANGS = ("de", "en")
DEFAULT_LANG = "de"
LANG_COOKIE = "lang"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    path = resources.files("kb") / "translations" / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def translate(lang: str, text: str, **values) -> str:
    out = catalog(lang).get(text, text)
    return out.format(**values) if values else out


def pick_language() -> str:
    """Explicit ?lang=, then the remembered choice, then Accept-Language, then German."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in UI_LANGS:
            return candidate
    return request.accept_languages.best_match(UI_LANGS) or DEFAULT_LANG


def _(text: str, **values) -> str:
    return translate(g.get("lang", DEFAULT_LANG), text, **values)

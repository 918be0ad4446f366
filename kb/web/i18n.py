"""UI strings in German and English, and the reader's language.

Templates write English text, ``{{ _("Search") }}``; ``translations/de.json``
maps it to German. A test checks that every string used in a template has a
German translation, so a missing one fails CI instead of showing English.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from flask import g, request

UI_LANGS = ("de", "en")
DEFAULT_LANG = "de"
LANG_COOKIE = "lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600  # the page language a reader chose, remembered for a year


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    path = resources.files("kb") / "translations" / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def translate(lang: str, text: str, **values) -> str:
    out = catalog(lang).get(text, text)
    return out.format(**values) if values else out


_INNER = "[^'\n]+?"  # a value inside a message
_ENDING = ".+"        # a value that ends it


@lru_cache(maxsize=None)
def _message_patterns(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    """The catalog's entries with {placeholders}, each as a pattern its filled-in English matches."""
    out = []
    for key, value in catalog(lang).items():
        if "{" not in key:
            continue
        parts = re.split(r"\{(\w+)\}", key)
        # a filled-in value holds no quote: "unknown language 'xx': use …" is no "unknown language '{lang}'";
        # one that ends the message may (a YAML error's reason: "did not find expected ',' or ']'")
        last = len(parts) - 2 if parts[-1] == "" else -1
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_ENDING if i == last else _INNER})"
                        for i, p in enumerate(parts))
        out.append((re.compile(regex, re.S), value))
    return tuple(out)


def translate_message(lang: str, text: str) -> str:
    """A message a lower layer wrote in English (an exception's text, a check's finding) in
    ``lang``: its catalog entry, also one whose {placeholders} the message fills in
    ("'de/x y' is not a valid id: …"); as written when the catalog has none."""
    found = catalog(lang).get(text)
    if found is not None:
        return found
    for pattern, value in _message_patterns(lang):
        m = pattern.fullmatch(text)
        if m:
            return value.format(**m.groupdict())
    return text


def translated_message(text: str) -> str:
    """``translate_message`` in the reader's language."""
    return translate_message(g.get("lang", DEFAULT_LANG), text)


def pick_language() -> str:
    """Explicit ?lang=, then the remembered choice, then Accept-Language, then German."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in UI_LANGS:
            return candidate
    return request.accept_languages.best_match(UI_LANGS) or DEFAULT_LANG


def _(text: str, **values) -> str:
    return translate(g.get("lang", DEFAULT_LANG), text, **values)

"""The ids the browser editor takes: paths below articles/ of lower-case letters, digits, '-' and '_'.

An article's id is its file's path below the articles folder. The portal serves
any file name, but the editor refuses ids that are no plain URL path (spaces,
capitals, umlauts) or lead out of the folder: `kb check` warns of files whose
name makes such an id, and the editors' list shows them as not editable.
"""

from __future__ import annotations

import re

from kb.content.articles import slugify

# one path segment: lower-case letters, digits, '-' and '_' (URLs and file names alike everywhere)
_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
MAX_ID_SEGMENTS = 4


def id_problem(article_id: str) -> str | None:
    """Why the editor refuses ``article_id`` (English, translated where shown), or None."""
    ident = (article_id or "").strip()
    if not ident:
        return "the article needs an id (its file name below articles/, e.g. de/versand/paket)"
    if ident.startswith("/") or "\\" in ident or "\x00" in ident:
        return f"'{ident[:100]}' is not a valid id: use a relative path such as de/versand/paket"
    parts = ident.split("/")
    if len(parts) > MAX_ID_SEGMENTS:
        return f"'{ident[:100]}' is nested too deep: at most {MAX_ID_SEGMENTS} folders and name"
    for part in parts:
        if part in ("", ".", ".."):
            return f"'{ident[:100]}' is not a valid id: empty parts, '.' and '..' are not allowed"
        if not _SEGMENT.fullmatch(part):  # fullmatch: "$" would also pass "de\n"
            return (f"'{ident[:100]}' is not a valid id: use lower-case letters, digits, '-' and '_' "
                    "(no spaces, umlauts or other characters), separated by '/'")
    return None


def suggested_id(article_id: str) -> str:
    """An id the editor takes for a file name it refuses ("de/Aktion/Sommer Rabatt" ->
    "de/aktion/sommer-rabatt"): each folder and the name as a slug, the deepest kept last."""
    parts = [slugify(part)[:80] for part in article_id.split("/") if part.strip(" .")]
    if len(parts) > MAX_ID_SEGMENTS:
        parts = parts[:MAX_ID_SEGMENTS - 1] + [parts[-1]]
    return "/".join(parts)

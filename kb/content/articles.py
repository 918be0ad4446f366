"""Reading help articles: Markdown files with YAML front matter.

Parsing never raises for a bad file: it returns the problems it found, with the
line of the offending front matter key, so `kb check` can report every problem
in every file in one run and `kb index` can skip (and name) what it cannot use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

from kb.content.languages import is_language
from kb.content.text_memo import TextMemo

ARTICLE_SUFFIXES = (".md", ".markdown")
REQUIRED_KEYS = ("title", "lang", "category")
KNOWN_KEYS = frozenset(
    {"title", "lang", "category", "tags", "summary", "audience", "questions",
     "translation", "updated", "draft"}
)
AUDIENCES = ("public", "internal")
MAX_ARTICLE_BYTES = 2_000_000  # far above any real article; protects the indexer
MAX_QUERY_CHARS = 500  # what the search box takes (kb/search/results.py refuses longer questions)


SYMLINK_REFUSED = ("a symbolic link: articles are read from files inside the articles folder only "
                   "(copy the file here instead)")


@dataclass(frozen=True)
class Problem:
    """One finding about one file, printed by `kb check` as ``path:line: severity: message``."""

    path: str
    line: int
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Article:
    id: str
    path: str  # as given to the loader, for messages
    title: str
    lang: str
    category: str
    body: str
    body_line: int  # 1-based line of the first body line in the file
    tags: tuple[str, ...] = ()
    summary: str = ""
    audience: str = "public"
    questions: tuple[str, ...] = ()
    translation: str | None = None
    updated: dt.date | None = None
    draft: bool = False
    content_hash: str = ""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def public(self) -> bool:
        return self.audience == "public"

    @property
    def category_slug(self) -> str:
        return slugify(self.category)


_PARSED: TextMemo[tuple[Article | None, tuple[Problem, ...]]] = TextMemo()


def slugify(text: str) -> str:
    """URL-safe, stable slug: umlauts transliterated the German way (ü -> ue)."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("&", " ")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "general"


def article_id(path: Path, root: Path) -> str:
    """The id is the path below the articles folder, without suffix, with ``/``."""
    rel = path.relative_to(root).with_suffix("")
    return unicodedata.normalize("NFC", rel.as_posix())


def find_article_files(root: Path) -> list[Path]:
    """Every article file below root, sorted so runs are deterministic."""
    return sorted(
        p for p in root.rglob("*")
        if p.suffix in ARTICLE_SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


# libyaml's safe loader when PyYAML has it: the same documents, several times faster
# (front matter is read for every article of every build)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _key_lines(fm_text: str, offset: int) -> dict[str, int]:
    """Line number of each top-level front matter key, for precise messages."""
    try:
        node = yaml.compose(fm_text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(k.value): k.start_mark.line + 1 + offset
        for k, _ in node.value
        if isinstance(k, yaml.ScalarNode)
    }


def _first_date_line(fm_text: str, offset: int) -> int:
    """File line of the first value YAML reads as a date (as _key_lines counts)."""
    try:
        node = yaml.compose(fm_text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return 1
    for _, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":timestamp"):
            return value.start_mark.line + 1 + offset
    return 1


def _str_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return None
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                       for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return None


def parse_article(
    path: Path, root: Path, default_lang: str | None = None
) -> tuple[Article | None, list[Problem]]:
    """Parse one article file. Returns (article or None, problems).

    An article is returned whenever it is usable (warnings only), so the
    indexer and the linter agree on what counts as publishable.
    """
    shown = str(path)
    problems: list[Problem] = []

    def err(line: int, msg: str) -> None:
        problems.append(Problem(shown, line, "error", msg))

    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            err(1, f"file is too large ({size:,} bytes; limit {MAX_ARTICLE_BYTES:,}): "
                   "split it into several articles")
            return None, problems
        raw = path.read_bytes()
    except OSError as exc:
        err(1, f"cannot read file: {exc.strerror or exc}")
        return None, problems
    if b"\x00" in raw:
        err(1, "binary file (contains NUL bytes), not a Markdown article")
        return None, problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        err(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}): "
                  "save the file as UTF-8")
        return None, problems
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    ident = article_id(path, root)
    # a long-running `kb index --watch` parses only the files that changed; the parsed
    # article keeps its text alive
    article, found = _PARSED.get(text, lambda: _parse_text(text, shown, ident, default_lang),
                                 shown, ident, default_lang)
    return article, list(found)


class _Findings:
    """The problems found in one file, and where its front matter keys are."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def err(self, line: int, msg: str) -> None:
        self.problems.append(Problem(self.shown, line, "error", msg))

    def warn(self, line: int, msg: str) -> None:
        self.problems.append(Problem(self.shown, line, "warning", msg))

    def at(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _split_front_matter(text: str, found: _Findings) -> tuple[dict, str, int] | None:
    """(front matter, body, body's first line), or None after reporting why not."""
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        found.err(1, "missing front matter: the file must start with a '---' line, "
                     "YAML keys (title, lang, category ...), and a closing '---' line")
        return None
    try:
        fm_text, _ = handler.split(text)
    except ValueError:
        found.err(1, "front matter is not closed: add a '---' line after the YAML keys")
        return None
    try:
        meta = yaml.load(fm_text, Loader=_YAML_LOADER)  # safe: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # line 1 is the opening '---'
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        found.err(line, f"front matter is not valid YAML: {reason}")
        return None
    except ValueError as exc:  # a date YAML recognises but cannot build: updated: 2026-13-01
        offset = text[:text.find(fm_text)].count("\n") if fm_text else 0
        found.err(_first_date_line(fm_text, offset), f"front matter has a date that does not exist ({exc}): "
                                             "write a real day, e.g. 2026-10-14")
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        found.err(2, "front matter must be a mapping of keys to values (key: value)")
        return None
    fm_pos = text.find(fm_text) if fm_text else len("---\n")
    found.lines = _key_lines(fm_text, offset=text[:fm_pos].count("\n"))
    closing = re.search(r"^---\s*$", text[fm_pos + len(fm_text):], re.M)
    header_end = fm_pos + len(fm_text) + (closing.end() if closing else 0)
    body_line = text[:header_end].count("\n") + 2
    body = text[header_end:].removeprefix("\n")  # exactly the lines after the closing '---'
    return meta, body, body_line


def _check_keys(meta: dict, found: _Findings, default_lang: str | None) -> None:
    """Unknown keys (warnings) and missing required ones; fills in the default language."""
    for key in meta:
        if str(key) not in KNOWN_KEYS:
            found.warn(found.at(str(key)), f"unknown key '{key}' (known keys: {', '.join(sorted(KNOWN_KEYS))})")
    if default_lang and "lang" not in meta:
        meta["lang"] = default_lang
    for key in REQUIRED_KEYS:
        if key not in meta or meta[key] is None or (isinstance(meta[key], str) and not meta[key].strip()):
            found.err(1 if key not in meta else found.at(key), f"missing required key '{key}'")


def _text_value(meta: dict, key: str, found: _Findings) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list, bool)):
        found.err(found.at(key), f"'{key}' must be text, not {type(value).__name__}")
        return None
    return str(value).strip()


def _list_value(meta: dict, key: str, found: _Findings, expected: str) -> tuple[str, ...]:
    if meta.get(key) is None:
        return ()
    parsed = _str_list(meta[key])
    if parsed is None:
        found.err(found.at(key), expected)
        return ()
    return parsed


def _updated_value(meta: dict, found: _Findings) -> dt.date | None:
    updated = meta.get("updated")
    if isinstance(updated, dt.datetime):
        return updated.date()
    if isinstance(updated, str):
        try:
            return dt.date.fromisoformat(updated.strip())
        except ValueError:
            found.err(found.at("updated"), f"'updated' must be a date like 2026-10-14, not '{updated}'")
            return None
    if updated is not None and not isinstance(updated, dt.date):
        found.err(found.at("updated"), "'updated' must be a date like 2026-10-14")
        return None
    return updated


def _parse_text(text: str, shown: str, ident: str,
                default_lang: str | None) -> tuple[Article | None, tuple[Problem, ...]]:
    found = _Findings(shown)
    split = _split_front_matter(text, found)
    if split is None:
        return None, tuple(found.problems)
    meta, body, body_line = split
    _check_keys(meta, found, default_lang)
    title = _text_value(meta, "title", found)
    category = _text_value(meta, "category", found)
    summary = _text_value(meta, "summary", found) or ""
    translation = _text_value(meta, "translation", found)
    lang = _text_value(meta, "lang", found)
    if lang and not is_language(lang):
        found.err(found.at("lang"), f"unknown language '{lang}': use a two-letter ISO 639-1 code such as 'de' or 'en'")
    audience = meta.get("audience", "public")
    if audience not in AUDIENCES:
        found.err(found.at("audience"), f"unknown audience '{audience}': use 'public' or 'internal'")
    tags = _list_value(meta, "tags", found, "'tags' must be a list of words, e.g. tags: [versand, paket]")
    questions = _list_value(meta, "questions", found,
                            "'questions' must be a list of questions, one per '- ' line")
    for question in questions:
        if len(question) > MAX_QUERY_CHARS or not any(ch.isalnum() for ch in question):
            found.warn(found.at("questions"), f"the question '{question[:40]}…' is longer than the search box "
                       f"takes ({MAX_QUERY_CHARS} characters) or has no words: customers cannot ask it so")
    updated = _updated_value(meta, found)
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        found.err(found.at("draft"), "'draft' must be true or false")
        draft = False
    if not body.strip():
        found.err(body_line, "empty body: the article has no text below the front matter")
    if found.failed:
        return None, tuple(found.problems)
    article = Article(
        id=ident, path=shown, title=title or "", lang=lang or "", category=category or "",
        body=body, body_line=body_line, tags=tags, summary=summary, audience=str(audience),
        questions=questions, translation=translation or None, updated=updated, draft=draft,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), key_lines=found.lines,
    )
    return article, tuple(found.problems)


def load_articles(
    root: Path, default_lang: str | None = None
) -> tuple[list[Article], list[Problem]]:
    """Parse every article below root; bad files become problems, never exceptions."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"articles folder not found: {root}")
    articles: list[Article] = []
    problems: list[Problem] = []
    for path in find_article_files(root):
        if path.is_symlink():  # its text may come from anywhere on the server (the editor refuses them too)
            problems.append(Problem(str(path), 1, "error", SYMLINK_REFUSED))
            continue
        article, found = parse_article(path, root, default_lang)
        problems.extend(found)
        if article is not None:
            articles.append(article)
    return articles, problems

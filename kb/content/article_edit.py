"""An article as an editor's form: front matter <-> fields, safe paths, and `kb check` on a draft.

The files stay the single source of truth: the browser reads a file into a
form and writes the form back as the same Markdown with YAML front matter, so
an article edited in the browser and one edited in a text editor look alike
and `kb check` judges both by the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import frontmatter
import yaml

from kb.content.article_ids import id_problem
from kb.content.articles import ARTICLE_SUFFIXES, KNOWN_KEYS, Article, Problem, load_articles, parse_article
from kb.content.check import article_links, collection_problems, image_problems
from kb.content.front_matter_layout import kept_layout
from kb.content.front_matter_questions import DEFAULT_INDENT, yaml_scalar
from kb.content.front_matter_repair import readable_part

FORM_DEFAULTS = {"audience": "public"}  # what the form leaves out of the front matter, besides empty values
FRONT_MATTER_ORDER = ("title", "lang", "category", "tags", "summary", "audience", "questions",
                      "translation", "updated", "draft")
FLOW_LISTS = ("tags",)  # tags: [a, b] on one line, as the sample articles write them
ITEM_LISTS = ("questions",)  # one "  - " line per item, as the sample articles and `kb questions accept`


class EditError(ValueError):
    """A request the editor cannot carry out; the message says why (shown in the form)."""


@dataclass
class ArticleForm:
    """The fields of the edit page; ``extra`` keeps front matter keys the form does not show."""

    title: str = ""
    lang: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    audience: str = "public"
    questions: tuple[str, ...] = ()
    translation: str = ""
    draft: bool = True
    updated: dt.date | None = None
    body: str = ""
    extra: dict = field(default_factory=dict)
    repaired: bool = False  # read from a file whose front matter did not parse
    unreadable: tuple[str, ...] = ()  # its front matter lines no key could be read from


def version_of(text: str | None) -> str:
    """The version an edit starts from: a digest of the file's text ('' for no file)."""
    return "" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def validate_id(article_id: str) -> str:
    """The id itself, or EditError: ids map to files below articles/ and nowhere else."""
    problem = id_problem(article_id)
    if problem is not None:
        raise EditError(problem)
    return article_id.strip()


def _inside(root: Path, path: Path) -> bool:
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    return real == real_root or real_root in real.parents


def article_file(root: Path, article_id: str) -> Path:
    """The file of ``article_id`` below ``root`` (existing ``.md``/``.markdown`` or a new ``.md``).

    Raises EditError when the id is malformed or the path (through a symlink
    anywhere on the way) would lead outside ``root``.
    """
    ident = validate_id(article_id)
    root = Path(root)
    candidates = [root / f"{ident}{suffix}" for suffix in ARTICLE_SUFFIXES]
    path = next((p for p in candidates if p.exists() or p.is_symlink()), candidates[0])
    if path.is_symlink() or not _inside(root, path):
        raise EditError(f"'{ident}' points outside the articles folder (a symbolic link): "
                        "edit that file on the server instead")
    if path.exists() and not path.is_file():
        raise EditError(f"'{ident}' is a folder, not an article")
    return path


def file_text(path: Path) -> str | None:
    """The file's text exactly as written (BOM and CR/LF line ends kept), or None when it is
    missing or unreadable: what a save keeps the layout of (``text_from_form(like=...)``)."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def as_read(text: str) -> str:
    """A file's text as parsing sees it: BOM dropped, LF line ends (what versions are taken of)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def read_text(path: Path) -> str | None:
    """The file's text as parsing sees it (:func:`as_read`), or None when it is missing."""
    try:
        return as_read(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise EditError(f"cannot read {path.name}: {exc}") from exc


def form_from_text(text: str) -> ArticleForm:
    """Fields from a file's text. Front matter that does not read as a whole (not closed, not
    valid YAML) is read key by key (kb/content/front_matter_repair.py): its lines never land in
    the body, the lines no key could be read from are in ``unreadable``, and the form is a
    draft (the file is not published; publishing it is the editor's choice)."""
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError, TypeError):  # invalid YAML, a date that does not exist, a list
        post = None
    repaired = readable_part(text) if post is None or not post.metadata else None  # not closed: no metadata
    if repaired is not None:
        body = repaired.body.strip("\n")
        form = _form_of(repaired.meta, body + "\n" if body else "")
        form.draft, form.unreadable, form.repaired = True, repaired.unreadable, True
        return form
    if post is None:
        return ArticleForm(body=text, draft=True, repaired=True)
    return _form_of(dict(post.metadata), post.content + "\n" if post.content else "")


def _form_of(meta: dict, body: str) -> ArticleForm:
    def words(value) -> tuple[str, ...]:
        if isinstance(value, list):
            return tuple(str(v).strip() for v in value if str(v).strip())
        return (str(value).strip(),) if value not in (None, "") else ()

    updated = meta.get("updated")
    return ArticleForm(
        title=str(meta.get("title") or ""), lang=str(meta.get("lang") or ""),
        category=str(meta.get("category") or ""), tags=words(meta.get("tags")),
        summary=str(meta.get("summary") or ""), audience=str(meta.get("audience") or "public"),
        questions=words(meta.get("questions")), translation=str(meta.get("translation") or ""),
        draft=meta.get("draft") is True,
        updated=updated if isinstance(updated, dt.date) else None,
        body=body,
        extra={k: v for k, v in meta.items() if str(k) not in KNOWN_KEYS})


def tags_field(tags) -> str:
    """The tags as the form's one line: separated by commas, a tag that holds a comma or a
    double quote written in double quotes ("rücksendung, kostenlos" stays one tag)."""
    return ", ".join('"' + t.replace('"', '""') + '"' if ("," in t or '"' in t) else t for t in tags)


def tags_from_field(text: str) -> tuple[str, ...]:
    """The tags of the form's line (:func:`tags_field`)."""
    row = next(csv.reader([text.replace("\r", " ").replace("\n", " ")], skipinitialspace=True), [])
    return tuple(t.strip() for t in row if t.strip())


def _yaml_line(key: str, value) -> str:
    """``key: value`` as the form writes it: a list of questions one indented line per item, plain
    or double-quoted, as `kb questions accept` adds one (kb/content/front_matter_questions.py), so
    a list the browser started and one the command extends look alike."""
    if key in FLOW_LISTS:
        return f"{key}: " + yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True)
    if key in ITEM_LISTS:
        return f"{key}:\n" + "".join(f"{DEFAULT_INDENT}- {yaml_scalar(item)}\n" for item in value)
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=False)


def text_from_form(form: ArticleForm, like: str | None = None) -> str:
    """The file's text: front matter in the usual key order (as the sample articles), then the
    body; with ``like`` (the file as it is), the keys the form leaves unchanged keep their lines
    (kb/content/front_matter_layout.py)."""
    values = {"title": form.title.strip(), "lang": form.lang.strip(), "category": form.category.strip(),
              "tags": list(form.tags) or None, "summary": form.summary.strip() or None,
              "audience": form.audience if form.audience != "public" else None,
              "questions": list(form.questions) or None, "translation": form.translation.strip() or None,
              "updated": form.updated, "draft": True if form.draft else None}
    lines = ["---\n"]
    for key in FRONT_MATTER_ORDER:
        if values[key] is not None and values[key] != "":
            lines.append(_yaml_line(key, values[key]))
    for key, value in form.extra.items():
        lines.append(_yaml_line(str(key), value))
    body = form.body.replace("\r\n", "\n").strip("\n")
    return kept_layout(like, "".join(lines) + "---\n" + body + "\n", FORM_DEFAULTS)


def touched(form: ArticleForm, today: dt.date | None = None) -> ArticleForm:
    """The form with ``updated`` set to today: every save is an update readers may see."""
    return replace(form, updated=today or dt.date.today())


def draft_problems(root: Path, article_id: str, text: str, replaces: str | None = None,
                   default_lang: str | None = None) -> list[Problem]:
    """`kb check` on the folder as it would be with ``text`` saved as ``article_id``.

    ``replaces`` is the id the draft takes the place of (a rename); problems
    are those of the draft itself, with paths shown as its id.
    """
    others = [a for a in _on_disk(root, default_lang) if a.id not in (article_id, replaces)]
    with tempfile.TemporaryDirectory(prefix="kb-draft-") as tmp:
        path = Path(tmp) / f"{article_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        draft, problems = parse_article(path, Path(tmp), default_lang)
    shown = str(path)
    if draft is not None:
        problems += [p for p in collection_problems([*others, draft]) if p.path == shown]
        problems += image_problems(draft, root)  # uploaded images are looked for where they are
    return sorted((replace(p, path=article_id) for p in problems),
                  key=lambda p: (p.severity != "error", p.line))


def _on_disk(root: Path, default_lang: str | None) -> list[Article]:
    try:
        return load_articles(Path(root), default_lang)[0]
    except FileNotFoundError:
        return []


def incoming_links(root: Path, article_id: str, default_lang: str | None = None) -> list[tuple[str, int]]:
    """(article id, line) of every other article that links to ``article_id``."""
    return sorted((a.id, link.line) for a in _on_disk(root, default_lang) if a.id != article_id
                  for link in article_links(a) if link.target == article_id)


def all_articles(root: Path, default_lang: str | None = None) -> list[Article]:
    """Every valid article on disk, drafts and internal ones included (the editor's list)."""
    return _on_disk(root, default_lang)

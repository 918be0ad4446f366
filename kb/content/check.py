"""`kb check`: the editor's linter.

Per-file rules live in :mod:`kb.articles` (parsing); the rules here need the
whole collection: duplicate ids and titles, translation keys, and links between
articles. A bad file never stops the others from being checked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from urllib.parse import urlsplit

from kb.content.article_ids import MAX_ID_SEGMENTS, id_problem, suggested_id
from kb.content.articles import ARTICLE_SUFFIXES, Article, Problem, load_articles
from kb.content.markdown import image_sources, parse_blocks, raw_html, resolve_article_link
from kb.content.media import MEDIA_URL, media_file
from kb.content.text_memo import TextMemo


@dataclass(frozen=True)
class Link:
    target: str  # article id the link points to
    line: int  # line in the file


# What `kb index` does with an article whose link cannot be followed by its readers: the
# article is published, the link shows as plain text with no target (kb/content/markdown.py
# render_html), so no customer page names or links an internal or missing article.
LINK_TEXT_ONLY = "the article is published with the link's text only, without the link"

# a long-running `kb index --watch` parses only the bodies that changed
_LINKS: TextMemo[tuple[Link, ...]] = TextMemo()


def article_links(article: Article) -> list[Link]:
    """Relative links to other article files (``../versand/x.md#anchor``).

    Parsed with a CommonMark parser so links inside code blocks are ignored.
    """
    if not any(mark in article.body for mark in (*ARTICLE_SUFFIXES, "%", "&")):
        return []  # no article file named, even escaped: nothing to parse (most articles)
    # links resolve relative to the article's id; their lines count from its first body line
    return list(_LINKS.get(article.body, lambda: tuple(_parse_links(article)), article.id, article.body_line))


def _parse_links(article: Article) -> list[Link]:
    links: list[Link] = []
    for token in parse_blocks(article.body):
        if token.type != "inline" or not token.children:
            continue
        line = article.body_line + (token.map[0] if token.map else 0)
        for child in token.children:
            if child.type != "link_open":
                continue
            resolved = resolve_article_link(article.id, str(child.attrs.get("href", "")))
            if resolved is not None:
                links.append(Link(resolved[0], line))
    return links


RAW_HTML = ("HTML is shown to readers as text, tags and all ({tags}): write it in Markdown "
            "(**bold**, [link](…), lists, tables)")


def html_problems(article: Article) -> list[Problem]:
    """A warning for each line with HTML, naming its tags: the editor sees which to replace."""
    return [Problem(article.path, article.body_line + line, "warning", RAW_HTML.format(tags=", ".join(tags)))
            for line, tags in raw_html(article.body).items()]


def image_problems(article: Article, root: Path) -> list[Problem]:
    """Images the portal cannot show: from another site (its security policy, ``img-src
    'self'``, blocks them), a path it does not serve, an uploaded image missing from
    ``media/``. The article is published; the image shows as its alt text."""
    problems = []
    for line, src in image_sources(article.body):
        problem = _image_problem(src, root)
        if problem:
            problems.append(Problem(article.path, article.body_line + line, "warning", problem))
    return problems


def _image_problem(src: str, root: Path) -> str | None:
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        return (f"image from another site ({parts.netloc or parts.scheme}): the portal shows only its own "
                "images; add it with 'Add an image' in the editor")
    if not src.startswith(MEDIA_URL):
        return f"image '{src[:100]}' is not served by the portal: add it with 'Add an image' in the editor"
    if media_file(root, src[len(MEDIA_URL):]) is None:
        return f"image '{src[:100]}' is missing from the media folder"
    return None


# A warning, not an error: customers are served the article all the same, and an error would
# fail `kb check` and `kb index --strict` for files written by hand that read fine on the portal.
NOT_EDITABLE_ID = ("the file name makes the id '{id}', which the browser editor cannot open, rename or "
                   "delete (ids there are lower-case letters, digits, '-' and '_', in at most {n} parts "
                   "separated by '/'): rename the file, e.g. to '{suggestion}.md'")


def id_problems(article: Article) -> list[Problem]:
    """An article whose id the browser editor refuses (kb/content/article_ids.py)."""
    if id_problem(article.id) is None:
        return []
    return [Problem(article.path, 1, "warning",
                    NOT_EDITABLE_ID.format(id=article.id, n=MAX_ID_SEGMENTS,
                                           suggestion=suggested_id(article.id)))]


def check_articles(root: Path, default_lang: str | None = None) -> tuple[list[Article], list[Problem]]:
    """Run every rule over the folder; returns the valid articles and all problems."""
    articles, problems = load_articles(Path(root), default_lang)
    problems.extend(collection_problems(articles))
    problems.extend(p for a in articles for p in image_problems(a, Path(root)))
    problems.extend(p for a in articles for p in html_problems(a))
    problems.extend(p for a in articles for p in id_problems(a))
    problems.sort(key=lambda p: (p.path, p.line, p.severity, p.message))
    return articles, problems


def collection_problems(articles: list[Article]) -> list[Problem]:
    """Rules that compare articles with each other."""
    problems: list[Problem] = []
    by_key: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_key[a.id.casefold()].append(a)
    for same in by_key.values():
        if len(same) > 1:
            for a in same:
                others = ", ".join(o.path for o in same if o is not a)
                problems.append(Problem(a.path, 1, "error",
                                        f"duplicate article id '{a.id}' (also {others}): rename one file"))
    ids = {a.id: a for a in articles}

    titles: dict[tuple[str, str], list[Article]] = defaultdict(list)
    translations: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for a in articles:
        if a.draft:
            continue
        titles[(a.lang, a.title.casefold())].append(a)
        if a.translation:
            translations[(a.lang, a.translation)].append(a)
    for (lang, _), same in titles.items():
        if len(same) > 1:
            for a in same:
                others = ", ".join(o.path for o in same if o is not a)
                problems.append(Problem(a.path, a.key_lines.get("title", 1), "warning",
                                        f"duplicate title '{a.title}' in language '{lang}' (also {others})"))
    for (lang, key), same in translations.items():
        if len(same) > 1:
            for a in same:
                others = ", ".join(o.path for o in same if o is not a)
                problems.append(Problem(
                    a.path, a.key_lines.get("translation", 1), "error",
                    f"translation key '{key}' is used by another '{lang}' article too ({others}): "
                    "each language may have one version per key"))

    for a in articles:
        published = "" if a.draft else f" ({LINK_TEXT_ONLY})"
        for link in article_links(a):
            target = ids.get(link.target)
            if target is None:
                problems.append(Problem(a.path, link.line, "error",
                                        f"link to a missing article '{link.target}'{published}"))
            elif a.public and not target.public:
                problems.append(Problem(a.path, link.line, "error",
                                        f"public article links to internal article '{target.id}': "
                                        f"customers never see internal articles{published}; "
                                        "remove the link or make the target public"))
            elif target.draft and not a.draft:
                problems.append(Problem(a.path, link.line, "warning",
                                        f"link to draft article '{target.id}', which is not published"))
    return problems


def summary(articles: list[Article], problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems} | {a.path for a in articles})
    return (f"{files} files checked, {len(articles)} valid articles: "
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")

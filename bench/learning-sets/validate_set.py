"""Checks shared by the learning sets' own `validate.py` scripts: format, counts, ids,
duplicates, front matter and sections. Each set's script gives its languages and counts.

A set is written by hand and checked by this script only (no product code), so it stays
independent of what it measures; tests/test_learning_sets.py checks it against `kb check`.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

KEYS = {"query", "expected", "lang", "split"}
REQUIRED_FM = ("title", "lang", "category", "tags", "summary")
FORBIDDEN_FM = ("questions", "translation")
SPLITS = ("train", "test", "offtopic")
SECTIONS = (2, 4)  # '## ' sections per article
WORDS = (150, 350)  # words per article body
PER_ARTICLE = 10  # train (and test) questions per article, unless a set says otherwise


def parse_front_matter(text: str):
    """(front matter as flat key -> text, body); lines that are not ``key: value`` under ``_bad``."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return None, text
    fm: dict = {}
    for ln in text[4:end].splitlines():
        m = re.match(r"^([A-Za-z_]+):\s*(.*)$", ln)
        if m:
            fm[m.group(1)] = m.group(2).strip()
        elif ln.strip():
            fm.setdefault("_bad", []).append(ln)
    return fm, text[end + 5:]


def check_article(path: Path, name: str, lang: str) -> list[str]:
    errors = []
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem):
        errors.append(f"{name}: slug not lower-case ascii with hyphens")
    fm, body = parse_front_matter(path.read_text(encoding="utf-8"))
    if fm is None:
        return errors + [f"{name}: no front matter"]
    if fm.get("_bad"):
        errors.append(f"{name}: unparsable front matter lines {fm['_bad']}")
    errors += [f"{name}: front matter lacks {k}" for k in REQUIRED_FM if not fm.get(k)]
    errors += [f"{name}: front matter must not have {k}" for k in FORBIDDEN_FM if k in fm]
    extra = set(fm) - set(REQUIRED_FM) - set(FORBIDDEN_FM) - {"_bad"}
    if extra:
        errors.append(f"{name}: unexpected front matter keys {sorted(extra)}")
    if fm.get("lang") != lang:
        errors.append(f"{name}: lang is {fm.get('lang')!r}, not {lang}")
    if not re.fullmatch(r"\[[^\[\]]+\]", fm.get("tags", "")):
        errors.append(f"{name}: tags not a [list]")
    sections = [ln for ln in body.splitlines() if ln.startswith("## ")]
    if not SECTIONS[0] <= len(sections) <= SECTIONS[1]:
        errors.append(f"{name}: {len(sections)} '## ' sections (want {SECTIONS[0]}-{SECTIONS[1]})")
    words = len(body.split())
    if not WORDS[0] <= words <= WORDS[1]:
        errors.append(f"{name}: {words} words in body (want {WORDS[0]}-{WORDS[1]})")
    return errors


def check_rows(folder: Path, split: str, slugs: dict[str, set], seen: dict, per_article: Counter,
               per_lang: Counter) -> tuple[int, list[str]]:
    """One jsonl file: its line count and problems; fills ``seen``, ``per_article``, ``per_lang``."""
    name, errors, n = f"{split}.jsonl", [], 0
    for i, ln in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), 1):
        if not ln.strip():
            errors.append(f"{name}:{i}: empty line")
            continue
        n += 1
        try:
            row = json.loads(ln)
        except json.JSONDecodeError as e:
            errors.append(f"{name}:{i}: bad json: {e}")
            continue
        if not isinstance(row, dict) or set(row) != KEYS:
            errors.append(f"{name}:{i}: keys {sorted(row) if isinstance(row, dict) else type(row)} != {sorted(KEYS)}")
            continue
        q, exp, lang = row["query"], row["expected"], row["lang"]
        if not isinstance(q, str) or not q.strip() or q != q.strip():
            errors.append(f"{name}:{i}: empty query or surrounding whitespace")
            continue
        if lang not in slugs:
            errors.append(f"{name}:{i}: lang {lang!r}")
            continue
        per_lang[lang] += 1
        if row["split"] != split:
            errors.append(f"{name}:{i}: split {row['split']!r} in {name}")
        if split == "offtopic":
            if exp is not None:
                errors.append(f"{name}:{i}: offtopic expected must be null")
        elif isinstance(exp, str) and exp.startswith(lang + "/") and exp[len(lang) + 1:] in slugs[lang]:
            per_article[exp] += 1
        else:
            errors.append(f"{name}:{i}: expected {exp!r} has no article file in articles/{lang}/")
        key = q.casefold()
        if key in seen:
            errors.append(f"{name}:{i}: duplicate query {q!r} (also {seen[key]})")
        else:
            seen[key] = f"{name}:{i}"
    return n, errors


def main(folder: Path, langs: tuple[str, ...], n_articles: int, per_lang: dict[str, int],
         per_article_split: int = PER_ARTICLE) -> None:
    """Print the counts and OK, or the problems and exit 1. ``per_lang``: lines per split and
    language; ``per_article_split``: train (and test) questions per article."""
    errors: list[str] = []
    slugs: dict[str, set] = {}
    for lang in langs:
        files = sorted((folder / "articles" / lang).glob("*.md"))
        if len(files) != n_articles:
            errors.append(f"articles/{lang}: {len(files)} articles, want {n_articles}")
        slugs[lang] = {p.stem for p in files}
        for path in files:
            errors += check_article(path, f"{lang}/{path.name}", lang)
    seen: dict = {}
    counts = {}
    for split in SPLITS:
        per_article, by_lang = Counter(), Counter()
        counts[split], found = check_rows(folder, split, slugs, seen, per_article, by_lang)
        errors += found
        errors += [f"{split}.jsonl: {by_lang[lang]} {lang} lines, want {per_lang[split]}"
                   for lang in langs if by_lang[lang] != per_lang[split]]
        if split != "offtopic":
            errors += [f"{split}.jsonl: {per_article[f'{lang}/{s}']} queries for {lang}/{s}, want {per_article_split}"
                       for lang in langs for s in sorted(slugs[lang])
                       if per_article[f"{lang}/{s}"] != per_article_split]
    by_lang = ", ".join(f"{lang} {len(slugs[lang])}" for lang in langs)
    print(f"articles: {sum(len(s) for s in slugs.values())} ({by_lang})")
    for split, n in counts.items():
        print(f"{split}.jsonl: {n}")
    print(f"distinct queries (case-folded): {len(seen)}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("OK")

#!/usr/bin/env python3
"""Validate the Kaufhaus Lindner German evaluation set. Exit code 1 on any problem."""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles" / "de"
KEYS = {"query", "expected", "lang", "split"}
EXPECTED_COUNTS = {"train.jsonl": 170, "test.jsonl": 170, "offtopic.jsonl": 40}
REQUIRED_FM = ("title", "lang", "category", "tags", "summary")
FORBIDDEN_FM = ("questions", "translation")

errors = []


def err(msg):
    errors.append(msg)


def parse_front_matter(text):
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return None, text
    fm = {}
    for ln in text[4:end].splitlines():
        m = re.match(r"^([A-Za-z_]+):\s*(.*)$", ln)
        if m:
            fm[m.group(1)] = m.group(2).strip()
    return fm, text[end + 5:]


# --- articles ---
slugs = set()
article_files = sorted(ARTICLES.glob("*.md"))
for path in article_files:
    slug = path.stem
    slugs.add(slug)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        err(f"{path.name}: slug not lower-case ascii with hyphens")
    fm, body = parse_front_matter(path.read_text(encoding="utf-8"))
    if fm is None:
        err(f"{path.name}: no front matter")
        continue
    for k in REQUIRED_FM:
        if not fm.get(k):
            err(f"{path.name}: front matter lacks {k}")
    for k in FORBIDDEN_FM:
        if k in fm:
            err(f"{path.name}: front matter must not have {k}")
    if fm.get("lang") != "de":
        err(f"{path.name}: lang is {fm.get('lang')!r}, not de")
    if not re.fullmatch(r"\[[^\[\]]+\]", fm.get("tags", "")):
        err(f"{path.name}: tags not a [list]")
    sections = [ln for ln in body.splitlines() if ln.startswith("## ")]
    if not 2 <= len(sections) <= 4:
        err(f"{path.name}: {len(sections)} '## ' sections (want 2-4)")
    words = len(body.split())
    if not 150 <= words <= 350:
        err(f"{path.name}: {words} words in body (want 150-350)")
if len(article_files) != 17:
    err(f"{len(article_files)} articles, want 17")

# --- jsonl files ---
seen = {}
per_article = {"train.jsonl": Counter(), "test.jsonl": Counter()}
counts = {}
for name, want in EXPECTED_COUNTS.items():
    path = HERE / name
    n = 0
    split = name.split(".")[0]
    for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not ln.strip():
            err(f"{name}:{i}: empty line")
            continue
        n += 1
        try:
            row = json.loads(ln)
        except json.JSONDecodeError as e:
            err(f"{name}:{i}: bad json: {e}")
            continue
        if not isinstance(row, dict) or set(row) != KEYS:
            err(f"{name}:{i}: keys {sorted(row) if isinstance(row, dict) else type(row)} != {sorted(KEYS)}")
            continue
        q, exp = row["query"], row["expected"]
        if not isinstance(q, str) or not q.strip():
            err(f"{name}:{i}: empty query")
            continue
        if row["lang"] != "de":
            err(f"{name}:{i}: lang {row['lang']!r}")
        if row["split"] != split:
            err(f"{name}:{i}: split {row['split']!r} in {name}")
        if split == "offtopic":
            if exp is not None:
                err(f"{name}:{i}: offtopic expected must be null")
        else:
            if not (isinstance(exp, str) and exp.startswith("de/") and exp[3:] in slugs):
                err(f"{name}:{i}: expected {exp!r} has no article file")
            else:
                per_article[name][exp] += 1
        key = q.strip().casefold()
        if key in seen:
            err(f"{name}:{i}: duplicate query {q!r} (also {seen[key]})")
        else:
            seen[key] = f"{name}:{i}"
    counts[name] = n
    if n != want:
        err(f"{name}: {n} lines, want {want}")

for name, c in per_article.items():
    for slug in sorted(slugs):
        if c["de/" + slug] != 10:
            err(f"{name}: {c['de/' + slug]} queries for de/{slug}, want 10")

print(f"articles: {len(article_files)}")
for name, n in counts.items():
    print(f"{name}: {n}")
print(f"distinct queries (case-folded): {len(seen)}")
if errors:
    print(f"\n{len(errors)} problem(s):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK")

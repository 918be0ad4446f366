#!/usr/bin/env python3
"""Validate the Pfotenwelt German/English evaluation set. Exit code 1 on any problem."""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = ("de", "en")
N_ARTICLES = 22
KEYS = {"query", "expected", "lang", "split"}
EXPECTED_COUNTS = {"train.jsonl": 440, "test.jsonl": 440, "offtopic.jsonl": 80}
PER_LANG = {"train.jsonl": 220, "test.jsonl": 220, "offtopic.jsonl": 40}
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
        elif ln.strip():
            fm.setdefault("_bad", []).append(ln)
    return fm, text[end + 5:]


# --- articles ---
slugs = {lang: set() for lang in LANGS}
n_articles = 0
for lang in LANGS:
    files = sorted((HERE / "articles" / lang).glob("*.md"))
    n_articles += len(files)
    if len(files) != N_ARTICLES:
        err(f"articles/{lang}: {len(files)} articles, want {N_ARTICLES}")
    for path in files:
        name = f"{lang}/{path.name}"
        slug = path.stem
        slugs[lang].add(slug)
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
            err(f"{name}: slug not lower-case ascii with hyphens")
        fm, body = parse_front_matter(path.read_text(encoding="utf-8"))
        if fm is None:
            err(f"{name}: no front matter")
            continue
        if fm.get("_bad"):
            err(f"{name}: unparsable front matter lines {fm['_bad']}")
        for k in REQUIRED_FM:
            if not fm.get(k):
                err(f"{name}: front matter lacks {k}")
        for k in FORBIDDEN_FM:
            if k in fm:
                err(f"{name}: front matter must not have {k}")
        extra = set(fm) - set(REQUIRED_FM) - {"_bad"}
        if extra:
            err(f"{name}: unexpected front matter keys {sorted(extra)}")
        if fm.get("lang") != lang:
            err(f"{name}: lang is {fm.get('lang')!r}, not {lang}")
        if not re.fullmatch(r"\[[^\[\]]+\]", fm.get("tags", "")):
            err(f"{name}: tags not a [list]")
        for k in ("title", "category", "summary"):
            v = fm.get(k, "")
            # keep plain YAML scalars safe: no ': ', no ' #', no leading special character
            if ": " in v or " #" in v or (v and v[0] in "[]{}&*!|>'\"%@`#,?:-"):
                err(f"{name}: {k} is not a safe plain YAML scalar: {v!r}")
        sections = [ln for ln in body.splitlines() if ln.startswith("## ")]
        if not 2 <= len(sections) <= 4:
            err(f"{name}: {len(sections)} '## ' sections (want 2-4)")
        words = len(body.split())
        if not 150 <= words <= 350:
            err(f"{name}: {words} words in body (want 150-350)")

# --- jsonl files ---
seen = {}
per_article = {"train.jsonl": Counter(), "test.jsonl": Counter()}
counts = {}
for name, want in EXPECTED_COUNTS.items():
    path = HERE / name
    n = 0
    per_lang = Counter()
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
        q, exp, lang = row["query"], row["expected"], row["lang"]
        if not isinstance(q, str) or not q.strip() or q != q.strip():
            err(f"{name}:{i}: empty query or surrounding whitespace")
            continue
        if lang not in LANGS:
            err(f"{name}:{i}: lang {lang!r}")
            continue
        per_lang[lang] += 1
        if row["split"] != split:
            err(f"{name}:{i}: split {row['split']!r} in {name}")
        if split == "offtopic":
            if exp is not None:
                err(f"{name}:{i}: offtopic expected must be null")
        else:
            if not (isinstance(exp, str) and exp.startswith(lang + "/") and exp[3:] in slugs[lang]):
                err(f"{name}:{i}: expected {exp!r} has no article file in articles/{lang}/")
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
    for lang in LANGS:
        if per_lang[lang] != PER_LANG[name]:
            err(f"{name}: {per_lang[lang]} {lang} lines, want {PER_LANG[name]}")

for name, c in per_article.items():
    for lang in LANGS:
        for slug in sorted(slugs[lang]):
            if c[f"{lang}/{slug}"] != 10:
                err(f"{name}: {c[lang + '/' + slug]} queries for {lang}/{slug}, want 10")

print(f"articles: {n_articles} (" + ", ".join(f"{lang} {len(slugs[lang])}" for lang in LANGS) + ")")
for name, n in counts.items():
    print(f"{name}: {n}")
print(f"distinct queries (case-folded): {len(seen)}")
if errors:
    print(f"\n{len(errors)} problem(s):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK")

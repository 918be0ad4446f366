#!/usr/bin/env python3
"""Validate the Gartenwerk German/English learning set. Exit code 1 on any problem."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from validate_set import main  # noqa: E402

main(HERE, langs=("de", "en"), n_articles=30, per_lang={"train": 150, "test": 150, "offtopic": 20},
     per_article_split=5)

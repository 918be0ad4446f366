#!/usr/bin/env python3
"""Validate the Kaufhaus Lindner German evaluation set. Exit code 1 on any problem."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from validate_set import main  # noqa: E402

main(HERE, langs=("de",), n_articles=17, per_lang={"train": 170, "test": 170, "offtopic": 40})

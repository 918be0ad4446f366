#!/usr/bin/env python3
"""Validate the Pfotenwelt German/English evaluation set. Exit code 1 on any problem."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from validate_set import main  # noqa: E402

main(HERE, langs=("de", "en"), n_articles=22, per_lang={"train": 220, "test": 220, "offtopic": 40})

#!/usr/bin/env python3
"""Validate the Nordfaden German/English evaluation set. Exit code 1 on any problem."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from validate_set import main  # noqa: E402

main(HERE, langs=("de", "en"), n_articles=18, per_lang={"train": 180, "test": 180, "offtopic": 30})

"""``python -m kb.cli``: the same command line as the ``kb`` entry point."""

from kb.cli import main

main()

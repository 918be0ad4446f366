"""Answering questions from a loaded index: ranking, snippets, the answered model, evaluation.

May import ``kb.content``, ``kb.encoders`` and ``kb.index`` (the loaded index,
never the builder). The CLI and the web layer call the same engine.
"""

"""The published index: layout on disk, building, loading, the keyword index, watching.

Builds vectors (through ``kb.encoders``) and a keyword index from the passages of
``kb.content`` and publishes them atomically; loads a published build for
searching. May import ``kb.content`` and ``kb.encoders``; the loaded index
(``loaded``) never imports the builder (``build``).
"""

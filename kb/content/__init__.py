"""Articles as editors write them: Markdown files -> checked articles -> sections -> passages.

The first stage of the pipeline. Reads article files, checks them, renders
Markdown, splits articles into sections and the passages that get encoded;
and the text rules every stage shares: masking personal data, greetings and
thanks, word forms, phrasings. Imports nothing from the other stages of ``kb``.
"""

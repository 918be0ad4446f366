"""Articles as editors write them: Markdown files -> checked articles -> sections -> passages.

The first stage of the pipeline. Reads article files, checks them, renders
Markdown, splits articles into sections and the passages that get encoded.
Imports nothing from the other stages of ``kb``.
"""

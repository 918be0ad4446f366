"""What a new build takes over from the build being served.

Vectors of unchanged texts (also from the older formats 3 to 5, which stored
the same passages and hashes in another layout), the sections and stems of
unchanged articles, and the keyword index. Anything unreadable or built
differently is simply not reused: the build then does that part from scratch.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from kb.content.articles import Article
from kb.content.passages import encoded_rows
from kb.content.sections import Section
from kb.encoders import Encoder
from kb.index import dictionary
from kb.index.keyword import analyzer_settings
from kb.index.layout import (CURRENT, FORMAT_VERSION, ManifestError, centre_adapter_path, nodes_path,
                             read_manifest, vectors_path)
from kb.index.vectors import index_vectors
from kb.index.vocabulary import known_stems

# formats whose vectors can be reused: same passages and hashes, other storage
REUSABLE_FORMATS = {3, 4, 5, 8, 9, 10, 11, FORMAT_VERSION}
FIRST_MONOLINGUAL_FORMAT = 5  # from here a monolingual encoder covers only its languages
FIRST_NODES_FORMAT = 6  # from here passages map to distinct texts' vectors (nodes.npy)


def served_manifest(location: Path) -> dict | None:
    """The manifest of the build being served, or None when there is none usable."""
    try:
        return read_manifest(location / CURRENT)
    except (OSError, ManifestError):
        return None


def unchanged(location: Path, articles: list[Article], models_spec: str, media: Sequence[str] = ()) -> bool:
    """True when the served build has exactly these articles, models, format and images
    (an image stored after the article that shows it was published needs a build)."""
    manifest = served_manifest(location)
    return (manifest is not None and manifest["format"] == FORMAT_VERSION
            and manifest.get("models_spec") == models_spec
            and manifest.get("articles") == {a.id: a.content_hash for a in articles}
            and manifest.get("media", []) == list(media))


@dataclass
class ServedVectors:
    """An encoder's vectors in the build being served: the index (read into memory),
    each node's text hash and whether a passage still has it (not stale)."""

    index: faiss.Index
    hashes: np.ndarray
    live: np.ndarray

    def reusable(self) -> tuple[np.ndarray, np.ndarray]:
        """(hashes, vectors) of the live nodes, for ``embed``."""
        return self.hashes[self.live], index_vectors(self.index)[self.live]


def _older_node_map(current: Path, manifest: dict, slot: int, passage_article: np.ndarray,
                    n_passages: int, ntotal: int) -> np.ndarray | None:
    """passage -> vector of formats 3 to 5: one vector per embedded passage, in passage order."""
    rows = None
    if manifest["format"] >= FIRST_MONOLINGUAL_FORMAT:
        langs = [a["lang"] for a in json.loads((current / "articles.json").read_text(encoding="utf-8"))]
        rows = encoded_rows(passage_article, np.array(langs), manifest["models"][slot].get("languages"))
    node_of = np.full(n_passages, -1, dtype=np.int64)
    covered = np.arange(n_passages) if rows is None else rows
    if len(covered) != ntotal:
        return None
    node_of[covered] = np.arange(len(covered))
    return node_of


def served_vectors(location: Path, encoder: Encoder, slot: int) -> ServedVectors | None:
    """The served build's vectors of this slot, if it used the same encoder."""
    current = location / CURRENT
    manifest = served_manifest(location)
    try:
        models = manifest["models"]
        if manifest["format"] not in REUSABLE_FORMATS or slot >= len(models):
            return None
        if models[slot]["name"] != encoder.name or models[slot]["dim"] != encoder.dim:
            return None
        with np.load(current / "passages.npz") as z:
            hashes, passage_article = z["hashes"], z["article"]
        index = faiss.read_index(str(vectors_path(current, slot)))
        if manifest["format"] >= FIRST_NODES_FORMAT:
            node_of = np.load(nodes_path(current, slot))
        else:
            node_of = _older_node_map(current, manifest, slot, passage_article, len(hashes), index.ntotal)
    except (OSError, KeyError, ValueError, IndexError, RuntimeError, TypeError):
        return None
    if node_of is None or len(node_of) != len(hashes) or hashes.dtype != np.dtype("S16") or \
            (len(node_of) and node_of.max() >= index.ntotal):
        return None
    node_hashes = np.zeros(index.ntotal, dtype="S16")
    node_hashes[node_of[node_of >= 0]] = hashes[node_of >= 0]
    live = np.bincount(node_of[node_of >= 0], minlength=index.ntotal) > 0
    return ServedVectors(index, node_hashes, live)


def served_centre_adapter(location: Path, slot: int, encoder_name: str, key: str, to: Path) -> bool:
    """Copy the served build's help-centre adapter of this slot to ``to`` when it was
    fitted on the same input (``key``, kb/index/centre_adapter.py); True if copied."""
    manifest = served_manifest(location)
    try:
        entry = manifest["models"][slot]
        if manifest["format"] != FORMAT_VERSION or entry["name"] != encoder_name or \
                (entry.get("centre_adapter") or {}).get("key") != key:
            return False
        shutil.copyfile(centre_adapter_path(location / CURRENT, slot), to)
    except (OSError, KeyError, IndexError, TypeError):
        return False
    return True


def served_dictionary(location: Path, lang: str, encoder_name: str) -> tuple[list[str], np.ndarray] | None:
    """The served build's dictionary words of ``lang`` and their vectors, when the same
    encoder made them (kb/index/dictionary.py)."""
    manifest = served_manifest(location)
    try:
        if manifest["format"] != FORMAT_VERSION or manifest["dictionary"]["encoder"] != encoder_name:
            return None
        served = dictionary.read(location / CURRENT, lang)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return None
    return served.words.tolist(), served.vectors


def _same_build(location: Path, langs: list[str] | None = None) -> tuple[Path, dict] | None:
    """The build being served and its manifest, if a new build can start from it: same
    format, and (given ``langs``) the same languages and analyzers."""
    manifest = served_manifest(location)
    if manifest is None or manifest["format"] != FORMAT_VERSION:
        return None
    try:
        if langs is not None and (manifest["languages"] != langs or
                                  manifest["analyzers"] != analyzer_settings(langs)):
            return None
    except KeyError:
        return None
    return (location / CURRENT).resolve(), manifest


def previous_keywords(location: Path, langs: list[str]) -> tuple[Path, dict[str, str]] | None:
    """The served build's keyword index and article hashes."""
    served = _same_build(location, langs)
    if served is None or not isinstance(served[1].get("articles"), dict):
        return None
    return served[0] / "keywords", dict(served[1]["articles"])


def previous_sections(location: Path) -> dict[str, tuple[str, list[Section]]]:
    """article id -> (content hash, sections) in the served build, when it has this format.

    Splitting is a pure function of the article's content (and of this format),
    so unchanged articles are not parsed again.
    """
    served = _same_build(location)
    if served is None:
        return {}
    current = served[0]
    try:
        records = json.loads((current / "articles.json").read_text(encoding="utf-8"))
        stored = json.loads((current / "sections.json").read_text(encoding="utf-8"))
        with np.load(current / "passages.npz") as z:
            owner = z["section_article"]
        if len(owner) != len(stored):
            return {}
        out: dict[str, tuple[str, list[Section]]] = {}
        for record, n in zip(stored, owner.tolist()):
            article = records[n]
            entry = out.setdefault(article["id"], (article["content_hash"], []))
            entry[1].append(Section(article["id"], record["anchor"], record["heading"],
                                    record["text"], record["part"]))
        return out
    except (OSError, KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile):
        return {}


def previous_stems(location: Path, langs: list[str]) -> dict[str, dict[str, str | None]] | None:
    """Token -> stem of the served build, when it stemmed with the same analyzers."""
    served = _same_build(location, langs)
    if served is None:
        return None
    try:
        return known_stems(json.loads((served[0] / "vocabulary.json").read_text(encoding="utf-8")))
    except (OSError, KeyError, ValueError, TypeError, AttributeError):
        return None


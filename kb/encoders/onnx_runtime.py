"""A sentence-transformers model run by ONNX Runtime, without torch in the process.

Why: importing torch, transformers and sentence-transformers costs a server
hundreds of MB and seconds before any model is loaded (sentence-transformers
imports scikit-learn and, through transformers, SymPy and torch's compiler), and
the same graph encodes a question several times faster in ONNX Runtime, whose
thread pool belongs to the session and not to the calling request thread. The
vectors are the same within float rounding (figures in bench/RESULTS.md).

The export is made once per model from the loaded sentence-transformers model
(``kb/encoders/onnx_export.py``) into a cache directory keyed by a fingerprint of the
model's files, and checked there against the model's own embeddings. This
module only reads it: the tokenizer (HuggingFace ``tokenizers``, the same Rust
code transformers' fast tokenizers run), the graph, and how the token vectors
are pooled. Every load encodes the stored probe texts again and compares them
with the vectors the original model gave, so a damaged or mismatched export is
never used silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from kb.content.machine_cache import cache_root
from kb.encoders.threads import cpu_threads

EXPORT_VERSION = 1  # bump when the export's layout or the pooling code changes
PROBE_TOLERANCE = 1e-4  # max abs difference of a probe embedding from the original model's
# A variant (kb/encoders/onnx_quantize.py) moves the vectors: its probe vectors are compared
# with the fp32 model's by cosine, and must come within this of the least cosine it had
# when it was made (export.json "probe_cosine"; onnx_export.derive)
PROBE_COSINE_SLACK = 0.005
POOLINGS = ("mean", "cls", "max")
# A run over more padded tokens than this hands its working memory back to the system
# afterwards: ONNX Runtime's arena otherwise keeps the peak of the largest batch (an
# indexing batch of long passages, which is large for mpnet) for the life of the server,
# while a question needs a few MB. Runs of this size and smaller keep the arena (faster).
ARENA_KEEP_TOKENS = 2048
# Texts per run of the graph. Larger batches cost more per text on CPU, and 16 still
# amortises the per-run overhead (bench/RESULTS.md).
ONNX_BATCH = 16
SHORTER_STARTS_RUN = 0.5  # a run ends before a text under this share of its first text's length (``batches``)


class ExportUnusable(RuntimeError):
    """The cached export cannot be used; the message says why (damaged, mismatched)."""


def local_model_dir(path_or_name: str) -> Path | None:
    """The directory holding the model's files, without loading it; None if unknown here.

    A local path is itself; a hub name is looked up in the HuggingFace cache only
    (no download: then the model has to be loaded once through sentence-transformers).
    """
    path = Path(path_or_name).expanduser()
    if path.is_dir():
        return path.resolve()
    if path_or_name.count("/") > 1 or path_or_name.startswith((".", "/", "~")):
        return None
    try:
        from huggingface_hub import snapshot_download

        name = path_or_name if "/" in path_or_name else f"sentence-transformers/{path_or_name}"
        return Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not cached, no huggingface_hub, offline: the caller falls back
        return None


def fingerprint(model_dir: Path, variant: str | None = None) -> str:
    """A key for one version of a model's files (names, sizes, modification times) and
    the graph variant made of them (kb/encoders/onnx_quantize.py; None: the fp32 export).

    Contents are not hashed: reading the weights would slow every server start,
    and a reinstall that changes nothing only costs one export more.
    """
    h = hashlib.sha256(f"kb-onnx-{EXPORT_VERSION}".encode())
    if variant:
        h.update(f"variant\0{variant}\n".encode())
    for f in sorted(p for p in model_dir.rglob("*") if p.is_file() and ".git" not in p.parts):
        st = f.stat()
        h.update(f"{f.relative_to(model_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def file_label(name: str) -> str:
    """A configured model name as it may appear in a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or "model"


def export_dir(name: str, model_dir: Path, variant: str | None = None) -> Path:
    """The export of this version of the model's files (``name``: as configured, for people)."""
    return cache_root() / f"{file_label(name)}-{fingerprint(model_dir, variant)}"


def probe_differs(got: np.ndarray, expected: np.ndarray, least_cosine: float | None) -> str | None:
    """Why ``got`` does not reproduce the model's probe vectors ``expected``, if it does not.

    ``least_cosine``: a variant's (each probe vector's cosine to the fp32 model's); None:
    the fp32 export, which must give the same numbers within PROBE_TOLERANCE.
    """
    if got.shape != expected.shape:
        return f"shape {got.shape} instead of {expected.shape}"
    if least_cosine is not None:
        worst = float(np.min(np.sum(got * expected, axis=1)))  # both unit vectors
        limit = least_cosine - PROBE_COSINE_SLACK
        return None if worst >= limit else f"cosine {worst:.4f} < {limit:.4f} to the fp32 model's vectors"
    worst = float(np.abs(got - expected).max())
    return None if worst <= PROBE_TOLERANCE else f"max difference {worst:.2g} > {PROBE_TOLERANCE}"


class OnnxEncoder:
    """The Encoder interface (kb/encoders.py) over an export made by kb/encoders/onnx_export.py."""

    def __init__(self, name: str, languages: frozenset[str] | None, folder: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self.languages = languages
        self.folder = folder
        try:
            self.config = json.loads((folder / "export.json").read_text(encoding="utf-8"))
            if self.config.get("version") != EXPORT_VERSION or self.config.get("pooling") not in POOLINGS:
                raise ExportUnusable(f"export {folder} is of another kb version")
            self.dim = int(self.config["dim"])
            self._inputs = list(self.config["inputs"])
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = ort.SessionOptions()
            options.intra_op_num_threads = cpu_threads()
            # Idle pool threads would spin for work and take the cores from the numpy work
            # of the same search (USE, vector products)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(str(folder / "model.onnx"), options,
                                                 providers=["CPUExecutionProvider"])
            self._shrink = ort.RunOptions()
            self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
            with np.load(folder / "probe.npz") as z:
                probe_texts, probe_vectors = [str(t) for t in z["texts"]], z["vectors"]
        except ExportUnusable:
            raise
        except Exception as exc:  # missing or damaged files, a graph ORT cannot read
            raise ExportUnusable(f"export {folder} is unreadable: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(int(self.config["max_seq_length"]))
        self.variant = self.config.get("variant")
        least = self.config.get("probe_cosine") if self.variant else None
        if self.variant and least is None:
            raise ExportUnusable(f"export {folder} of variant {self.variant!r} has no probe_cosine")
        got = self.encode(probe_texts)
        self.probe_cosine = float(np.min(np.sum(got * probe_vectors, axis=1))) \
            if got.shape == probe_vectors.shape else None
        if (why := probe_differs(got, probe_vectors, least)) is not None:
            raise ExportUnusable(f"export {folder} does not reproduce the model's embeddings ({why})")

    def _features(self, texts: list[str]) -> dict[str, np.ndarray]:
        if self.config.get("lowercase"):
            texts = [t.lower() for t in texts]
        encodings = self._tokenizer.encode_batch([t.strip() for t in texts])
        longest = max(len(e.ids) for e in encodings)
        ids = np.full((len(texts), longest), int(self.config["pad_id"]), dtype=np.int64)
        mask = np.zeros((len(texts), longest), dtype=np.int64)
        types = np.zeros((len(texts), longest), dtype=np.int64)
        left = self.config.get("padding_side") == "left"
        for i, e in enumerate(encodings):
            n = len(e.ids)
            span = slice(longest - n, longest) if left else slice(0, n)
            ids[i, span], mask[i, span], types[i, span] = e.ids, e.attention_mask, e.type_ids
        features = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return {k: features[k] for k in self._inputs}

    def _pool(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        pooling = self.config["pooling"]
        if pooling == "cls":
            out = tokens[np.arange(len(tokens)), mask.argmax(axis=1)]
        elif pooling == "max":
            out = np.where(mask[..., None] > 0, tokens, -np.inf).max(axis=1)
        else:
            m = mask[..., None].astype(np.float32)
            out = (tokens * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        # unit length whether or not the model ends in Normalize: kb's encoders all return
        # unit vectors (SentenceTransformerEncoder asks for normalize_embeddings)
        out = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32, copy=False)

    def encode(self, texts: list[str], batch_size: int = ONNX_BATCH) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows in batches(texts, batch_size):
            features = self._features([texts[i] for i in rows])  # the tokenizer is read-only: no lock
            ids = features["input_ids"]
            shrink = self._shrink if ids.size > ARENA_KEEP_TOKENS else None
            tokens = self._session.run(None, features, shrink)[0]
            out[rows] = self._pool(tokens, features["attention_mask"])
        return out


def batches(texts: list[str], batch_size: int) -> list[list[int]]:
    """Row numbers of ``texts`` in runs of at most ``batch_size``, longest first, as
    sentence-transformers does: a run is padded to its longest text, and attention grows
    with the square of the length. A run also ends before a text under
    ``SHORTER_STARTS_RUN`` of its first text's length, so one long text does not pad
    many short ones."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    runs: list[list[int]] = []
    for i in order:
        run = runs[-1] if runs else None
        if run is None or len(run) >= batch_size or len(texts[i]) < SHORTER_STARTS_RUN * len(texts[run[0]]):
            runs.append([i])
        else:
            run.append(i)
    return runs

"""Fit an encoder's query adapter (kb/encoders/query_adapter.py), validated one business out.

Training questions are the ranker's (bench/fit_ranker.py), never a test split:
the train splits of bench/eval/* as written and cross-language, the shop's and
velomo's calibration questions, and Bitext utterances outside the reported sample.

The adapter maps a question's vector ``q`` to ``normalise(q + q @ A)``; the loss is
the softmax cross-entropy of the right article (all its translations) over the help
centre's articles, an article scoring its best passage (any view), temperature
``TAU``, plus ``l2 * |A|^2``; Adam from ``A = 0`` for ``EPOCHS`` full passes.
Validation leaves one business out: fit on the others, measure the encoder's own
top-1 (best passage per article) on the one left out, before and after. The
``l2`` with the best mean is chosen; ``--write`` saves ``A`` fitted on all, only
if no business left out lost more than ``MAX_LOSS``.

    python bench/fit_adapter.py [--encoder use-multilingual-v3] [--l2 X] [--write]

``--write`` also saves each business's left-out adapter under ``LOO_DIR``: the
ranker and ``answered`` are fitted on columns computed with the adapter that did
not see the business (bench/centres.py, ``cross_fitted``), as the questions
of a help centre in use were never seen either.

Afterwards refit the ranker and ``answered`` (their columns move):
``python bench/fit_ranker.py --write`` and ``python bench/calibrate_answered.py --write``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from centres import bitext_centre, calibration_centres, eval_centres  # noqa: E402

from kb.encoders import DEFAULT_MODELS, load_encoders, parse_models  # noqa: E402
from kb.encoders.query_adapter import ADAPTERS, adapter_path  # noqa: E402

LOO_DIR = ROOT / "bench" / "out" / "adapters-loo"
from kb.index.build import build_index  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402

TAU = 0.05  # softmax temperature over cosines
EPOCHS = 60
LEARNING_RATE = 1e-3
L2_GRID = (0.01, 0.03, 0.1)
MAX_LOSS = 0.02  # largest drop of a left-out business's top-1 that --write accepts
SKIPPED = ("-learned", "shop-noq")  # variants of centres already in (same questions)


class Centre:
    """One help centre's training questions as tensors: question vectors, passage
    vectors, each passage's article, which articles are right and which may be shown."""

    def __init__(self, business: str, name: str, questions: np.ndarray, index: LoadedIndex,
                 cases: list[tuple]) -> None:
        self.business, self.name = business, name
        nodes = index.nodes[0]
        have = nodes >= 0  # a monolingual encoder has no vector for other languages' passages
        self.P = torch.tensor(index.vectors[0][nodes[have]])
        self.art = torch.tensor(index.article[have], dtype=torch.long)
        self.n_art = index.n_articles
        group = np.array([a["translation"] or a["id"] for a in index.articles])
        lang = np.array([a["lang"] for a in index.articles])
        by_id = {a["id"]: i for i, a in enumerate(index.articles)}
        allowed = np.array([lang == c[3] if len(c) > 3 else np.ones(len(lang), bool) for c in cases])
        right = np.array([group == group[by_id[c[1]]] for c in cases]) & allowed
        self.Q = torch.tensor(questions)
        self.allowed, self.right = torch.tensor(allowed), torch.tensor(right)

    def scores(self, A: torch.Tensor | None) -> torch.Tensor:
        """Per question and article: the best passage's cosine (-inf where not allowed)."""
        q = self.Q if A is None else adapt(self.Q, A)
        sims = q @ self.P.T
        out = torch.full((len(q), self.n_art), -1e9)
        out = out.scatter_reduce(1, self.art.expand(len(q), -1), sims, reduce="amax", include_self=True)
        return torch.where(self.allowed, out, torch.tensor(-1e9))

    def top1(self, A: torch.Tensor | None) -> float:
        with torch.no_grad():
            best = self.scores(A).argmax(1)
        return float(self.right[torch.arange(len(best)), best].float().mean())


def adapt(Q: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    """As QueryAdapter.apply does."""
    q = Q + Q @ A
    return q / q.norm(dim=1, keepdim=True).clamp_min(1e-12)


def collect(spec: str) -> tuple[list[Centre], str]:
    """Every training centre indexed with this one encoder, questions encoded as typed."""
    encoders = load_encoders(spec)
    langs = encoders[0].languages
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for business, name, folder, cases in [*eval_centres(tmp), *calibration_centres(tmp), *bitext_centre()]:
            if name.endswith(SKIPPED) or name in SKIPPED:
                continue
            cases = [c for c in cases if langs is None or (c[2] in langs and (len(c) < 4 or c[3] in langs))]
            if not cases:
                continue
            location = tmp / f"index-{name}"
            build_index(folder, location, lambda: encoders, spec, force=True)
            index = LoadedIndex(location, spec)
            questions = encoders[0].encode([c[0] for c in cases])
            out.append(Centre(business, name, questions, index, cases))
            index.close()
            print(f"{name}: {len(cases)} questions", flush=True)
    return out, encoders[0].name


def fit(centres: list[Centre], l2: float) -> torch.Tensor:
    dim = centres[0].Q.shape[1]
    A = torch.zeros(dim, dim, requires_grad=True)
    optimiser = torch.optim.Adam([A], lr=LEARNING_RATE)
    for _ in range(EPOCHS):
        optimiser.zero_grad()
        loss = torch.tensor(0.0)
        for c in centres:
            s = c.scores(A) / TAU
            right = torch.logsumexp(torch.where(c.right, s, torch.tensor(-1e9)), 1)
            loss = loss + (torch.logsumexp(s, 1) - right).mean()
        (loss / len(centres) + l2 * (A ** 2).sum()).backward()
        optimiser.step()
    return A.detach()


def leave_one_out(centres: list[Centre], l2: float, adapters: dict | None = None
                  ) -> dict[str, tuple[float, float]]:
    """Per business: top-1 of its questions before and after an adapter fitted without it
    (kept in ``adapters`` when given)."""
    out = {}
    for business in sorted({c.business for c in centres}):
        held = [c for c in centres if c.business == business]
        A = fit([c for c in centres if c.business != business], l2)
        if adapters is not None:
            adapters[business] = A
        n = sum(len(c.Q) for c in held)
        before = sum(c.top1(None) * len(c.Q) for c in held) / n
        after = sum(c.top1(A) * len(c.Q) for c in held) / n
        out[business] = (before, after)
    return out


def configured_languages_differ(spec: str, configured: str) -> str | None:
    """Why ``spec`` names a configured model with other languages, if it does.

    The adapter file is keyed by the model's name alone, so fitting it on another set of
    languages than the server encodes silently replaces the served adapter with one fitted
    on questions the model never sees (e.g. mpnet on German questions without ``@en``).
    """
    (given,) = parse_models(spec)
    for known in parse_models(configured):
        if known.name == given.name and known.languages != given.languages:
            langs = "+".join(sorted(known.languages)) if known.languages else "every language"
            as_given = "+".join(sorted(given.languages)) if given.languages else "every language"
            return (f"{given.name} is configured for {langs}, but --encoder asks for {as_given}; "
                    f"pass the configured spec ({known.name}"
                    f"{'@' + langs if known.languages else ''}) or --languages-as-given")
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="use-multilingual-v3", help="one encoder spec, as in KB_MODELS")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, help="skip the search over L2_GRID")
    ap.add_argument("--languages-as-given", action="store_true",
                    help="fit for --encoder's languages even where KB_MODELS configures others")
    args = ap.parse_args()
    torch.manual_seed(0)
    if len(parse_models(args.encoder)) != 1:
        raise SystemExit("--encoder takes one encoder")
    configured = os.environ.get("KB_MODELS", DEFAULT_MODELS)
    if not args.languages_as_given and (why := configured_languages_differ(args.encoder, configured)):
        raise SystemExit(why)
    centres, name = collect(args.encoder)
    best = None
    print("| l2 | " + " | ".join(sorted({c.business for c in centres})) + " | mean |\n|---|" + "---|" * 7)
    for l2 in [args.l2] if args.l2 else L2_GRID:
        loo: dict = {}
        held = leave_one_out(centres, l2, loo)
        mean = float(np.mean([after for _, after in held.values()]))
        print(f"| {l2} | " + " | ".join(f"{b:.3f} -> {a:.3f}" for b, a in held.values()) + f" | {mean:.3f} |",
              flush=True)
        if best is None or mean > best[0]:
            best = (mean, l2, held, loo)
    mean, l2, held, loo = best
    worst = min(a - b for b, a in held.values())
    print(f"chosen l2={l2}: mean left-out top-1 {mean:.3f}, worst change {worst:+.3f}")
    if args.write:
        if worst < -MAX_LOSS:
            raise SystemExit(f"not written: a business left out lost {-worst:.3f} (> {MAX_LOSS})")
        A = fit(centres, l2).numpy().astype(np.float32)
        ADAPTERS.mkdir(exist_ok=True)
        path = adapter_path(name)
        np.savez_compressed(path, A=A)
        print(f"wrote {path.relative_to(ROOT)}")
        for business, left_out in loo.items():
            (LOO_DIR / business).mkdir(parents=True, exist_ok=True)
            np.savez_compressed(LOO_DIR / business / path.name, A=left_out.numpy().astype(np.float32))
        print(f"wrote the left-out adapters to {LOO_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""`kb eval`: how well do the articles answer the questions customers ask?

Shared by the CLI and the benchmarks so both count hits the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kb.search.engine import SearchEngine


@dataclass(frozen=True)
class Case:
    query: str
    expected: str  # article id
    lang: str | None = None


@dataclass
class Miss:
    query: str
    expected: str
    got: list[str]
    rank: int | None


@dataclass
class EvalReport:
    n: int = 0
    top1: int = 0
    top3: int = 0
    rr: float = 0.0
    answered: int = 0
    answered_when_right: int = 0
    misses: list[Miss] = field(default_factory=list)

    def as_dict(self) -> dict:
        n = max(self.n, 1)
        return {"questions": self.n, "top1": self.top1 / n, "top3": self.top3 / n,
                "mrr@10": self.rr / n, "answered": self.answered / n,
                "answered_when_top1_right": self.answered_when_right / max(self.top1, 1)}


class CaseError(ValueError):
    pass


def read_cases(path: Path) -> list[Case]:
    """JSONL lines ``{"query": ..., "expected": "<article id>"}``; errors name the line."""
    cases = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                cases.append(Case(str(obj["query"]), str(obj["expected"]), obj.get("lang")))
            except (ValueError, KeyError, TypeError) as exc:
                raise CaseError(f"{path}:{n}: expected a JSON object with 'query' and 'expected' ({exc})")
    return cases


def cases_from_index(engine: SearchEngine) -> list[Case]:
    """The front matter `questions` of every indexed article."""
    return [Case(q, a["id"], a["lang"]) for a in engine.index.articles for q in a["questions"]]


def evaluate(engine: SearchEngine, cases: list[Case], audience: str = "internal") -> EvalReport:
    report = EvalReport()
    engine.prime([c.query for c in cases])
    for case in cases:
        result = engine.search(case.query, lang=case.lang, limit=10, audience=audience)
        ids = [h.id for h in result.results]
        rank = next((i + 1 for i, x in enumerate(ids) if x == case.expected), None)
        report.n += 1
        report.answered += result.answered
        if rank == 1:
            report.top1 += 1
            report.answered_when_right += result.answered
        if rank is not None and rank <= 3:
            report.top3 += 1
        if rank is not None:
            report.rr += 1 / rank
        if rank != 1:
            report.misses.append(Miss(case.query, case.expected, ids[:3], rank))
    return report


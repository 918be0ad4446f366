"""`kb eval`: how well do the articles answer the questions customers ask?

Shared by the CLI and the benchmarks (bench/eval/measure.py, bench/retrieval.py)
so all count hits the same way. Besides top-1/top-3/MRR it counts what a
customer feels most: questions *answered* (``answered: true``) with a wrong
first article, and off-topic questions (``"expected": null``) that should get
"no article fits" but are answered anyway. Answers with a hedge (the best articles
offered as a choice) are counted apart: a hedged wrong first article is a question
to the customer, an unhedged one a wrong answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kb.content.text_files import NotUtf8Error, utf8_lines
from kb.search.engine import QueryError, SearchEngine, clean_query

TOP_K = 10
SET_FILES = ("offtopic", "crosslingual")  # besides the labelled split, in an evaluation set folder


@dataclass(frozen=True)
class Case:
    query: str
    expected: str | None  # article id; None: off-topic, no article should be offered as the answer
    lang: str | None = None
    articles_lang: str | None = None  # search only this language's articles (cross-language cases)


@dataclass
class Miss:
    query: str
    expected: str | None
    got: list[str]
    rank: int | None
    answered: bool = False
    hedged: bool = False


@dataclass
class EvalReport:
    n: int = 0
    top1: int = 0
    top3: int = 0
    rr: float = 0.0
    answered: int = 0
    answered_when_right: int = 0
    answered_wrong_first: int = 0
    hedged_when_right: int = 0
    hedged_wrong_first: int = 0
    offtopic: int = 0
    offtopic_answered: int = 0
    misses: list[Miss] = field(default_factory=list)

    def as_dict(self) -> dict:
        n = max(self.n, 1)
        out = {} if self.offtopic and not self.n else {"questions": self.n, "top1": self.top1 / n, "top3": self.top3 / n,
               "mrr@10": self.rr / n, "answered": self.answered / n,
               "answered_when_top1_right": self.answered_when_right / max(self.top1, 1),
               "answered_wrong_first": self.answered_wrong_first,
               "answered_wrong_first_hedged": self.hedged_wrong_first, "hedged_when_right": self.hedged_when_right}
        if self.offtopic:
            out["offtopic_questions"] = self.offtopic
            out["offtopic_not_answered"] = 1 - self.offtopic_answered / self.offtopic
        return out

    def rounded(self, digits: int = 3) -> dict:
        return {k: round(v, digits) if isinstance(v, float) else v for k, v in self.as_dict().items()}


class CaseError(ValueError):
    pass


CASE_FORMAT = '{"query": "<question>", "expected": "<article id>" or null}'
_JSON_TYPES = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


def _json_type(value) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _case(obj) -> Case:
    """One line's case; a ValueError saying in words what is wrong with it."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object {CASE_FORMAT}, got {_json_type(obj)}")
    for key in ("query", "expected"):
        if key not in obj:
            raise ValueError(f"'{key}' is missing: each line is {CASE_FORMAT}")
    query, expected = obj["query"], obj["expected"]
    if not isinstance(query, str):
        raise ValueError(f"'query' must be text, not {_json_type(query)}")
    if expected is not None and not isinstance(expected, str):
        raise ValueError(f"'expected' must be one article id (text) or null, not {_json_type(expected)}")
    for key in ("lang", "articles_lang"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise ValueError(f"'{key}' must be a language code (text) or null, not {_json_type(obj[key])}")
    clean_query(query)  # a question the search box refuses cannot be measured (QueryError: a ValueError)
    return Case(query, expected, obj.get("lang"), obj.get("articles_lang") or None)


def read_cases(path: Path) -> list[Case]:
    """JSONL lines ``{"query": ..., "expected": "<article id>" | null}`` in UTF-8 (a byte-order mark
    allowed); errors name the file and line and say what is wrong."""
    try:
        lines = utf8_lines(Path(path).read_bytes(), str(path))
    except OSError as exc:
        raise CaseError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except NotUtf8Error as exc:
        raise CaseError(str(exc)) from None
    cases = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{path}:{n}: not JSON ({exc.msg}, column {exc.colno}): each line is {CASE_FORMAT}") \
                from None
        except RecursionError:  # "[[[[…": deeper than any case
            raise CaseError(f"{path}:{n}: not a case: lists or objects nested too deeply") from None
        try:
            cases.append(_case(obj))
        except ValueError as exc:
            raise CaseError(f"{path}:{n}: {exc}") from None
    return cases


def cases_from_index(engine: SearchEngine) -> tuple[list[Case], list[tuple[str, str]]]:
    """The front matter `questions` of every indexed article, and (article id, question) of the
    ones the search box refuses (too long, no words), which cannot be measured."""
    cases, refused = [], []
    for a in engine.index.articles:
        for q in a["questions"]:
            try:
                clean_query(q)
            except QueryError:
                refused.append((a["id"], q))
            else:
                cases.append(Case(q, a["id"], a["lang"]))
    return cases, refused


def unknown_ids(engine: SearchEngine, cases: list[Case]) -> list[str]:
    """Expected article ids the index does not hold (a typo in the file, or the wrong index)."""
    known = {a["id"] for a in engine.index.articles}
    return sorted({c.expected for c in cases if c.expected and c.expected not in known})


def set_audience(engine: SearchEngine, cases: list[Case]) -> str:
    """"public" when every expected article is public (customers' questions: an
    internal article in first place is a miss, as the customer never sees it),
    "internal" when some question expects an agent-only article."""
    public = {a["id"] for a in engine.index.articles if a["audience"] == "public"}
    return "public" if all(c.expected is None or c.expected in public for c in cases) else "internal"


def evaluate(engine: SearchEngine, cases: list[Case], audience: str = "internal") -> EvalReport:
    report = EvalReport()
    engine.prime([c.query for c in cases])
    for case in cases:
        languages = [case.articles_lang] if case.articles_lang else None
        result = engine.search(case.query, lang=case.lang, limit=TOP_K, audience=audience,
                               languages=languages)
        ids = [h.id for h in result.results]
        answered, hedged = bool(result.answered), bool(result.hedged)
        if case.expected is None:
            report.offtopic += 1
            report.offtopic_answered += answered
            if answered:
                report.misses.append(Miss(case.query, None, ids[:3], None, True, hedged))
            continue
        rank = ids.index(case.expected) + 1 if case.expected in ids else None
        report.n += 1
        report.answered += answered
        if rank == 1:
            report.top1 += 1
            report.answered_when_right += answered
            report.hedged_when_right += hedged
        else:
            report.answered_wrong_first += answered
            report.hedged_wrong_first += hedged
            report.misses.append(Miss(case.query, case.expected, ids[:3], rank, answered, hedged))
        if rank is not None and rank <= 3:
            report.top3 += 1
        if rank is not None:
            report.rr += 1 / rank
    return report


def group_of(case: Case) -> str:
    """Reporting group: the question's language, or its direction for cross-language cases."""
    if case.expected is None:
        return "offtopic"
    if case.articles_lang:
        return f"crosslingual {case.lang}->{case.articles_lang}"
    return case.lang or "unknown"


def evaluate_groups(engine: SearchEngine, cases: list[Case], audience: str = "internal") -> dict:
    """One :class:`EvalReport` per group (language, cross-language direction, off-topic)."""
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(group_of(case), []).append(case)
    return {name: evaluate(engine, groups[name], audience) for name in sorted(groups)}


def read_set(set_dir: Path, split: str = "test") -> list[Case]:
    """An evaluation help centre's questions (bench/eval/README.md): the labelled ``split``
    plus its off-topic and cross-language files where present."""
    cases = read_cases(set_dir / f"{split}.jsonl")
    for name in SET_FILES:
        if (set_dir / f"{name}.jsonl").exists():
            cases += read_cases(set_dir / f"{name}.jsonl")
    return cases

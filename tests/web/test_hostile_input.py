"""Property-based: whatever a client sends, a 2xx or a clear 4xx; never a 500 or a traceback."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.search.engine import QueryError

WHOOSH_SYNTAX = ["title:*", "(((", ")))", "AND OR NOT", "*", "?", "a*b?", "text_de:versand", "spell:x",
                 "uid:1", '"unclosed', "[a TO z]", "{}", "~2", "^3", "NOT", "-", "+", "''", "\\",
                 "title_de:(a OR b)", "%00", "\x00", "\u202e\u05e9\u05dc\u05d5\u05dd", "🙂📦🚚",
                 "مرحبا أين طردي", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd"]
queries = st.one_of(
    st.text(max_size=600),  # any Unicode: control characters, NUL, surrogate-free planes
    st.sampled_from(WHOOSH_SYNTAX),
    st.lists(st.sampled_from(WHOOSH_SYNTAX + ["Paket", "wo", "ist", "return"]), max_size=12).map(" ".join),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=200),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12)
HYPO = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _ok(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, body[:300])
    assert "Traceback" not in body and 'File "' not in body


@HYPO
@given(q=queries)
def test_search_function_answers_or_refuses_clearly(engine, q):
    try:
        result = engine.search(q)
    except QueryError as exc:
        assert str(exc)
        return
    assert isinstance(result.answered, bool)
    json.dumps(result.to_dict())  # always serialisable


@HYPO
@given(q=queries, lang=st.sampled_from([None, "de", "en", "xx", ""]), limit=st.sampled_from([None, "1", "0", "-5", "x", "99999999999999999999"]))
def test_search_routes_never_fail(client, q, lang, limit):
    params = {"q": q}
    if lang is not None:
        params["lang"] = lang
    if limit is not None:
        params["limit"] = limit
    for path in ("/api/search", "/search", "/api/suggest"):
        _ok(client.get(path, query_string=params))


@HYPO
@given(body=json_values)
def test_json_posts_never_fail(client, body):
    for path in ("/api/feedback", "/api/contact"):
        r = client.post(path, data=json.dumps(body), content_type="application/json")
        _ok(r)
        if not (isinstance(body, dict) and r.status_code in (200, 201)):
            assert r.status_code in (400, 413) or r.status_code == 201


@HYPO
@given(raw=st.binary(max_size=2000))
def test_raw_bytes_never_fail(client, raw):
    _ok(client.post("/api/feedback", data=raw, content_type="application/json"))
    _ok(client.post("/api/contact", data=raw, content_type="text/plain"))
    _ok(client.get("/api/articles/" + raw.decode("latin-1").replace("/", "_").replace("?", "_")[:200] or "x"))


def test_large_bodies_are_refused_politely(client):
    big = "x" * 100_000
    for path in ("/api/feedback", "/api/contact"):
        r = client.post(path, data=json.dumps({"question": big, "consent": True}), content_type="application/json")
        assert r.status_code == 413 and r.is_json
    r = client.post("/contact", data={"question": big})
    assert r.status_code in (400, 413) and "Traceback" not in r.get_data(as_text=True)

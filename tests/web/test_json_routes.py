"""Every route that takes a POST, fed arbitrary JSON by anonymous visitors and by staff: never a 5xx.

The routes come from the app's URL map, so a route added later is covered too.
"""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PASSWORD = "correct horse battery"
KEYS = ["article_id", "helpful", "comment", "question", "email", "consent", "lang", "search_id", "token",
        "status", "message", "q", "s", "next", "username", "password", "csrf_token"]
scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=100)
           | st.sampled_from(["de/lieferzeit", "intern/kulanz", "yes", "answered", "x@example.com?cc=a@b.c", "\x00"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10),
                                                                inner, max_size=5),
    max_leaves=16)
deep = st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.sampled_from(["[" * n + "]" * n, '{"a":' * n + "1" + "}" * n,
                               '{"question": ' + "[" * n + "]" * n + ', "consent": true}']))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SAMPLE_VALUES = {"IntegerConverter": [1, 99999999999999999999999], "PathConverter": ["de/lieferzeit", "x/../y"]}
DEFAULT_VALUES = ["de/lieferzeit", "top-searches"]
# reads only form fields, and each try costs a password hash: posted to once, not per example
SLOW_ROUTE = "/agent/login"


def post_routes(app) -> list[str]:
    """A URL for each POST rule, its variables filled in with ordinary and extreme values."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        for i in range(2):
            values = {name: SAMPLE_VALUES.get(type(conv).__name__, DEFAULT_VALUES)[i]
                      for name, conv in rule._converters.items()}
            try:
                urls.append(adapter.build(rule.endpoint, values))
            except Exception:  # a value outside the converter's range: the router answers 404 for it
                urls.append(rule.rule.replace("<", "").replace(">", ""))
    return sorted(set(urls))


@pytest.fixture()
def clients(make_app):
    app = make_app(RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    app.extensions["kb.accounts"].add("eva", "editor", PASSWORD)
    staff = app.test_client()
    r = staff.post("/agent/login", data={"username": "eva", "password": PASSWORD})
    assert r.status_code == 303
    routes = post_routes(app)
    assert {"/api/feedback", "/api/contact", "/feedback", "/contact", "/agent/logout", SLOW_ROUTE} <= set(routes)
    _ok(app.test_client(), SLOW_ROUTE, '{"username": ' + "[" * 5000 + "]" * 5000 + "}")
    return app.test_client(), staff, [url for url in routes if url != SLOW_ROUTE]


def _ok(client, url, body):
    r = client.post(url, data=body, content_type="application/json", headers={"Accept": "application/json"})
    text = r.get_data(as_text=True)
    assert r.status_code < 500, (url, r.status_code, body[:200], text[:300])
    assert "Traceback" not in text


@SETTINGS
@given(value=json_values)
def test_arbitrary_json_to_every_post_route(clients, value):
    anonymous, staff, routes = clients
    body = json.dumps(value)
    for url in routes:
        _ok(anonymous, url, body)
        if url != "/agent/logout":  # staff stay signed in for the rest
            _ok(staff, url, body)


@SETTINGS
@given(body=deep)
def test_deeply_nested_json_to_every_post_route(clients, body):
    anonymous, staff, routes = clients
    for url in routes:
        _ok(anonymous, url, body)
        if url != "/agent/logout":
            _ok(staff, url, body)

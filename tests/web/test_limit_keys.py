"""What the rate limiter stores: counts under keyed digests, never a client's address, the
article it read, the words it searched or the user name it tried."""
from datetime import date

import pytest

from conftest import csrf_token

IPV4 = "203.0.113.7"
IPV6 = "2001:db8:5:6::7"
QUERY = "wie lange dauert die lieferung"
KEYS_DB = 3  # a Redis database of this test's own: every key in it is one this test made


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    """The limiter's storage URI and a function listing every key stored in it."""
    if request.param == "memory":
        from kb.web.limits import limiter
        yield "memory://", lambda: [*limiter.storage.storage, *limiter.storage.events]
        return
    import redis
    url = request.getfixturevalue("redis_server").url.rsplit("/", 1)[0] + f"/{KEYS_DB}"
    server = redis.Redis.from_url(url)
    server.flushdb()
    yield url, lambda: [key.decode() for key in server.keys("*")]
    server.close()


def _a_customer_and_a_guesser(app, address):
    """Every request kind that counts: a search, suggestions, an article read, a vote on it
    with the search's id, and a wrong password."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    found = client.get("/api/search", query_string={"q": QUERY, "lang": "de"}).get_json()
    assert client.get("/api/suggest", query_string={"q": "lieferz"}).status_code == 200
    article = found["results"][0]
    assert client.get(article["url"]).status_code == 200
    assert client.post("/api/feedback", json={"article_id": article["id"], "helpful": True,
                                              "search_id": found["search_id"]}).status_code == 201
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    r = client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": "wrong"})
    assert r.status_code == 401
    return article["id"]


def test_no_stored_key_names_the_client_or_what_it_read_searched_or_tried(make_app, storage):
    from kb.web.limits import wording_key
    uri, stored_keys = storage
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=uri)
    read = {_a_customer_and_a_guesser(app, address) for address in (IPV4, IPV6)}
    keys = stored_keys()
    named = [IPV4, "2001:db8", *read, "anna", wording_key(QUERY), *(w[:4] for w in QUERY.split() if len(w) > 3)]
    assert [key for key in keys if any(name in key.lower() for name in named)] == []
    for scope in ("views", "evidence", "auth.login", "rate_limit_search", "rate_limit_login"):
        assert any(f"/{scope}/" in key for key in keys), (scope, keys)
    # the name's failures from all networks, and from each of the two networks
    assert len({key.split("/")[1] for key in keys if "/auth.login/" in key}) == 3, keys


def test_keys_are_the_same_on_every_replica_and_new_every_day(make_app, monkeypatch):
    """Replicas with one secret key derive one key per client and day, so they share its budget;
    the next day's key cannot be linked to the last, and without the secret no key can be
    recomputed from an address."""
    from kb.web import limit_keys
    one, two = make_app(SECRET_KEY="one secret"), make_app(SECRET_KEY="one secret")
    other = make_app(SECRET_KEY="another secret")

    def key(app, day, address=IPV4, *item):
        monkeypatch.setattr(limit_keys, "site_today", lambda _site: day)
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return limit_keys.client_key(*item)

    today, tomorrow = date(2026, 3, 1), date(2026, 3, 2)
    assert key(one, today) == key(two, today) != key(other, today)
    assert key(one, today) != key(one, tomorrow)
    assert key(one, today, IPV4, "de/lieferzeit") != key(one, today, IPV4, "de/ruecksendung") != key(one, today)
    assert key(one, today, IPV6) == key(one, today, "2001:db8:5:6:ffff::1") != key(one, today, "2001:db8:5:7::7")
    assert key(one, today, "::ffff:" + IPV4) == key(one, today)  # an IPv4 client on a dual-stack socket


def test_a_view_counts_again_on_the_next_day(make_app, monkeypatch):
    """RATE_LIMIT_VIEWS counts per shop day: the budget starts again when the key changes."""
    from kb.web import limit_keys, limits
    app = make_app(RATELIMIT_ENABLED=True)
    monkeypatch.setattr(limit_keys, "site_today", lambda _site: date(2026, 3, 1))
    with app.test_request_context(environ_base={"REMOTE_ADDR": IPV4}):
        assert [limits.counts_as_a_view("de/lieferzeit") for _ in range(3)] == [True, True, False]
        monkeypatch.setattr(limit_keys, "site_today", lambda _site: date(2026, 3, 2))
        assert [limits.counts_as_a_view("de/lieferzeit") for _ in range(3)] == [True, True, False]


def test_a_user_name_has_a_key_per_network_and_one_for_all(make_app):
    """A name's failures from one network count apart from another network's (an IPv6 /64 is
    one network), and apart from the name's count from all networks; no name can pose as
    another name tried from another network, whatever characters it holds."""
    from kb.web import limit_keys
    app = make_app()

    def keys(address, username):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return limit_keys.account_network_key(username), limit_keys.account_key(username)

    (here, anna), (there, anna_there) = keys(IPV4, "anna"), keys("198.51.100.8", " Anna ")
    assert anna == anna_there and here != there and anna not in (here, there)
    assert keys(IPV6, "anna")[0] == keys("2001:db8:5:6::8", "anna")[0] != keys("2001:db8:5:7::8", "anna")[0]
    posing = "anna" + limit_keys._SEPARATOR + "198.51.100.8"
    assert keys(IPV4, posing)[0] != there and keys(IPV4, posing)[1] != there

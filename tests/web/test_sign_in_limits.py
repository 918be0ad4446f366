"""Sign-in and client budgets that a script with many addresses cannot step around.

Requests come through `kb serve`'s own proxy handling (waitress trusting
X-Forwarded-For from KB_TRUSTED_PROXY), as behind nginx: the client's address
is the one the proxy names.
"""
import re

import pytest
from waitress.proxy_headers import proxy_headers_middleware

from conftest import PASSWORD, csrf_token

PROXY = "10.0.0.5"
FAILURES_ALLOWED = 10       # kb.web.limits: failed sign-ins per user name and 15 minutes
SIGN_INS_PER_CLIENT = 10    # kb.web.limits: sign-in attempts per client and minute
CLIENT_WINDOW_SECONDS = 60
REFUSED = "Too many requests; please wait a moment and try again."


@pytest.fixture()
def behind_proxy(make_app, monkeypatch):
    """An app with the default limits behind a proxy at PROXY, wrapped as `kb serve` wraps it."""
    from kb.web.deployment import proxy_settings
    monkeypatch.setenv("KB_TRUSTED_PROXY", PROXY)

    def make(**config):
        app = make_app(RATELIMIT_ENABLED=True, **config)
        settings = proxy_settings()
        app.wsgi_app = proxy_headers_middleware(
            app.wsgi_app, trusted_proxy=settings["trusted_proxy"],
            trusted_proxy_count=settings["trusted_proxy_count"],
            trusted_proxy_headers=settings["trusted_proxy_headers"],
            clear_untrusted=settings["clear_untrusted_proxy_headers"])
        accounts = app.extensions["kb.accounts"]
        if not accounts.list():
            accounts.add("anna", "agent", PASSWORD)
            accounts.add("eva", "editor", PASSWORD)
        return app
    return make


class Browser:
    """One browser behind the proxy: one session and CSRF token, any client address."""

    def __init__(self, app):
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = PROXY
        self.client.set_cookie("lang", "en")
        self.token = csrf_token(self.client.get("/agent/login").get_data(as_text=True))

    def sign_in(self, address, username, password):
        return self.client.post("/agent/login", headers={"X-Forwarded-For": address},
                                data={"csrf_token": self.token, "username": username, "password": password})

    def feedback(self, address):
        return self.client.post("/api/feedback", json={"article_id": "en/returns", "helpful": True},
                                headers={"X-Forwarded-For": address}).status_code


def _page(response) -> str:
    """The page without its CSRF token, which is signed anew for every page."""
    return re.sub(r'(name="csrf_token" value=)"[^"]+"', r"\1", response.get_data(as_text=True))


def _count_password_checks(app) -> list:
    """Each call of the accounts' password check (argon2), recorded; the check itself runs."""
    accounts = app.extensions["kb.accounts"]
    calls, check = [], accounts.authenticate
    accounts.authenticate = lambda username, password: calls.append(username) or check(username, password)
    return calls


@pytest.mark.parametrize("username", ["anna", "nobody"])
def test_failed_sign_ins_are_limited_per_user_name_across_addresses(behind_proxy, username):
    """A new address for every guess: the user name's budget still runs out, the same way for an
    account that does not exist, and refused guesses cost no password hash."""
    app = behind_proxy()
    checks = _count_password_checks(app)
    browser = Browser(app)
    codes = [browser.sign_in(f"198.51.100.{i}", username, f"guess {i}").status_code
             for i in range(FAILURES_ALLOWED + 5)]
    assert codes == [401] * FAILURES_ALLOWED + [429] * 5
    assert len(checks) == FAILURES_ALLOWED
    refused = browser.sign_in("203.0.113.200", f"  {username.upper()} ", PASSWORD)  # as the accounts fold it
    assert refused.status_code == 429 and REFUSED in refused.get_data(as_text=True)
    assert CLIENT_WINDOW_SECONDS < int(refused.headers["Retry-After"]) <= 15 * 60
    assert len(checks) == FAILURES_ALLOWED
    assert browser.sign_in("203.0.113.201", "eva", PASSWORD).status_code == 303  # other accounts sign in


def test_a_user_name_at_its_limit_looks_like_an_address_at_its_limit(behind_proxy):
    """Refused by user name or by address: the same status, page and headers."""
    app = behind_proxy()
    browser = Browser(app)
    for i in range(FAILURES_ALLOWED):
        browser.sign_in(f"198.51.100.{i}", "anna", "wrong password")
    by_name = browser.sign_in("198.51.100.99", "anna", "wrong password")
    for i in range(SIGN_INS_PER_CLIENT):
        browser.sign_in("192.0.2.1", f"user{i}", "wrong password")
    by_address = browser.sign_in("192.0.2.1", "someone", "wrong password")
    assert by_name.status_code == by_address.status_code == 429
    assert _page(by_name).replace("anna", "someone") == _page(by_address)
    assert sorted(by_name.headers.keys()) == sorted(by_address.headers.keys())


def test_failed_sign_ins_count_across_replicas(behind_proxy, redis_server):
    """Replicas with one secret key count a user name's failures in one Redis; a server with
    another secret key has keys of its own."""
    shared = {"RATELIMIT_STORAGE_URI": redis_server.url, "SECRET_KEY": "one secret for the replicas"}
    one, two = Browser(behind_proxy(**shared)), Browser(behind_proxy(**shared))
    codes = [(one, two)[i % 2].sign_in(f"198.51.100.{i}", "eva", "wrong").status_code
             for i in range(FAILURES_ALLOWED + 2)]
    assert codes == [401] * FAILURES_ALLOWED + [429] * 2
    other = Browser(behind_proxy(RATELIMIT_STORAGE_URI=redis_server.url, SECRET_KEY="another secret"))
    assert other.sign_in("198.51.100.50", "eva", "wrong").status_code == 401


def test_ipv6_clients_are_counted_by_their_64_network(behind_proxy):
    """A line's whole /64 is one client (its owner picks any address in it); IPv4 stays per address."""
    app = behind_proxy(RATE_LIMIT_WRITE="3 per minute")
    browser = Browser(app)
    in_one_64 = ["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:a:b:c:d", "2001:db8:5:6:ffff:ffff:ffff:ffff"]
    assert [browser.feedback(a) for a in in_one_64] == [201, 201, 201, 429]
    assert browser.feedback("2001:db8:5:7::1") == 201  # the next /64 is another client
    assert [browser.feedback(f"203.0.113.{i}") for i in range(1, 5)] == [201] * 4


def test_sign_ins_from_one_ipv6_network_share_its_budget(behind_proxy):
    """Guessing several accounts from new addresses of one /64 meets the client's sign-in limit."""
    app = behind_proxy()
    browser = Browser(app)
    codes = [browser.sign_in(f"2001:db8:77:1::{i:x}", f"user{i}", "wrong").status_code
             for i in range(1, SIGN_INS_PER_CLIENT + 3)]
    assert codes == [401] * SIGN_INS_PER_CLIENT + [429] * 2
    assert browser.sign_in("2001:db8:77:2::1", "user99", "wrong").status_code == 401

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
SIGN_INS_PER_CLIENT = 10    # kb.web.limits: sign-in attempts per client and minute
CLIENT_WINDOW_SECONDS = 60
REFUSED = "Too many requests; please wait a moment and try again."
# The failure budgets are made smaller than the defaults: one network's budget for a name
# runs out before the client's own sign-in budget, so each test sees which one refused,
# and a test rotating addresses spends the name's budget with few password hashes.
FAILURES_PER_NETWORK = 4
FAILURES_PER_NAME = 9
FAILURE_BUDGETS = {"RATE_LIMIT_LOGIN_FAILURES": f"{FAILURES_PER_NETWORK} per 15 minutes",
                   "RATE_LIMIT_LOGIN_FAILURES_PER_NAME": f"{FAILURES_PER_NAME} per hour"}


@pytest.fixture()
def behind_proxy(make_app, monkeypatch):
    """An app with the default limits (but FAILURE_BUDGETS) behind a proxy at PROXY, wrapped as `kb serve` wraps it."""
    from kb.web.deployment import proxy_settings
    monkeypatch.setenv("KB_TRUSTED_PROXY", PROXY)

    def make(**config):
        app = make_app(RATELIMIT_ENABLED=True, **{**FAILURE_BUDGETS, **config})
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


def _spend_one_networks_budget(browser, address, username="anna"):
    return [browser.sign_in(address, username, f"guess {i}").status_code for i in range(FAILURES_PER_NETWORK)]


@pytest.mark.parametrize("username", ["anna", "nobody"])
def test_a_guesser_from_one_network_locks_only_that_network_out(behind_proxy, username):
    """Wrong passwords for a name from one network use up that network's budget for the name:
    it is then refused without a password hash, the correct password too, the same way for an
    account that does not exist; the name signs in from another network, and the guessing
    network may still try other names."""
    app = behind_proxy()
    checks = _count_password_checks(app)
    browser = Browser(app)
    assert _spend_one_networks_budget(browser, "198.51.100.7", username) == [401] * FAILURES_PER_NETWORK
    refused = browser.sign_in("198.51.100.7", f"  {username.upper()} ", PASSWORD)  # as the accounts fold it
    assert refused.status_code == 429 and REFUSED in refused.get_data(as_text=True)
    assert CLIENT_WINDOW_SECONDS < int(refused.headers["Retry-After"]) <= 15 * 60
    assert len(checks) == FAILURES_PER_NETWORK
    assert browser.sign_in("203.0.113.9", username, "wrong").status_code == 401
    if username == "anna":
        assert browser.sign_in("203.0.113.9", "anna", PASSWORD).status_code == 303
    assert Browser(app).sign_in("198.51.100.7", "eva", PASSWORD).status_code == 303


def test_an_ipv6_guesser_cannot_step_around_its_networks_budget(behind_proxy):
    """New addresses in one /64 are one network for a user name's budget too."""
    app = behind_proxy()
    browser = Browser(app)
    codes = [browser.sign_in(f"2001:db8:9:1::{i:x}", "anna", "wrong").status_code
             for i in range(1, FAILURES_PER_NETWORK + 2)]
    assert codes == [401] * FAILURES_PER_NETWORK + [429]
    assert browser.sign_in("2001:db8:9:2::1", "anna", PASSWORD).status_code == 303


@pytest.mark.parametrize("username", ["anna", "nobody"])
def test_failed_sign_ins_are_limited_per_user_name_across_networks(behind_proxy, username):
    """A new address for every guess: the user name's budget from all networks still runs out,
    and then refuses every network without a password hash, the correct password too (only a
    guesser with many networks spends it); other accounts sign in."""
    app = behind_proxy()
    checks = _count_password_checks(app)
    browser = Browser(app)
    codes = [browser.sign_in(f"198.51.100.{i}", username, f"guess {i}").status_code
             for i in range(FAILURES_PER_NAME + 3)]
    assert codes == [401] * FAILURES_PER_NAME + [429] * 3
    refused = browser.sign_in("203.0.113.200", f"  {username.upper()} ", PASSWORD)
    assert refused.status_code == 429 and REFUSED in refused.get_data(as_text=True)
    assert CLIENT_WINDOW_SECONDS < int(refused.headers["Retry-After"]) <= 60 * 60
    assert len(checks) == FAILURES_PER_NAME
    assert browser.sign_in("203.0.113.201", "eva", PASSWORD).status_code == 303


def test_one_network_alone_cannot_spend_the_budget_from_all_networks(make_app):
    """By default the budget from all networks holds more failures than two networks can
    spend in its window, each within its own budget."""
    from limits import parse
    app = make_app()
    per_network = parse(app.config["RATE_LIMIT_LOGIN_FAILURES"])
    per_name = parse(app.config["RATE_LIMIT_LOGIN_FAILURES_PER_NAME"])
    # a network's window starts at its first failure: one running when per_name's begins,
    # and those begun within it
    windows = 1 + -(-per_name.get_expiry() // per_network.get_expiry())
    assert 2 * per_network.amount * windows < per_name.amount


def test_a_user_name_at_its_limits_looks_like_an_address_at_its_limit(behind_proxy):
    """Refused by user name, from one network or from all, or by address: the same status,
    page and headers."""
    app = behind_proxy()
    browser = Browser(app)
    _spend_one_networks_budget(browser, "198.51.100.250", "anna")
    by_network = browser.sign_in("198.51.100.250", "anna", "wrong password")
    for i in range(FAILURES_PER_NAME):
        browser.sign_in(f"198.51.100.{i}", "eva", "wrong password")
    by_name = browser.sign_in("198.51.100.99", "eva", "wrong password")
    for i in range(SIGN_INS_PER_CLIENT):
        browser.sign_in("192.0.2.1", f"user{i}", "wrong password")
    by_address = browser.sign_in("192.0.2.1", "someone", "wrong password")
    assert by_network.status_code == by_name.status_code == by_address.status_code == 429
    assert _page(by_network).replace("anna", "someone") == _page(by_name).replace("eva", "someone") \
        == _page(by_address)
    assert sorted(by_network.headers.keys()) == sorted(by_name.headers.keys()) == sorted(by_address.headers.keys())


def test_failed_sign_ins_count_across_replicas(behind_proxy, redis_server):
    """Replicas with one secret key count a user name's failures in one Redis, from one network
    and from all; a server with another secret key has keys of its own."""
    shared = {"RATELIMIT_STORAGE_URI": redis_server.url, "SECRET_KEY": "one secret for the replicas"}
    one, two = Browser(behind_proxy(**shared)), Browser(behind_proxy(**shared))
    codes = [(one, two)[i % 2].sign_in(f"2001:db8:3:4::{i:x}", "anna", "wrong").status_code
             for i in range(FAILURES_PER_NETWORK + 1)]
    assert codes == [401] * FAILURES_PER_NETWORK + [429]
    codes = [(one, two)[i % 2].sign_in(f"198.51.100.{i}", "eva", "wrong").status_code
             for i in range(FAILURES_PER_NAME + 2)]
    assert codes == [401] * FAILURES_PER_NAME + [429] * 2
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
